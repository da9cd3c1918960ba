"""Actors: turn the model's entity spans into one canonical name per person, organisation or place.

"Marco Rubio", "Rubio" and "US-Außenminister Rubio" are one actor "Marco Rubio"; the genitive
"Putins" is "Putin"; "Vereinigten Staaten" and "US" are "USA". Names the model gets wrong at
the edges (a determiner, a role word or a reporting verb inside the span) are trimmed.
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import re
from collections.abc import Collection, Iterable
from pathlib import Path

from spacy.attrs import ENT_TYPE
from spacy.lang.de.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from bot.analyse.gazetteer import (
    country_adjectives,
    country_name,
    is_role_word,
    is_title,
    known_country_names,
    place_name,
)
from bot.analyse.lexicon import BITS, COMPOUND, kind_id
from bot.analyse.names import last_word_key, name_key
from bot.analyse.types import ActorInfo, MentionInfo
from bot.analyse.views import (
    doc_text,
    flags,
    lowers,
    sentence_starts,
    span_chars,
    span_text,
    words,
)

KNOWN_NAMES_FILE = Path(__file__).resolve().parent / "data" / "known_names.tsv"
ACTOR_LABELS = ("PER", "ORG", "LOC")
# English (OntoNotes) models name their labels differently: one scheme for the analysis.
LABEL_MAP = {"PERSON": "PER", "GPE": "LOC", "FAC": "LOC", "LOC": "LOC", "ORG": "ORG", "PER": "PER"}
DETERMINERS = frozenset("der die das des dem den ein eine einer eines einem einen the a an".split())
# Reporting verbs the model sometimes pulls into a name ("Marco Rubio Sagt").
_VERBS_IN_NAMES = frozenset("sagt sagte sagen sagten erklärt erklärte says said".split())
_EDGE_PUNCT = " .,;:!?\"'„“”»«‚‘’()[]{}–—-*/"
_HYPHEN = re.compile(r"\s*-\s*")
_SPACE = re.compile(r"\s+")


# Institutions that speak and act under a common noun ("Der Sicherheitsrat beschloss", "teilte
# die Weltgesundheitsorganisation mit"): organisations, also with a prefix ("UN-Sicherheitsrat")
# or in the genitive ("des Verfassungsschutzes").
INSTITUTIONS = frozenset(
    "Sicherheitsrat Weltsicherheitsrat Übergangsrat Nationalrat Bundesrat Europarat "
    "Menschenrechtsrat Ethikrat Wächterrat Militärrat Bundesregierung Bundesamt "
    "Bundeskriminalamt Landeskriminalamt Bundesverfassungsgericht Bundesgerichtshof "
    "Verfassungsschutz Bundesanwaltschaft Bundespolizei Bundeswehr Bundesbank Zentralbank "
    "Bundesagentur Bundesnetzagentur Weltgesundheitsorganisation Welthandelsorganisation "
    "Weltbank Taliban Junta Militärjunta".split()
)
_GENITIVE_ENDINGS = ("es", "s")


def institution(word: str) -> bool:
    """ "UN-Sicherheitsrat", "Verfassungsschutzes": a word naming an institution above."""
    head = word.rpartition("-")[2]
    return head in INSTITUTIONS or any(
        head.endswith(end) and head[: -len(end)] in INSTITUTIONS for end in _GENITIVE_ENDINGS
    )


@functools.cache
def known_labels() -> dict[str, str]:
    """The label the corpora give a name most often ("Moskau" → LOC)."""
    best: dict[str, tuple[int, str]] = {}
    for line in KNOWN_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, label, count = line.split("\t")
            if int(count) > best.get(name, (0, ""))[0]:
                best[name] = (int(count), label)
    return {name: label for name, (_count, label) in best.items()}


@functools.cache
def known_names() -> dict[str, int]:
    """Names seen in the NER corpora, with how often: lets "Riads" become "Riad"."""
    counts: dict[str, int] = dict.fromkeys(known_country_names(), 1000)
    for line in KNOWN_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _label, count = line.split("\t")
            counts[name] = counts.get(name, 0) + int(count)
    return counts


@functools.lru_cache(maxsize=100_000)  # asked for every name of every article
def clean_name(text: str) -> str:
    """White space folded, "Saudi -Arabien" → "Saudi-Arabien", edge punctuation and 's gone."""
    text = _HYPHEN.sub("-", _SPACE.sub(" ", text)).strip(_EDGE_PUNCT)
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.strip(_EDGE_PUNCT)


