"""Direct quotes („…“, "…", »…«, “…”) and who said them.

A speaker is taken only from a clear frame: a reporting word next to a name ("…“, sagte
Dmitriev", "Peskov sagte, …: „…“", "so Macron"), a pronoun ("sagte er") resolved to the person
named last, or a quote continuing the previous one. A role phrase may stand between the cue and
the name ("so der Chef des Verwaltungsrats Ulrich Müller"); the person who opens a sentence as
its subject speaks a quote there ("Schüssel würdigte Ligeti als „…“"), and a quote that opens
its sentence continues the sentence before. Short phrases („maßvoll“) need a reporting verb or
"als" before them. Anything else keeps no speaker: a missing speaker is better than a wrong one.
"""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from bot.analyse.lexicon import first_name_gender
from bot.analyse.types import MentionInfo, QuoteInfo
from bot.analyse.views import doc_text, lowers

QUOTE = re.compile(
    r"„(?P<de>[^„“”\"\n]+?)\s*[“”\"]"
    r"|»(?P<gu>[^»«\n]+?)«"
    r"|«(?P<fr>[^«»\n]+?)»"
    r"|“(?P<en>[^“”\n]+?)”"
    r"|\"(?P<plain>[^\"\n]+?)\""
)
MIN_WORDS = 3  # shorter quoted phrases („Kliper“, „verpasste Chance“) count only with a cue
SHORT_WORDS = 1
# Reporting words, as inflected forms (the shipped model has no lemmatiser).
CUES = frozenset(
    "sagte sagten sagt sagen gesagt erklärte erklärten erklärt betonte betonten "
    "betont schrieb schreibt meinte meinten meint warnte warnt fügte ergänzte teilte "
    "kündigte sprach erläuterte unterstrich bekräftigte bestätigte räumte forderte "
    "fordert kritisierte verkündete twitterte antwortete versicherte mahnte "
    "appellierte berichtete behauptete beklagte äußerte argumentierte stellte hieß "
    "heißt so laut zufolge said says told wrote added asked stated according tweeted "
    "warned explained nannte nennt bezeichnete bezeichnet kommentierte kommentiert "
    "entgegnete entgegnet zitiert zitierte ergänzt sprechen spricht rief ruft "
    "erklären betonen warnen fordern kritisiert kritisieren bekräftigt unterstreicht "
    "zeigte zeigt sicherte versprach verspricht fragte fragt meldete schreiben "
    "twittert postete urteilte resümierte bilanzierte ausführte ausführt feststellte "
    "feststellt beteuerte beteuert erwiderte erwidert konstatierte konstatiert".split()
)
# Particle verbs in a subordinate clause ("wie die Sprecherin mitteilte"), perfect participles
# ("hat … angekündigt"), verbs of opinion and reason ("hofft", "begründete"), and nouns that
# frame an opinion ("nach Ansicht von", "ist der Meinung", "mit den Worten").
CUES |= frozenset(
    "mitteilte mitteilten mitteilt mitgeteilt bekanntgab bekanntgegeben ankündigte ankündigt "
    "angekündigt hinzufügte hinzugefügt einräumte einräumt eingeräumt klarstellte klarstellt "
    "klargestellt ausdrückte ausdrückt ausgedrückt darlegte dargelegt festgestellt erläutert "
    "berichtet berichten berichteten äußert äußerten geäußert begründete begründet begründeten "
    "hofft hoffte glaubt glaubte befürchtet befürchtete fürchtet fürchtete vermutet vermutete "
    "schätzt schätzte verlangte verlangt empfahl empfiehlt erinnerte erinnert verwies verweist "
    "wies weist lautete lautet bezeichneten schrieben teilten stellten ergänzten forderten "
    "gefordert bekräftigten kritisierten betonten zitieren zitiert "
    "ansicht meinung auffassung einschätzung worten angaben".split()
)
# Verbs that judge something in a quoted phrase ("würdigte Ligeti als „großen Österreicher“"):
# their subject is the speaker, their object the topic.
EVALUATING = frozenset(
    "charakterisierte charakterisiert würdigte würdigt beurteilte beurteilt bewertete "
    "bewertet beschrieb beschreibt lobte lobt".split()
)
CUES |= EVALUATING
ENGLISH_CUES = frozenset("said says told wrote added asked stated tweeted warned explained".split())
PRONOUNS = frozenset(["er", "sie", "he", "she"])
SPEAKER_KINDS = ("PER", "ORG")


def _sentence_of(doc: Doc, token_index: int, sent_starts: list[int]) -> int:
    return bisect.bisect_right(sent_starts, token_index) - 1


def _quote_sentence(doc: Doc, span: Span, sent_starts: list[int]) -> int:
    """The sentence a quote starts in — the next one when the sentencizer left the opening mark
    at the end of the sentence before ("… aus. „|Obwohl …“, sagte Casey")."""
    first = _sentence_of(doc, span.start, sent_starts)
    if first + 1 < len(sent_starts) and sent_starts[first + 1] == span.start + 1 < span.end:
        return first + 1
    return first


