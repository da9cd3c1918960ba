"""Direct quotes („…“, "…", »…«, “…”) and who said them.

A speaker is taken only from a clear frame: a reporting word next to a name ("…“, sagte
Dmitriev", "Peskov sagte, …: „…“", "so Macron"), a pronoun ("sagte er") resolved to the person
named last, or a quote continuing the previous one. Anything else keeps no speaker: a missing
speaker is better than a wrong one.
"""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from bot.analyse.types import MentionInfo, QuoteInfo

QUOTE = re.compile(
    r"„(?P<de>[^„“”\"\n]+?)\s*[“”\"]"
    r"|»(?P<gu>[^»«\n]+?)«"
    r"|«(?P<fr>[^«»\n]+?)»"
    r"|“(?P<en>[^“”\n]+?)”"
    r"|\"(?P<plain>[^\"\n]+?)\""
)
MIN_WORDS = 3
# Reporting words, as inflected forms (the shipped model has no lemmatiser).
CUES = frozenset(
    "sagte sagten sagt sagen gesagt erklärte erklärten erklärt betonte betonten "
    "betont schrieb schreibt meinte meinten meint warnte warnt fügte ergänzte teilte "
    "kündigte sprach erläuterte unterstrich bekräftigte bestätigte räumte forderte "
    "fordert kritisierte verkündete twitterte antwortete versicherte mahnte "
    "appellierte berichtete behauptete beklagte äußerte argumentierte stellte hieß "
    "heißt so laut zufolge said says told wrote added asked stated according tweeted "
    "warned explained".split()
)
PRONOUNS = frozenset(["er", "sie", "he", "she"])
SPEAKER_KINDS = ("PER", "ORG")


def _sentence_of(doc: Doc, token_index: int, sent_starts: list[int]) -> int:
    return bisect.bisect_right(sent_starts, token_index) - 1


class _Context:
    """Mentions of possible speakers, in text order, for one Doc."""

    def __init__(self, mentions: list[MentionInfo]) -> None:
        self.speakers = [m for m in mentions if m.label in SPEAKER_KINDS]
        self.persons = [m for m in self.speakers if m.label == "PER"]
        self.person_starts = [m.start for m in self.persons]

    def within(self, start: int, end: int) -> list[MentionInfo]:
        return [m for m in self.speakers if start <= m.start and m.end <= end]

    def last_person_before(self, token: int, quote_spans: list[tuple[int, int]]) -> str | None:
        index = bisect.bisect_left(self.person_starts, token) - 1
        while index >= 0:
            mention = self.persons[index]
            if not any(s <= mention.start < e for s, e in quote_spans):
                return mention.name
            index -= 1
        return None


def _speaker_after(doc: Doc, quote_end: int, limit: int, ctx: _Context, quote_spans):
    """ "…“, sagte Dmitriev" / "…“, so Macron" / "…“, sagte er"."""
    i = quote_end
    while i < limit and doc[i].is_punct:
        i += 1
    if i >= limit or doc[i].lower_ not in CUES:
        return None
    cue = doc[i].text
    window_end = min(limit, i + 5)
    for mention in ctx.within(i + 1, window_end):
        return mention.name, cue
    if i + 1 < limit and doc[i + 1].lower_ in PRONOUNS:
        return ctx.last_person_before(i, quote_spans), cue
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
    cue_index = cues[0]  # the main clause's reporting verb: "Peskov sagte, dass … und stellte fest"
    cue = doc[cue_index].text
    if cue.lower() == "zufolge":  # "Peskov zufolge"
        before = ctx.within(start, cue_index)
        return (before[-1].name, cue) if before and before[-1].end == cue_index else None
    after_cue = ctx.within(cue_index + 1, min(quote_start, cue_index + 4))
    if after_cue:
        return after_cue[0].name, cue
    if cue_index > start and doc[cue_index - 1].lower_ in PRONOUNS:
        return ctx.last_person_before(cue_index - 1, quote_spans), cue
    before = ctx.within(start, cue_index)
    persons = [m for m in before if m.label == "PER"]
    if persons:
        return persons[-1].name, cue
    return (before[-1].name, cue) if before else None


def find_quotes(doc: Doc, mentions: list[MentionInfo]) -> list[QuoteInfo]:
    boilerplate = doc._.boilerplate or frozenset()
    sents: list[Span] = list(doc.sents)
    sent_starts = [s.start for s in sents]
    ctx = _Context(mentions)
    found: list[tuple[Span, str]] = []
    for match in QUOTE.finditer(doc.text):
        text = next(group for group in match.groups() if group is not None).strip()
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is None or len(text.split()) < MIN_WORDS:
            continue
        found.append((span, text))
    quote_spans = [(span.start, span.end) for span, _ in found]
    quotes: list[QuoteInfo] = []
    for span, text in found:
        first = _sentence_of(doc, span.start, sent_starts)
        last = _sentence_of(doc, max(span.end - 1, span.start), sent_starts)
        if first in boilerplate:
            continue
        attribution = _speaker_after(doc, span.end, sents[last].end, ctx, quote_spans)
        attribution = attribution or _speaker_before(
            doc, sents[first].start, span.start, ctx, quote_spans
        )
        speaker, cue = attribution if attribution else (None, None)
        lead = doc[sents[first].start : span.start]
        if speaker is None and quotes and _continues(doc, first, lead, quotes[-1]):
            speaker, cue = quotes[-1].speaker, quotes[-1].cue
        quotes.append(QuoteInfo(text, speaker, cue, span.start_char, first))
    return quotes


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