def name_pieces(
    doc: Doc, start: int, end: int, label: str, doc_names: frozenset[str] = frozenset()
) -> list[tuple[int, int, str]]:
    """The names inside the entity span `doc[start:end]` labelled `label`, as (start, end,
    label): no article, title, role or verb, and glued names taken apart ("Vereinigten Staaten
    Marco Rubio", "Russlands Channel One", "Washington Post Journalistin Jamal Khashoggi")."""
    text, lower, title = words(doc), lowers(doc), flags(doc).is_title
    while end - 1 > start and lower[end - 1] in _VERBS_IN_NAMES:
        end -= 1
    pieces: list[tuple[int, int, str]] = []
    while label == "PER" and start < end - 1 and _not_a_first_name(text[start]):
        start += 1
    while start < end:
        role_before = False
        while start < end - 1 and _is_name_prefix(text[start]):
            role_before = role_before or is_role_word(text[start])
            start += 1
        if role_before and 2 <= end - start <= 3 and all(title[start:end]):
            label = "PER"  # "US-Außenminister Antony Blinken", whatever the model said
        split = _split_point(doc, start, end, doc_names, label)
        if split is None:
            pieces.append((start, end, label))
            break
        is_country = country_name(span_text(doc, start, split)) is not None
        pieces.append((start, split, "LOC" if is_country else label))
        start = split
        # "Vereinigten Staaten Marco Rubio": after a country, two capitalised words are a person.
        if is_country and 2 <= end - start <= 3 and all(title[start:end]):
            label = "PER"
    kept = []
    for i, (first, last, lab) in enumerate(pieces):
        written = span_text(doc, first, last)
        if written.strip(_EDGE_PUNCT) and (i == 0 or last - first > 1 or written in known_names()):
            kept.append((first, last, lab))
    return kept


def _named_after_role(doc: Doc, start: int, end: int, sent_start: int) -> bool:
    """ "Der Sprecher von Kreml, Dmitry Peskov": two or three capitalised words right after a
    role are a person, whatever label the model gave them."""
    lexical = flags(doc)
    kept = [i for i in range(start, end) if not lexical.is_punct[i]]
    if not (2 <= len(kept) <= 3 and all(lexical.is_title[i] for i in kept)):
        return False
    from bot.analyse.roles import role_before  # roles builds on this module (asked here: rare)

    return bool(role_before(doc, start, sent_start))


_PARTICLES = ("von der", "von den", "van der", "van den", "von", "van", "zu", "de", "ten")


def _with_particles(doc: Doc, start: int, end: int) -> int:
    """ "Ursula" + "von der Leyen": a lone first name the model cut before a particle surname
    that the text always writes with its particle ("Von der Leyen betonte"). The name's end."""
    text = words(doc)
    if end - start != 1 or end >= len(doc) or not text[end].islower():
        return end
    for particle in _PARTICLES:
        size = particle.count(" ") + 1
        surname = end + size
        if surname >= len(doc) or span_text(doc, end, surname) != particle:
            continue
        written = text[surname]
        if not _name_like(doc, surname) or doc[surname].ent_type_ or known_labels().get(written):
            return end
        uses = [i for i, word in enumerate(text) if word == written]
        if len(uses) >= 2 and all(doc[i - size : i].text.lower() == particle for i in uses):
            return surname + 1
        return end
    return end