FEMALE_WORDS = frozenset("frau mrs. ms. mrs ms".split())
MALE_WORDS = frozenset("herr herrn mr. mr".split())


def _gender_before(doc: Doc, start: int) -> str | None:
    """ "Sprecherin Tammy Bruce" → f, "Außenminister Marco Rubio" / "Herr X" → m, else None."""
    from bot.analyse.gazetteer import is_role_word  # noqa: PLC0415 — avoids an import cycle

    for j in range(start - 1, max(-1, start - 3), -1):
        word = doc[j].text
        if word.lower() in FEMALE_WORDS:
            return "f"
        if word.lower() in MALE_WORDS:
            return "m"
        if is_role_word(word):
            return "f" if re.search(r"in(nen)?$", word) and not word.endswith("Berlin") else "m"
        if doc[j].is_punct:
            break
    return None


class _Context:
    """Mentions of possible speakers, in text order, for one Doc."""

    def __init__(self, doc: Doc, mentions: list[MentionInfo]) -> None:
        self.speakers = [m for m in mentions if m.label in SPEAKER_KINDS]
        self.persons = [m for m in self.speakers if m.label == "PER"]
        self.person_starts = [m.start for m in self.persons]
        # What the text says about each person's gender ("Sprecherin", "Herr") or, failing that,
        # their first name ("Tammy Bruce"): for er/sie.
        self.gender: dict[str, str] = {}
        for m in self.persons:
            if (g := _gender_before(doc, m.start)) and self.gender.setdefault(m.name, g) != g:
                self.gender[m.name] = "?"
        for m in self.persons:
            first, _, rest = m.name.partition(" ")
            if rest and m.name not in self.gender and (g := first_name_gender(first)):
                self.gender[m.name] = g

    def within(self, start: int, end: int) -> list[MentionInfo]:
        return [m for m in self.speakers if start <= m.start and m.end <= end]

    def last_person_before(
        self, token: int, quote_spans: list[tuple[int, int]], pronoun: str = ""
    ) -> str | None:
        """The person named last before `token`; for "sie"/"er" the last one whose gender the
        text does not contradict — and none when the text names both kinds nearby."""
        want = {"sie": "f", "she": "f", "er": "m", "he": "m"}.get(pronoun.lower())
        index = bisect.bisect_left(self.person_starts, token) - 1
        while index >= 0:
            mention = self.persons[index]
            if not any(s <= mention.start < e for s, e in quote_spans):
                gender = self.gender.get(mention.name)
                if want is None or gender in (None, want):
                    return mention.name
            index -= 1
        return None


# Cues whose object follows them ("Rice nannte Shultz einen „Patrioten“"): the speaker is the
# name before the cue when there is one.
OBJECT_CUES = frozenset("nannte nennt bezeichnete bezeichnet zitiert zitierte".split()) | EVALUATING
# A name after these is where something was said, not who said it ("schrieb auf Twitter").
_PLACE_WORDS = frozenset("auf gegenüber in im bei laut via über vor an am".split())


def _genitive(mention: MentionInfo) -> bool:
    """ "Putins" standing for Putin: a possessor ("Putins Beraterin"), not a subject."""
    text = mention.text.strip()
    return text != mention.name and text.endswith("s") and mention.name.endswith(text[:-1])


# Nouns for people by what they do, beyond the gazetteer's roles: "der Schriftsteller", "die
# Archäologin", "der Friedensnobelpreisträger" (only before a person's name).
_PERSON_NOUN = re.compile(
    r"^[A-ZÄÖÜ][a-zäöüß-]+(?:ler|ner|träger|log|loge|ist|eur|ant|ent)(?:in|innen|en|n|e)?$"
)


def _role_phrase(doc: Doc, start: int, end: int) -> bool:
    """ "der Oberkommandierende General der US-Streitkräfte im Irak," — words that only describe
    the person named next: a role word, with articles, adjectives, linkers and names."""
    from bot.analyse.gazetteer import is_role_word  # noqa: PLC0415 — avoids an import cycle

    tokens = doc[start:end]
    if not len(tokens) or not any(
        is_role_word(t.text.split("-")[-1]) or _PERSON_NOUN.search(t.text) for t in tokens[:4]
    ):
        return False
    for token in tokens:
        if token.text in (",", "-"):
            continue
        if token.is_punct or token.text in CUES or token.lower_ in PRONOUNS:
            return False
        if (
            token.is_lower
            and token.lower_ not in _ROLE_LINKERS
            and not _ADJECTIVE.search(token.text)
        ):
            return False
    return True


_ROLE_LINKERS = frozenset("der die das des dem den von vom im am für aus bei in und".split())
_ADJECTIVE = re.compile(r"^[a-zäöüß-]+(?:e|en|er|es|em)$")
MAX_ROLE_WINDOW = 14


