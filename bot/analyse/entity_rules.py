"""Rules after the model's `ner`: labels the NER corpora agree on, names the model missed,
seats of power that are organisations ("Kreml", "Weißes Haus"), and the place a place noun
introduces ("der saudischen Hauptstadt Riads").

The gazetteer is `data/known_names.tsv` (entity names from the *training* part of GermEval 2014
and WikiNER; the held-out sentences are left out, see training/known_names.py).
"""

from __future__ import annotations

import collections
import functools
import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot.analyse import views
from bot.analyse.actors import KNOWN_NAMES_FILE, institution
from bot.analyse.lexicon import BITS, kind_id

# Institutions news name by their seat: organisations, whatever the model says.
SEATS = {
    "Kreml": "ORG",
    "Weiße Haus": "ORG",
    "Weißen Haus": "ORG",
    "Weißes Haus": "ORG",
    "Pentagon": "ORG",
    "Élysée": "ORG",
    "Elysée": "ORG",
    "Elysee-Palast": "ORG",
    "Downing Street": "ORG",
    "Bundeskanzleramt": "ORG",
}
# News agencies: sources news cites all the time ("berichtet Reuters"), organisations always.
AGENCIES = dict.fromkeys(
    (
        "Reuters", "dpa", "DPA", "AFP", "AP", "Associated Press", "Bloomberg", "Interfax", "TASS",
        "Tass", "Xinhua", "ANSA", "APA", "epd", "KNA", "Kyodo", "EFE", "RIA Nowosti", "Anadolu",
    ),
    "ORG",
)  # fmt: skip
# "Hauptstadt Riads", "Region Cherkasy": the capitalised word after these names a place.
PLACE_NOUNS = frozenset(
    "Hauptstadt Landeshauptstadt Stadt Großstadt Kleinstadt Kreisstadt Hafenstadt Grenzstadt "
    "Metropole Region Provinz Gemeinde Ortschaft Dorf".split()
)
# "die Zeitung The Guardian", "das Nachrichtenportal EurActiv": the name after these is an
# outlet, an organisation; "Neue Osnabrücker Zeitung": a newspaper's name ends in "Zeitung".
OUTLET_NOUNS = frozenset(
    "Zeitung Tageszeitung Wochenzeitung Zeitschrift Magazin Nachrichtenmagazin "
    "Nachrichtenportal Nachrichtenseite Newsportal Onlineportal Fachblatt Fachzeitschrift "
    "Sender Fernsehsender Radiosender Nachrichtensender Nachrichtenagentur".split()
)
MAX_OUTLET_WORDS = 3
MIN_COUNT = 3  # a name must be seen this often ...
MIN_SHARE = 0.9  # ... and with one label this often to be trusted


@functools.cache
def trusted_labels() -> dict[str, str]:
    """Names the corpora label one way almost always ("Angela Merkel" PER, "SPD" ORG)."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in KNOWN_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, label, count = line.split("\t")
            counts[name][label] += int(count)
    trusted = {}
    for name, votes in counts.items():
        label, count = votes.most_common(1)[0]
        if count >= MIN_COUNT and count / sum(votes.values()) >= MIN_SHARE:
            trusted[name] = label
    trusted.update(SEATS | AGENCIES)
    return trusted


class EntityRules:
    def __init__(self, nlp: Language) -> None:
        self.labels = trusted_labels()
        self.matcher = PhraseMatcher(nlp.vocab)
        multi = [n for n in self.labels if " " in n or n in SEATS or n in AGENCIES]
        for label in ("PER", "ORG", "LOC"):
            names = [n for n in multi if self.labels[n] == label]
            self.matcher.add(label, list(nlp.tokenizer.pipe(names)))

    def __call__(self, doc: Doc) -> Doc:
        ents = []
        full_text = views.doc_text(doc)
        for ent in doc.ents:
            label = self.labels.get(full_text[ent.start_char : ent.end_char])
            ents.append(Span(doc, ent.start, ent.end, label=label) if label else ent)
        taken = {i for e in ents for i in range(e.start, e.end)}
        for match_id, start, end in self.matcher(doc):
            if not any(i in taken for i in range(start, end)):
                ents.append(Span(doc, start, end, label=match_id))
        words = views.words(doc)
        # Each word asked once, however often it occurs (istitle: Token.is_title).
        institutions = {word for word in set(words) if word.istitle() and institution(word)}
        if institutions:
            for i, word in enumerate(words):
                if word in institutions and i not in taken:
                    ents.append(Span(doc, i, i + 1, label="ORG"))
        after_place_noun = [i + 1 for i, word in enumerate(words[:-1]) if word in PLACE_NOUNS]
        for i in after_place_noun:
            word = words[i]
            if (
                i not in taken
                and word.istitle()
                and doc[i].is_alpha
                and (_is_place(word) or kind_id(word) != BITS["noun"])
            ):  # not "… dass die Stadt Geld ausgibt"
                ents.append(Span(doc, i, i + 1, label="LOC"))
        ents += _outlets(doc, taken, words)
        doc.ents = filter_spans(ents)
        return doc


def _outlets(doc: Doc, taken: set[int], words: list[str]) -> list[Span]:
    """Outlets the model missed: the name after an outlet noun, and "<Adjective> Zeitung"
    (`words`: the tokens' texts)."""
    found = []
    for i in [i for i, word in enumerate(words[:-1]) if word in OUTLET_NOUNS]:
        if i in taken:
            continue
        token = doc[i]
        start = token.i + 1 + (words[token.i + 1] in '„»"')
        end = start
        while (
            end < len(doc)
            and end - start < MAX_OUTLET_WORDS
            and end not in taken
            and (doc[end].is_title or doc[end].is_upper or _CAMEL.match(doc[end].text))
            and not doc[end].is_stop
        ):
            end += 1
        if end > start:
            found.append(Span(doc, start, end, label="ORG"))
    for i in [i for i, word in enumerate(words) if word == "Zeitung"]:
        if i < 1 or i in taken:
            continue
        token = doc[i]
        start = token.i
        while (
            start - 1 >= 0
            and token.i - start < MAX_OUTLET_WORDS
            and start - 1 not in taken
            and doc[start - 1].is_title
            and not doc[start - 1].is_stop
            and doc[start - 1].text.endswith(("er", "e"))
        ):
            start -= 1
        if start < token.i:
            found.append(Span(doc, start, token.i + 1, label="ORG"))
    return found


_CAMEL = re.compile(r"^[A-Z][a-z]+[A-Z]\w*$")  # "EurActiv", "NDRInfo"


def _is_place(word: str) -> bool:
    """A place name, or its genitive ("Riads")."""
    place = BITS["place"]
    return bool(kind_id(word) & place or (word.endswith("s") and kind_id(word[:-1]) & place))


@Language.factory("morgenlage_entity_rules")
def make_entity_rules(nlp: Language, name: str) -> EntityRules:
    return EntityRules(nlp)