def _name_like(doc: Doc, i: int) -> bool:
    """Token `i` may be a word of a name (from the token flags: no Token made)."""
    text, lexical = words(doc)[i], flags(doc)
    return (
        lexical.is_title[i]
        and len(text) > 1
        and text.replace("-", "").isalpha()
        and not lexical.is_stop[i]
        and text.lower() not in DETERMINERS
        and not is_role_word(text)
        and not is_title(text)
        and not _COMMON_NOUN.search(text)
        and text.lower() not in _VERBS_IN_NAMES
        and country_name(text) is None
    )


def _untagged_names(doc: Doc, sent_starts: list[int]) -> list[tuple[int, int, str]]:
    """Two or three name-like words the model left untagged right after a role ("Der
    Flughafenmanager Vedat Muftuoglu sagte") or before a role apposition ("Andres Granier, der
    Gouverneur von Tabasco, sagte"): a person."""
    from bot.analyse.roles import role_after  # roles builds on this module

    found: list[tuple[int, int, str]] = []
    sent_ends = sent_starts[1:] + [len(doc)]
    starts = set(sent_starts)
    text = words(doc)
    for i, end in _untagged_runs(doc):
        named = len(found)
        for size in (2, 3):  # the name is the run's end: "[Flughafenmanager] Vedat Muftuoglu"
            first = end - size
            if first < i:
                break
            if first > i or first not in starts:
                role = first not in starts and is_role_word(text[first - 1])
            else:
                sentence = bisect.bisect_right(sent_starts, first) - 1
                role = role_after(doc, end, sent_ends[sentence]) is not None
            if role and all(_name_like(doc, j) for j in range(first, end)):
                found.append((first, end, "PER"))
                break
        # A surname alone after its role: "gestürzter Staatschef Maduro erschien".
        if (
            len(found) == named
            and is_role_word(text[end - 2])
            and _name_like(doc, end - 1)
            and _surname_like(text[end - 1])
        ):
            found.append((end - 1, end, "PER"))
    return found