def _named_after_cue(
    doc: Doc, cue: int, end: int, ctx: _Context, limit: int | None = None
) -> MentionInfo | None:
    """The speaker named right after a cue: a person within a few words, or an organisation
    right behind the cue ("sagte die Bundesregierung"), never one behind "auf"/"gegenüber";
    after a role phrase the person may come later ("so der Chef des Verwaltungsrats Ulrich
    Müller")."""
    window = [m for m in ctx.within(cue + 1, end)]
    if limit is not None and limit > end:
        far = ctx.within(cue + 1, min(limit, cue + 1 + MAX_ROLE_WINDOW))
        window += [
            m
            for m in far
            if m.label == "PER" and m.end > end and _role_phrase(doc, cue + 1, m.start)
        ][:1]
    for mention in window:
        if mention.start > cue + 1 and mention.end > end:
            return mention  # checked by _role_phrase
        between = doc[cue + 1 : mention.start]
        if any(t.lower_ in _PLACE_WORDS for t in between):
            continue
        if _genitive(mention):
            continue  # "sagte Putins Beraterin, Yuri Ushakov": the possessor is not the speaker
        if mention.label == "PER" or len(between) <= 1:
            return mention
    return None


def _speaker_after(doc: Doc, quote_end: int, limit: int, ctx: _Context, quote_spans):
    """ "…“, sagte Dmitriev" / "…“, so Macron" / "…“, sagte er"."""
    i = quote_end
    while i < limit and doc[i].is_punct:
        i += 1
    if i >= limit:
        return None
    if doc[i].lower_ not in CUES:
        # English order: "…," Rubio said / "…," the spokeswoman Tammy Bruce said.
        # Not German word order: "…“, Trainer Feld bezeichnete das Urteil als „…“" starts the
        # next clause, whose verb has its own object — the cue must end the clause.
        named = [m for m in ctx.within(i, min(limit, i + 5)) if m.end < limit]
        if (
            named
            and doc[named[0].end].lower_ in CUES
            and all(not t.is_punct for t in doc[i : named[0].end])
            and (
                doc[named[0].end].lower_ in ENGLISH_CUES
                or named[0].end + 1 >= limit
                or doc[named[0].end + 1].is_punct
            )
        ):
            return named[0].name, doc[named[0].end].text
        return None
    cue = doc[i].text
    if cue.lower() in ("hieß", "heißt") and i + 1 < limit and doc[i + 1].lower_ == "es":
        i += 1  # "…“, hieß es vom Abgeordneten Viktor Oserow"
    mention = _named_after_cue(doc, i, min(limit, i + 6), ctx, limit)
    if mention is not None:
        return mention.name, cue
    if i + 1 < limit and doc[i + 1].lower_ in PRONOUNS and not _plural(doc[i]):
        return ctx.last_person_before(i, quote_spans, doc[i + 1].text), cue
    return None


def _speaker_before(doc: Doc, start: int, quote_start: int, ctx: _Context, quote_spans):
    """ "Peskov sagte am Montag, dass …: „…“" / "Am Montag sagte Peskov: „…“" / "Er sagte …"."""
    cues = [
        i
        for i in range(start, quote_start)
        if doc[i].lower_ in CUES and not any(s <= i < e for s, e in quote_spans)
    ]
    if not cues:
        # "Peskov: „…“"
        colon = quote_start - 1
        if colon > start and doc[colon].text == ":":
            before = ctx.within(start, colon)
            if before and before[-1].end == colon:
                return before[-1].name, ":"
        return None
    # A later clause with its own subject right before its verb speaks for itself: "Klose nannte
    # die Strafe „…“, Bundestrainer Löw bezeichnete das Urteil als „…“".
    subject = _subject_before(doc, cues[0] + 1, cues[-1], ctx)
    if subject is not None:
        return subject.name, doc[cues[-1]].text
    # The main clause's reporting verb: "Peskov sagte, dass … und stellte fest"; when it names
    # nobody, the one closest to the quote ("Die EU-Kommission kritisierte …: So sagte Rehn: „…“").
    found = _cue_speaker(doc, start, cues[0], quote_start, ctx, quote_spans)
    if found is None and cues[-1] != cues[0]:
        found = _cue_speaker(doc, cues[0] + 1, cues[-1], quote_start, ctx, quote_spans)
    return found


def _subject_before(doc: Doc, start: int, verb: int, ctx: _Context) -> MentionInfo | None:
    """The person right before a verb, an apposition in parentheses or commas skipped: "Sandra
    Boser (Grüne), erklärte"."""
    end = verb
    while end > start and doc[end - 1].text == ",":
        end -= 1
    if end > start and doc[end - 1].text == ")":
        opening = next(
            (j for j in range(end - 2, max(start, end - 6) - 1, -1) if doc[j].text == "("), None
        )
        end = opening if opening is not None else end
    while end > start and doc[end - 1].text == ",":
        end -= 1
    subject = [m for m in ctx.within(start, end) if m.end == end and m.label == "PER"]
    if subject and doc[subject[-1].start - 1].text != "(":
        return subject[-1]
    return None


def _opens_sentence(doc: Doc, start: int, mention: MentionInfo) -> bool:
    """Only role words, articles, adjectives and names before the mention: it opens the
    sentence as its subject ("Der frühere Bürgermeister Henning Scherf")."""
    from bot.analyse.gazetteer import is_role_word  # noqa: PLC0415 — avoids an import cycle

    for token in doc[start : mention.start]:
        word = token.text
        if not (
            word in (",", "-")
            or token.lower_ in _ROLE_LINKERS
            or token.lower_ in ("auch", "so")
            or _ADJECTIVE.search(word.split("-")[-1])
            or is_role_word(word.split("-")[-1])
            or (token.is_title and not token.is_stop)
            or token.like_num
        ):
            return False
    return True


def _cue_speaker(
    doc: Doc, start: int, cue_index: int, quote_start: int, ctx: _Context, quote_spans
):
    cue = doc[cue_index].text
    before = [
        m for m in ctx.within(start, cue_index) if not any(s <= m.start < e for s, e in quote_spans)
    ]
    persons = [m for m in before if m.label == "PER"]
    if cue.lower() == "zufolge":  # "Peskov zufolge"
        return (before[-1].name, cue) if before and before[-1].end == cue_index else None
    if cue.lower() in OBJECT_CUES and persons:
        return persons[0].name, cue
    if doc[start].lower_ == "wie" and persons:
        # "Wie Norman Paech, der … Eberhardt Schultz …, feststellt": the wie-clause's subject
        return persons[0].name, cue
    after_cue = _named_after_cue(doc, cue_index, min(quote_start, cue_index + 4), ctx, quote_start)
    if cue.lower() in ("so", "laut"):  # "so Macron", "laut Peskov": the name follows, or none
        return (after_cue.name, cue) if after_cue is not None else None
    # The person opening the sentence is its subject: "Henning Scherf (SPD) warnte die CDU vor
    # …", "Jim DeMint … wollte sich nach einem Treffen mit Romney nicht festlegen, sagte aber".
    subject = persons[0] if persons and _opens_sentence(doc, start, persons[0]) else None
    if after_cue is not None and not (subject and after_cue.label != "PER"):
        return after_cue.name, cue
    pronoun = doc[cue_index - 1] if cue_index > start else None
    if pronoun is not None and pronoun.lower_ in PRONOUNS and not _plural(doc[cue_index]):
        return ctx.last_person_before(cue_index - 1, quote_spans, pronoun.text), cue
    if persons:
        return (subject or persons[-1]).name, cue
    return (before[-1].name, cue) if before else None


def _we_organisation(doc: Doc, start: int, end: int, text: str, ctx: _Context):
    """ "Die SPD will am Kurs festhalten. „Wir wollen …“": a quote in the first person plural
    after a sentence that opens with an organisation as its subject."""
    if text.split(" ", 1)[0].lower() not in ("wir", "unser", "unsere", "uns"):
        return None
    named = ctx.within(start, end)
    if not named or named[0].label != "ORG" or _genitive(named[0]):
        return None
    opening = [t for t in doc[start : named[0].start]]
    if ":" in [t.text for t in opening]:  # a heading first: "Europapolitik: Die SPD will …"
        opening = opening[[t.text for t in opening].index(":") + 1 :]
    if any(t.lower_ not in ("der", "die", "das") for t in opening):
        return None
    after = named[0].end
    return (named[0].name, None) if after < end and doc[after].is_lower else None


def _judged(doc: Doc, start: int, quote_start: int) -> bool:
    """A short phrase that someone says or judges: "… als „Unverschämtheit“ zurück", or a
    reporting verb before it."""
    lead = [t.lower_ for t in doc[max(start, quote_start - 3) : quote_start]]
    return "als" in lead or any(t.lower_ in CUES for t in doc[start:quote_start])


def _plural(cue: Token) -> bool:
    """ "sagten sie" is "they said": no single person to resolve."""
    return cue.lower_.endswith(("ten", "en")) and cue.lower_ not in ("zufolge",)


# Verbs that close a sentence of reported speech with its speaker: "…, sagte Jana Greif."
_CLOSING_CUES = frozenset(
    "so sagte sagt erklärte erklärt betonte betont meinte meint schrieb schreibt warnte "
    "berichtete ergänzte ergänzt".split()
)


def _so_frame(doc: Doc, quote_end: int, limit: int, ctx: _Context):
    """ "„…“, da …, so die FIFA." — a "so"/"sagte" frame later in the quote's sentence."""
    inside = False  # a later quote in the same sentence: "Die „…“ hätten „…“, so Murtha."
    for i in range(quote_end, limit - 1):
        if doc[i].text in "„»":
            inside = True
        elif doc[i].text in '“«"':
            inside = False
        elif inside:
            continue
        elif doc[i].text == "," and doc[i + 1].lower_ in _CLOSING_CUES:
            mention = _named_after_cue(doc, i + 1, min(limit, i + 6), ctx, limit)
            if mention is not None and (mention.end >= limit or doc[mention.end].is_punct):
                return mention.name, doc[i + 1].text
    return None