def _untagged_runs(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of each run of two or more capitalised words without an entity label that
    opens with a word that is no stop word, runs on as far as such words go and ends the text or
    comes before punctuation or a lower-case word (from the token flags: no Token made)."""
    lexical = flags(doc)
    title, stop = lexical.is_title, lexical.is_stop
    tagged = doc.to_array(ENT_TYPE).astype(bool).tolist()  # token.ent_type_ is not empty
    runs = []
    i, size = 0, len(doc)
    while i < size:
        if not title[i] or tagged[i] or stop[i]:
            i += 1
            continue
        end = i + 1
        while end < size and title[end] and not tagged[end]:
            end += 1
        if end - i >= 2 and (end == size or lexical.is_punct[end] or lexical.is_lower[end]):
            runs.append((i, end))
        i = end
    return runs


def _surname_like(word: str) -> bool:
    """A word the lexicon knows as no common noun or place, nor its stem as a country."""
    kinds = kind_id(word)
    stem = word[:-1] if word.endswith("s") else word
    return (
        kinds != COMPOUND
        and not kinds & (BITS["noun"] | BITS["place"])
        and country_name(stem) is None
        and place_name(stem) is None
    )


def _split_point(
    doc: Doc, start: int, end: int, doc_names: frozenset[str], label: str = "PER"
) -> int | None:
    text = words(doc)
    for i in range(start + 1, end):
        if is_role_word(text[i]):
            return i
    for size in (3, 2, 1):  # a country at the front: "Vereinigten Staaten | Marco Rubio"
        if start + size < end and country_name(span_text(doc, start, start + size)):
            # … but an organisation's one word after a country is its name: "Yemen Observer".
            if label == "ORG" and end - start - size == 1 and text[end - 1] not in known_names():
                return None
            return start + size
    for i in range(start, end - 1):  # a genitive inside: "Kyivs | Teilnahme"
        word = text[i]
        if word.endswith("s") and _ungenitive(word, doc_names) != word:
            return i + 1
    if not flags(doc).is_title[start]:
        return None
    for i in range(start + 1, end):  # a country glued on behind: "Donald Trump | Venezuelas"
        tail = span_text(doc, i, end)
        if any(country_name(form) for form in (tail, tail[:-1] if tail.endswith("s") else "")):
            return i
    return None


# Words a headline puts before a name that are no part of it ("Hey Trump", "Monsieur Macron").
_FORMS_OF_ADDRESS = frozenset("hey hallo liebe lieber monsieur madame mister sir lady lord".split())


def _not_a_first_name(word: str) -> bool:
    """A word opening a person's span that cannot be its first name: a function word or verb
    ("Hat Merkel", "Warum Merkel", "Kann Salvini"), a form of address, or a common noun the
    lexicon knows as no first name ("Nebelkerze Seehofers", "Grüner Palmer")."""
    kinds = kind_id(word)
    if kinds != COMPOUND and kinds & BITS["first"]:
        return False
    return (
        word.lower() in STOP_WORDS
        or word.lower() in _FORMS_OF_ADDRESS
        # (short nouns are often a foreign first name too: "Ren Nikaidō")
        or (kinds != COMPOUND and bool(kinds & BITS["noun"]) and len(word) >= 5)
    )


def _is_name_prefix(word: str) -> bool:
    return (
        word.lower() in DETERMINERS
        or is_title(word)
        or is_role_word(word)
        or word[:1].islower()
        or word in ("-", ",")
    )


def _valid(name: str) -> bool:
    return (
        1 < len(name) <= 80
        and any(ch.isalpha() for ch in name)
        and any(word[:1].isupper() for word in name.split())
        and name.count(" ") < 6
    )


def _ungenitive(name: str, in_text: set[str] | frozenset[str] = frozenset()) -> str:
    """ "Putins" → "Putin" when the text or the corpora know "Putin" (better than "Putins")."""
    for stem, known in _genitive_stems(name):
        if known or stem in in_text:
            return stem
    return name


@functools.lru_cache(maxsize=100_000)  # asked several times for every name of every article
def _genitive_stems(name: str) -> tuple[tuple[str, bool], ...]:
    """The stems of `name` read as a genitive, each with whether it is a name without the text:
    a country, an institution, or a name the corpora know better than `name`."""
    corpus = known_names()
    stems = []
    for suffix in ("s", "es", "'"):
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and len(stem) >= 3:
            known = bool(
                country_name(stem) or corpus.get(stem, 0) > corpus.get(name, 0) or institution(stem)
            )
            stems.append((stem, known))
    return tuple(stems)


# Single words with these endings are common nouns the model mistook for names.
_COMMON_NOUN = re.compile(
    r"(?:ung|ungen|heit|keit|schaft|schaften|nis|nisse|tum|ismus|ien|ium|kartell|ieren|ität)$"
)


def _possessed(name: str) -> bool:
    """ "Salmans Bemühungen", "Kyivs Militär": a genitive name and a common noun are a phrase
    about someone, not a name."""
    words = name.split()
    return (
        len(words) == 2
        and words[0].endswith("s")
        and words[1] not in known_names()
        and (_COMMON_NOUN.search(words[1]) is not None or _ungenitive(words[0]) != words[0])
    )


@functools.lru_cache(maxsize=100_000)  # asked for every name of every article
def _acceptable(name: str) -> bool:
    """A cleaned name that may be an actor: no common noun, genitive phrase or stray word."""
    return _valid(name) and (" " in name or _plausible_single(name)) and not _possessed(name)


def _plausible_single(word: str) -> bool:
    return (word in known_names() or not _COMMON_NOUN.search(word)) and not _common_word(word)


# Acronyms and days that are common words, not actors ("KI verändert die Arbeitswelt",
# "Silvester in Berlin").
_COMMON_WORDS = frozenset(
    "KI AI EM WM BIP ÖPNV PKW Pkw LKW Lkw SUV IT TV PC CO2 DAX Dax Kita KITA "
    "Silvester Neujahr Ostern Pfingsten Weihnachten Heiligabend Advent Fasching Karneval".split()
)
# Heads of compounds that name an event, not an actor ("US-Überfall", "Nato-Gipfel").
_EVENT_HEADS = frozenset(
    "Überfall Angriff Angriffe Angriffs Luftangriff Militärschlag Anschlag Attacke Krieg "
    "Invasion Offensive Einsatz Gipfel Wahl Wahlen Streik Besuch Treffen Deal Abkommen Zölle "
    "Zoll Sanktionen Skandal Affäre Krise Debatte Blackout Stromausfall Festnahme Operation".split()
)


def _common_word(word: str) -> bool:
    head = word.rpartition("-")[2]
    return word in _COMMON_WORDS or (head != word and head in _EVENT_HEADS)


def _noun_not_person(word: str) -> bool:
    """ "Silvester", "Ostern": a common noun the lexicon knows, which no surname is — alone it
    names no person."""
    kinds = kind_id(word)
    return (
        kinds != COMPOUND
        and bool(kinds & BITS["noun"])
        and not kinds & (BITS["surname"] | BITS["name"] | BITS["place"])
    )


# Words after a sentence-initial verb ("Lasst uns feiern", "Stoppt die Gewalt"): no name.
_VERB_FIRST_FOLLOWERS = frozenset("uns euch dich mich sich es die den das dem ein eine".split())


def _verb_first(doc: Doc, start: int, end: int, sent_start: int) -> bool:
    text = words(doc)
    return (
        end - start == 1
        and start == sent_start
        and end < len(doc)
        and text[end] in _VERB_FIRST_FOLLOWERS
        and kind_id(text[start]) == 0
        and text[start] not in known_names()
    )


class _Candidate:
    """A name at tokens start…end (no Span: spaCy makes two Tokens for each new Span)."""

    __slots__ = ("start", "end", "name", "label", "sentence")

    def __init__(self, start: int, end: int, name: str, label: str, sentence: int) -> None:
        self.start, self.end, self.name, self.label = start, end, name, label
        self.sentence = sentence


def find_actors(doc: Doc, labels: tuple[str, ...] = ACTOR_LABELS) -> tuple[list, list]:
    """(mentions, actors) for a Doc whose entities and sentences are set."""
    sent_starts = sentence_starts(doc)
    boilerplate = doc._.boilerplate or frozenset()
    candidates: list[_Candidate] = []
    model_ents = list(doc.ents)  # once: each read makes new Spans
    full_text = doc_text(doc)
    ent_texts = [full_text[ent.start_char : ent.end_char] for ent in model_ents]
    doc_names = frozenset(ent_texts)
    multiword = {
        word
        for ent, name in zip(model_ents, ent_texts, strict=True)
        if len(ent) > 1
        for word in name.split()
    }
    ents = [(ent.start, ent.end, ent.label_) for ent in model_ents]
    if "PER" in labels:
        ents += _untagged_names(doc, sent_starts)
    for start, end, model_label in ents:
        sentence = bisect.bisect_right(sent_starts, start) - 1
        ent_label = LABEL_MAP.get(model_label, model_label)
        if ent_label not in labels or sentence in boilerplate:
            continue
        if ent_label == "PER":
            end = _with_particles(doc, start, end)
        for first, last, label in name_pieces(doc, start, end, ent_label, doc_names):
            name = clean_name(span_text(doc, first, last))
            if " " not in name and (
                _verb_first(doc, first, last, sent_starts[sentence])
                or (label == "PER" and _noun_not_person(name) and name not in multiword)
            ):
                continue
            if _acceptable(name):
                if label != "PER" and _named_after_role(doc, first, last, sent_starts[sentence]):
                    label = "PER"
                candidates.append(_Candidate(first, last, name, label, sentence))

    # Countries first: they have fixed names whatever the model's label.
    for c in candidates:
        genitive_place = c.name.endswith("s") and place_name(c.name[:-1])
        stem = c.name[:-1] if genitive_place else _ungenitive(c.name)
        if place := country_name(c.name) or country_name(stem) or place_name(stem):
            c.name, c.label = place, "LOC"
    bare_persons = {c.name for c in candidates if " " not in c.name and c.label == "PER"}
    # Full names: multi-word persons, and multi-word "organisations" whose last word the text
    # also uses alone as a person ("Kirill Dmitriev" tagged ORG, "Dmitriev" tagged PER).
    full_names = {
        c.name
        for c in candidates
        if " " in c.name
        and (c.label == "PER" or _ungenitive(c.name.rsplit(" ", 1)[1]) in bare_persons)
    }
    surnames: dict[str, set[str]] = collections.defaultdict(set)
    surname_keys: dict[str, set[str]] = collections.defaultdict(set)  # "Selenskij" ~ "Selenskyj"
    for full in sorted(full_names):  # sorted: the same result under every hash seed
        surnames[full.rsplit(" ", 1)[1]].add(full)
        surname_keys[last_word_key(full)].add(full)
    in_text = {c.name for c in candidates} | set(surnames)
    for c in candidates:
        c.name = _ungenitive(c.name, in_text)  # a stem is never the name itself
        # A full name's form with genitive ("Wladimir Putins") is the full name.
        if " " in c.name:
            head, last = c.name.rsplit(" ", 1)
            if f"{head} {_ungenitive(last, in_text)}" in full_names:
                c.name = f"{head} {_ungenitive(last, in_text)}"
    # A bare surname belongs to the one full name that ends with it; two such names: keep apart.
    bare_forms: dict[str, set[str]] = collections.defaultdict(set)
    _one_spelling(candidates)
    full_names = {c.name for c in candidates if c.name in full_names}
    first_spelling: dict[str, str] = {}  # a name's key → the first candidate's spelling
    for c in candidates:
        first_spelling.setdefault(name_key(c.name), c.name)
    surname_keys = {
        key: {first_spelling.get(name_key(full), full) for full in owners}
        for key, owners in surname_keys.items()
    }
    for c in candidates:
        owners = surname_keys.get(last_word_key(c.name)) if " " not in c.name else None
        if c.name in full_names:
            c.label = "PER"
        elif owners and len(owners) == 1:
            bare_forms[next(iter(owners))].add(c.name)
            c.name = next(iter(owners))
            c.label = "PER"
    candidates += _missed_mentions(doc, model_ents, candidates, surnames, sent_starts, boilerplate)
    candidates += _country_adjectives(doc, candidates, sent_starts, boilerplate)
    candidates.sort(key=lambda c: c.start)
    return _collect(doc, candidates, bare_forms)


def _tally(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """How often each value comes with each key, in first-seen order (a Counter per key, but
    dicts: most keys come once or twice)."""
    counts: dict[str, dict[str, float]] = {}
    for key, value in pairs:
        values = counts.get(key)
        if values is None:
            values = counts[key] = {}
        values[value] = values.get(value, 0) + 1
    return counts


def _most(counts: dict[str, float]) -> str:
    """The key counted most, the first on a tie (as `Counter.most_common(1)`)."""
    return max(counts, key=counts.__getitem__)


def _one_spelling(candidates: list[_Candidate]) -> None:
    """Spellings of one name in one text ("Ren Nikaidō", "Ren Nikaido") become the one written
    most often (the first on a tie)."""
    groups = _tally((name_key(c.name), c.name) for c in candidates)
    chosen = {
        name: _most(spellings)
        for spellings in groups.values()
        if len(spellings) > 1
        for name in spellings
    }
    for c in candidates:
        c.name = chosen.get(c.name, c.name)


def _country_adjectives(doc, candidates, sent_starts, boilerplate) -> list[_Candidate]:
    """ "der russische Präsident" mentions Russia: adjectives count for their country."""
    lower, countries = lowers(doc), country_adjectives()
    if countries.keys().isdisjoint(lower):  # most texts: one pass in C
        return []
    texts = words(doc)
    tagged = {i for c in candidates for i in range(c.start, c.end)}
    found = []
    for i in _positions(lower, countries):
        # countries[lower[i]] is country_of_adjective(texts[i])
        if i in tagged or not (texts[i].islower() or "-" in texts[i]):
            continue
        sentence = bisect.bisect_right(sent_starts, i) - 1
        if sentence not in boilerplate:
            found.append(_Candidate(i, i + 1, countries[lower[i]], "LOC", sentence))
    return found


def _positions(texts: list[str], wanted: Collection[str]) -> list[int]:
    """The indices of the `texts` in `wanted` (in C: no Python loop over the tokens)."""
    return list(itertools.compress(range(len(texts)), map(wanted.__contains__, texts)))


def _missed_mentions(doc, ents, candidates, surnames, sent_starts, boilerplate) -> list[_Candidate]:
    """Occurrences of this text's person names that the model did not tag ("Rubio sagte";
    `ents`: the Doc's entities)."""
    forms: dict[str, str] = {}
    owned = sorted((s, next(iter(o))) for s, o in surnames.items() if len(o) == 1 and len(s) > 2)
    for surname, owner in owned:
        forms[surname] = owner
    for surname, owner in owned:  # a genitive form never takes a surname's own owner
        forms.setdefault(surname + "s", owner)
    texts = words(doc)
    if forms.keys().isdisjoint(texts):  # most texts: one pass in C
        return []
    tagged = {i for c in candidates for i in range(c.start, c.end)}
    tagged.update(i for ent in ents for i in range(ent.start, ent.end))
    missed = []
    for i in _positions(texts, forms):
        if i in tagged:
            continue
        sentence = bisect.bisect_right(sent_starts, i) - 1
        if sentence not in boilerplate:
            missed.append(_Candidate(i, i + 1, forms[texts[i]], "PER", sentence))
    return missed


def _collect(
    doc: Doc, candidates: list[_Candidate], bare_forms: dict[str, set[str]]
) -> tuple[list, list]:
    labels = _tally((c.name, c.label) for c in candidates)
    for name, votes in labels.items():
        if prior := known_labels().get(name):
            votes[prior] = votes.get(prior, 0) + 1.5  # the corpora know "Moskau" is a place
    kinds = {
        name: "PER" if " " in name and votes.get("PER") else _most(votes)
        for name, votes in labels.items()
    }
    actors: dict[str, ActorInfo] = {}
    mentions = []
    for c in candidates:
        kind = kinds[c.name]
        actor = actors.get(c.name)
        if actor is None:
            actor = actors[c.name] = ActorInfo(
                name=c.name,
                kind=kind,
                first_sentence=c.sentence,
                surnames=tuple(sorted(bare_forms.get(c.name, ()))),
            )
        actor.mentions += 1
        start_char, end_char = span_chars(doc, c.start, c.end)
        mentions.append(
            MentionInfo(
                name=c.name,
                text=span_text(doc, c.start, c.end),
                label=kind,
                start_char=start_char,
                end_char=end_char,
                start=c.start,
                end=c.end,
                sentence=c.sentence,
            )
        )
    for actor in actors.values():
        # Many mentions, and mentions early in the text, make an actor central to the article.
        actor.salience = round(actor.mentions * (1.0 + 2.0 / (2.0 + actor.first_sentence)), 3)
    ranked = sorted(actors.values(), key=lambda a: (-a.salience, a.first_sentence, a.name))
    return mentions, ranked


@Language.component("morgenlage_actors")
def actors_component(doc: Doc) -> Doc:
    doc._.mentions, doc._.actors = find_actors(doc)
    return doc