# Konjunktiv I forms that mark a sentence as reported speech ("Jeder Pädagoge könne „…“").
# (The third person singular of common verbs: "es drohe", "die Studie zeige", "es gelte".)
SUBJUNCTIVE = frozenset(
    "sei seien habe könne könnten müsse werde solle wolle dürfe möge gebe stehe zeige bleibe "
    "gehe komme liege wisse brauche fehle hätte hätten wäre wären würde würden gäbe käme "
    "drohe handle handele gelte trage lasse sehe halte finde führe mache bestehe entspreche "
    "betrage reiche erwarte plane arbeite verfüge nehme lebe wirke hänge laufe falle scheine "
    "wachse sinke steige bedeute koste diene erfordere ändere tue glaube denke lehne "
    "unterstütze fordere verlange erhalte sorge verstoße widerspreche bringe beginne zahle "
    "befinde bemühe beziehe spreche verliere gewinne entscheide treffe helfe schaffe suche "
    "stimme kenne".split()
)
MAX_REPORTED_CHAIN = 3  # sentences of reported speech that go on without naming the speaker


def _subjunctive(tokens, quote_spans=()) -> bool:
    return any(
        t.lower_ in SUBJUNCTIVE and not any(s <= t.i < e for s, e in quote_spans) for t in tokens
    )


def _reported_before(
    doc: Doc, sents: list[Span], first: int, quotes: list[QuoteInfo], ctx, reported, quote_spans
):
    """A quote in reported speech (Konjunktiv, or a sentence that is only the quote) that names
    nobody continues the speaker of the sentence before: its attributed quote or reported
    speech, else its one person when it has a reporting verb. A sentence before that is itself
    reported speech naming nobody ("Es drohe …", "Das wolle er …") is looked through."""
    for back in range(first - 1, max(-1, first - 1 - MAX_REPORTED_CHAIN), -1):
        previous = [q for q in quotes if q.sentence == back and q.speaker]
        if previous:
            return previous[-1].speaker, previous[-1].cue
        if back in reported:
            return reported[back]
        sent = sents[back]
        persons = {m.name for m in ctx.within(sent.start, sent.end) if m.label == "PER"}
        if len(persons) == 1 and any(t.lower_ in CUES or t.text == ":" for t in sent):
            return next(iter(persons)), None
        if persons:
            # "Doch sei es, so der Schriftsteller Musa Okwanga …, ein Versagen gewesen."
            return _so_frame(doc, sent.start, sent.end, ctx) or _speaker_before(
                doc, sent.start, sent.end, ctx, quote_spans
            )
        if not _subjunctive(sent, quote_spans):
            return None
    return None


def _speaker_following(doc: Doc, quote_end: int, limit: int, ctx: _Context):
    """ "…“, zeigte sich Milovan Rajevac zufrieden" — a verb right after the quote's comma and a
    person within the next few words (no known reporting verb needed)."""
    if quote_end >= limit or doc[quote_end].text != ",":
        return None
    verb = quote_end + 1
    if verb >= limit or not doc[verb].is_lower or doc[verb].is_punct:
        return None
    window = ctx.within(verb + 1, min(limit, verb + 6))
    persons = [m for m in window if m.label == "PER"]
    return (persons[0].name, doc[verb].text) if persons else None


def _sentence_subject(doc: Doc, start: int, quote_start: int, ctx: _Context, quote_spans):
    """ "Zypries sieht in dem Urteil eine Bestätigung: „…“" — the one person the sentence names
    before the quote (outside any quote) is its speaker; two or more: no guess."""
    before = [
        m
        for m in ctx.within(start, quote_start)
        if not any(s <= m.start < e for s, e in quote_spans)
    ]
    # A person right after "über", "gegen", "nannte" … is the topic: "Den Unmut über Stoibers
    # Äußerungen brachte die Sprecherin Annette Widmann-Mauz zum Ausdruck: „…“".
    persons = {
        m.name
        for m in before
        if m.label == "PER"
        and not _genitive(m)
        and not any(t.lower_ in _NOT_SPEAKING for t in doc[max(start, m.start - 3) : m.start])
    }
    topic = [m for m in before if any(t.lower_ in _NOT_SPEAKING for t in doc[start : m.start])]
    if len(persons) == 1 and len(topic) < len(before):
        return next(iter(persons)), None
    return None


def _subject_frame(doc: Doc, start: int, quote_start: int, ctx: _Context, quote_spans):
    """ "Der österreichische Bundeskanzler Wolfgang Schüssel würdigte Ligeti als „…“" /
    "Stoiber begründete seinen Rückzug mit einer „veränderten Lage“": the person who opens the
    sentence as its subject — only role words, articles and adjectives before the name, a verb
    right after it (an apposition or "(CDU)" in between is skipped) — is the speaker when the
    quote is an "als „…“" phrase or no other person comes between."""

    persons = [
        m
        for m in ctx.within(start, quote_start)
        if m.label == "PER" and not any(s <= m.start < e for s, e in quote_spans)
    ]
    opening = doc[start]
    if opening.lower_ in PRONOUNS and start + 1 < quote_start and doc[start + 1].is_lower:
        # "Er halte das Gesetz für vertretbar und bezeichnete es als „maßvoll“."
        if persons or _plural(doc[start + 1]) or doc[start + 1].lower_ in SUBJUNCTIVE_PLURAL:
            return None
        lead = [t.lower_ for t in doc[max(start, quote_start - 3) : quote_start]]
        cue = next((t for t in doc[start:quote_start] if t.lower_ in CUES), None)
        if "als" not in lead and cue is None:
            return None
        speaker = ctx.last_person_before(start, quote_spans, opening.text)
        return (speaker, cue.text if cue else doc[start + 1].text) if speaker else None
    persons = [m for m in persons if not _genitive(m)]  # "Jelpkes Mitarbeiter Nick Brauns"
    if not persons:
        return None
    subject = persons[0]
    if not _opens_sentence(doc, start, subject):
        return None
    i = subject.end
    if i < quote_start and doc[i].text == "(":
        while i < quote_start and doc[i].text != ")":
            i += 1
        i += 1
    elif (
        i + 1 < quote_start
        and doc[i].text == ","
        and subject.start > start
        and doc[subject.start - 1].text == ","
    ):
        i += 1  # "Der Leiter der UNO-Studie, Paulo Sérgio Pinheiro, sieht …"
    elif i < quote_start and doc[i].text == ",":
        close = next(
            (j for j in range(i + 1, min(quote_start, i + 14)) if doc[j].text == ","), None
        )
        if close is None:
            return None
        i = close + 1
    if i >= quote_start or not doc[i].is_lower or doc[i].lower_ in _NOT_SPEAKING:
        return None
    # A person in a dass-clause is its subject, not the speaker: "Jackson geht davon aus, dass
    # Spector „…“ habe".
    clause = next((j for j in range(i, quote_start) if doc[j].lower_ == "dass"), quote_start)
    between = [m for m in persons if i <= m.start < clause]
    lead = [t.lower_ for t in doc[max(i, quote_start - 3) : quote_start]]
    if between and "als" not in lead:
        return None
    return subject.name, doc[i].text


SUBJUNCTIVE_PLURAL = frozenset("seien hätten wären könnten".split())


# Words that make the named person the quote's topic, not its speaker.
_NOT_SPEAKING = frozenset(
    "über gegen nannte nennt bezeichnete bezeichnet wonach nachdem als ob wie warf wirft".split()
)


def _parenthetical(doc: Doc, quote_start: int, ctx: _Context):
    """ "…, Mohammed ElBaradei („Mir fällt niemand ein …“), und …": a quote in parentheses
    right after a name."""
    if quote_start < 2 or doc[quote_start - 1].text != "(":
        return None
    named = [m for m in ctx.within(max(0, quote_start - 6), quote_start - 1)]
    if named and named[-1].end == quote_start - 1:
        return named[-1].name, None
    return None


# Verbs that follow "Das"/"Dies" when the sentence after a quote names who said it ("„…“ Das
# musste Finanzminister X einräumen").
_AFTER_THAT = CUES | frozenset("musste muss hat hatte habe wollte will gab räumte".split())


def _named_in_next(doc: Doc, sents: list[Span], last: int, quote_end: int, ctx: _Context):
    """ "„Ja, es gibt Zumutungen.“ Das musste Bundesfinanzminister Peer Steinbrück einräumen."
    — a quote that ends its sentence, and a next sentence that opens with "Das"/"Dies"/"So", a
    verb and the one person who said it."""
    if last + 1 >= len(sents) or any(not t.is_punct for t in doc[quote_end : sents[last].end]):
        return None
    following = sents[last + 1]
    if len(following) < 3 or following[0].lower_ not in ("das", "dies", "so"):
        return None
    if following[1].lower_ not in _AFTER_THAT:
        return None
    persons = {m.name for m in ctx.within(following.start, following.end) if m.label == "PER"}
    return (next(iter(persons)), following[1].text) if len(persons) == 1 else None


_RELATIVE = frozenset("der die das welcher welche welches".split())
_PASSIVE = frozenset("wird wurde werden wurden worden".split())


def _judging_clause(doc: Doc, start: int, quote_start: int, ctx: _Context):
    """Who judges a phrase marked by "als „…“": the antecedent of a relative clause ("vom
    Fahrgastverband IGEB, der diese Maßnahme als „Kapitulation“ sieht") or a passive's agent
    ("wird vom Deutschen Wetterdienst als „sehr hoch“ eingestuft")."""
    if quote_start - 1 < start or doc[quote_start - 1].lower_ != "als":
        return None
    for i in range(quote_start - 2, start, -1):
        if doc[i].text == "," and doc[i + 1].lower_ in _RELATIVE:
            named = [m for m in ctx.within(start, i) if m.end == i]
            return (named[-1].name, None) if named else None
        if doc[i].is_punct:
            break
    if not any(t.lower_ in _PASSIVE for t in doc[start:quote_start]):
        return None
    agents = [
        m
        for m in ctx.within(start, quote_start)
        if any(t.lower_ in ("von", "vom", "durch") for t in doc[max(start, m.start - 2) : m.start])
    ]
    return (agents[-1].name, None) if len(agents) == 1 else None


_COPULA = frozenset("ist sei war wäre bleibt bleibe".split())


def _for_frame(doc: Doc, start: int, quote_start: int, ctx: _Context):
    """ "Für den Gesundheitsminister José Temporão ist die Lage „alarmierend“": whose view
    a "Für X ist …" sentence gives."""
    if doc[start].lower_ != "für":
        return None
    named = [m for m in ctx.within(start + 1, quote_start) if m.label == "PER"]
    if not named or named[0].end >= quote_start or doc[named[0].end].lower_ not in _COPULA:
        return None
    if not all(
        t.lower_ in _ROLE_LINKERS or t.is_title or _ADJECTIVE.search(t.text)
        for t in doc[start + 1 : named[0].start]
    ):
        return None
    return named[0].name, None


def find_quotes(doc: Doc, mentions: list[MentionInfo]) -> list[QuoteInfo]:
    boilerplate = doc._.boilerplate or frozenset()
    sents: list[Span] = list(doc.sents)
    sent_starts = [s.start for s in sents]
    ctx = _Context(doc, mentions)
    found: list[tuple[Span, str]] = []
    # A name in quotation marks is a title or a name, not speech („New York Times“).
    full_text = doc_text(doc)
    names = {m.text for m in mentions} | {full_text[e.start_char : e.end_char] for e in doc.ents}
    for match in QUOTE.finditer(full_text):
        text = next(group for group in match.groups() if group is not None).strip()
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is None or len(text.split()) < SHORT_WORDS or text.strip(".,!?") in names:
            continue
        found.append((span, text))
    quote_spans = [(span.start, span.end) for span, _ in found]
    quotes: list[QuoteInfo] = []
    # Reported speech first: a quote in the sentences after it may continue its speaker.
    reported = find_reported(doc, sents, ctx, boilerplate, set())
    reported_speech = {q.sentence: (q.speaker, q.cue) for q in reported}
    headline = _headline_end(full_text)
    for span, text in found:
        if len(text.split()) < MIN_WORDS:
            if span.start_char < headline:
                continue  # a headline's quotation marks set off a phrase: „mit Linienflügen“
            # A short phrase in quotation marks is a quote only with a reporting verb around it.
            first = _quote_sentence(doc, span, sent_starts)
            last = _sentence_of(doc, max(span.end - 1, span.start), sent_starts)
            short = (
                _parenthetical(doc, span.start, ctx)
                or _speaker_after(doc, span.end, sents[last].end, ctx, quote_spans)
                or _speaker_before(doc, sents[first].start, span.start, ctx, quote_spans)
                or _so_frame(doc, span.end, sents[last].end, ctx)
                or _for_frame(doc, sents[first].start, span.start, ctx)
            )
            if short is None and _judged(doc, sents[first].start, span.start):
                short = _subject_frame(
                    doc, sents[first].start, span.start, ctx, quote_spans
                ) or _judging_clause(doc, sents[first].start, span.start, ctx)
            sentence = sents[first]
            if (
                short is None
                and _subjunctive(sentence, quote_spans)
                and not [m for m in ctx.within(sentence.start, sentence.end) if m.label == "PER"]
            ):
                # "Die Versorgung sei „stark gefährdet“": reported speech going on.
                short = _reported_before(
                    doc, sents, first, quotes, ctx, reported_speech, quote_spans
                )
            # A colon alone frames no short phrase: "CSU: Abschiebungen „mit Linienflügen“" is a
            # headline's scare quote.
            if short and short[0] and short[1] != ":" and first not in boilerplate:
                quotes.append(QuoteInfo(text, short[0], short[1], span.start_char, first))
            continue
        first = _quote_sentence(doc, span, sent_starts)
        last = _sentence_of(doc, max(span.end - 1, span.start), sent_starts)
        if first in boilerplate:
            continue
        sent_start = sents[first].start
        attribution = (
            _parenthetical(doc, span.start, ctx)
            or _speaker_after(doc, span.end, sents[last].end, ctx, quote_spans)
            or _speaker_before(doc, sent_start, span.start, ctx, quote_spans)
            or _speaker_following(doc, span.end, sents[last].end, ctx)
            or _subject_frame(doc, sent_start, span.start, ctx, quote_spans)
            or _sentence_subject(doc, sent_start, span.start, ctx, quote_spans)
        )
        speaker, cue = attribution if attribution else (None, None)
        lead = doc[sent_start : span.start]
        if speaker is None and quotes and _continues(doc, first, lead, quotes[-1]):
            speaker, cue = quotes[-1].speaker, quotes[-1].cue
        if speaker is None:
            attribution = _so_frame(doc, span.end, sents[last].end, ctx)
            sentence = doc[sent_start : sents[last].end]
            named = [m for m in ctx.within(sent_start, sents[last].end) if m.label == "PER"]
            in_reported = any(t.lower_ in SUBJUNCTIVE for t in sentence) or len(lead) <= 1
            if attribution is None and not lead:
                attribution = _named_in_next(doc, sents, last, span.end, ctx)
            if attribution is None and in_reported and not named:
                attribution = _reported_before(
                    doc, sents, first, quotes, ctx, reported_speech, quote_spans
                )
            if attribution is None and not lead and not named and first > 0:
                # A quote opening its sentence continues the sentence before: "Khan verurteilte
                # die Haltung der Regierung. „…“"
                before = sents[first - 1]
                attribution = (
                    _speaker_before(doc, before.start, before.end, ctx, quote_spans)
                    or _sentence_subject(doc, before.start, before.end, ctx, quote_spans)
                    or _we_organisation(doc, before.start, before.end, text, ctx)
                )
            speaker, cue = attribution if attribution else (None, None)
        quotes.append(QuoteInfo(text, speaker, cue, span.start_char, first))
    direct = {q.sentence for q in quotes}
    return quotes + [q for q in reported if q.sentence not in direct]


MAX_HEADLINE_WORDS = 20


def _headline_end(text: str) -> int:
    """Where the headline ends: a first line of a few words without a full stop, else 0."""
    line = text.split("\n", 1)[0].rstrip()
    if "\n" not in text or len(line.split()) > MAX_HEADLINE_WORDS or line.endswith((".", "!")):
        return 0
    return len(line)


# Verbs that introduce reported speech: "Peskov sagte, dass …", "Er fügte hinzu, die Lage sei …".
REPORTING = frozenset(
    "sagte sagten sagt erklärte erklärten erklärt betonte betonten betont fügte "
    "ergänzte teilte kündigte warnte warnten meinte meinten behauptete versicherte "
    "bekräftigte bestätigte räumte unterstrich argumentierte schrieb".split()
)
MIN_REPORTED_WORDS = 5


def find_reported(doc: Doc, sents, ctx: _Context, boilerplate, skip: set[int]) -> list[QuoteInfo]:
    """Reported speech where it is clear: a reporting verb with a speaker, then a clause with
    "dass" or a subjunctive verb ("sei", "habe"). Sentences with direct quotes are left alone."""
    found = []
    reporting = [i for i, word in enumerate(lowers(doc)) if word in REPORTING]
    for index, sent in enumerate(sents):
        if index in boilerplate or index in skip:
            continue
        first = bisect.bisect_left(reporting, sent.start)  # the sentence's first reporting word
        if first == len(reporting) or reporting[first] >= sent.end:
            continue
        cue = doc[reporting[first]]
        comma = next((t for t in doc[cue.i + 1 : min(sent.end, cue.i + 7)] if t.text == ","), None)
        if comma is None or comma.i + 1 >= sent.end:
            continue
        clause = doc[comma.i + 1 : sent.end]
        # "dass" stays: without it a verb-final clause is no sentence ("sagte, dass Österreich
        # die Kontingente beibehalten werde", not "Österreich die Kontingente … werde").
        if clause[0].lower_ != "dass" and not any(t.lower_ in SUBJUNCTIVE for t in clause[:8]):
            continue
        text = clause.text.strip().rstrip(".!?;:").strip()
        if len(text.split()) < MIN_REPORTED_WORDS or any(ch in text for ch in '„“"»«'):
            continue
        attribution = _speaker_before(doc, sent.start, comma.i, ctx, [])
        if attribution and attribution[0]:
            speaker, word = attribution
            found.append(QuoteInfo(text, speaker, word, clause.start_char, index, direct=False))
    return found


def _continues(doc: Doc, sentence_index: int, lead: Span, previous: QuoteInfo) -> bool:
    """A quote in a sentence that starts in lower case right after the previous quote's
    sentence continues it ("…“, schrieb Macron auf X. geschworen, „zusammen …“")."""
    return (
        previous.speaker is not None
        and previous.sentence in (sentence_index, sentence_index - 1)
        and 0 < len(lead) <= 4
        and lead[0].is_lower
    )


@Language.component("morgenlage_quotes")
def quotes_component(doc: Doc) -> Doc:
    doc._.quotes = find_quotes(doc, doc._.mentions or [])
    return doc
