"""Content words of news text as comparable terms: stop words out, German Snowball stems.

German inflects heavily ("Gespräche", "Gesprächen"; "polnische", "polnischen"), so words are
reduced with the Snowball German stemmer — never an English one. Hyphenated compounds are split
("US-Russland-Gespräche" → us, russland, gesprach), and acronyms keep their case-sensitive
identity ("US" is a country here, not the English pronoun). Accents go as the stemmer's umlauts
do, since outlets spell foreign names either way ("Erdoğan", "Erdogan"). German writes as one word
what English writes as two, so a compound's vector also holds its head ("Mordfall Lübcke" → fall,
as in "Fall Lübcke"; `bot.analyse.lexicon.compound_head`).
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping

import snowballstemmer
from spacy.lang.de.stop_words import STOP_WORDS as GERMAN_STOP
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP

from bot.analyse.lexicon import compound_head

# Words that occur in any news story and so tell none apart: reporting verbs, weekdays, months.
_NEWS_WORDS = """
    sagte sagten sagt sagen erklärte erklärt teilte mitteilte berichtete berichtet hieß heißt
    laut zufolge demnach angaben gab gibt geben wurde wurden worden sei seien habe hätten
    montag dienstag mittwoch donnerstag freitag samstag sonntag heute gestern morgen woche
    januar februar märz april mai juni juli august september oktober november dezember
    uhr jahr jahre jahren prozent mehr neue neuen neuer erste ersten zwei drei vier fünf
    said says told according would could also new one two three
""".split()
STOP_WORDS = frozenset(w.casefold() for w in (*GERMAN_STOP, *ENGLISH_STOP, *_NEWS_WORDS))
# A few spellings of one name that matter for matching headlines of different outlets.
_ALIASES = {"us": "usa"}

_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
# A Snowball stemmer keeps its word in the object while it works: one per thread (commands
# build briefings in several threads at once; a shared one raised IndexError and mixed words).
_stemmers = threading.local()


def _stem(word: str) -> str:
    stemmer = getattr(_stemmers, "german", None)
    if stemmer is None:
        stemmer = _stemmers.german = snowballstemmer.stemmer("german")
    return stemmer.stemWord(word)


@functools.lru_cache(maxsize=200_000)
def _term(token: str) -> str | None:
    """One token's term, or None for stop words and noise."""
    if token[0].isdigit():
        # Figures tie reports of one event together ("176 Drohnen"); single digits do not.
        return token.replace(",", ".") if len(token) >= 2 else None
    folded = token.casefold()
    if token.isupper() and 2 <= len(token) <= 5:
        return _plain(_ALIASES.get(folded, folded))  # acronyms: EU, US, AfD → no stop words
    if len(folded) < 3 or folded in STOP_WORDS:
        return None
    return _plain(_ALIASES.get(folded) or _stem(folded))


def _plain(term: str) -> str:
    """The term without accents ("erdoğan" → "erdogan"); most terms have none."""
    if term.isascii():
        return term
    return "".join(c for c in unicodedata.normalize("NFKD", term) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=200_000)
def _with_head(token: str) -> tuple[str, ...]:
    """The token's term and a compound's head's ("Flüchtlingslager" → fluchtlingslag, lag)."""
    term = _term(token)
    if not term:
        return ()
    head = compound_head(token)
    head_term = _term(head) if head else None
    return (term, head_term) if head_term and head_term != term else (term,)


def content_terms(text: str, heads: bool = False) -> list[str]:
    """The text's content-word terms in order (with repeats); with `heads`, each compound's head
    term follows the compound's."""
    tokens = _TOKEN.findall(text)
    if heads:
        return [term for token in tokens for term in _with_head(token)]
    return [term for token in tokens if (term := _term(token))]


def term_vector(parts: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Weighted term counts of several texts, e.g. [(title, 2.0), (lead, 1.0)]; each text
    counts a term at most once, so one long paragraph cannot drown the headline. Compounds
    count their heads too."""
    vector: dict[str, float] = {}
    for text, weight in parts:
        for term in dict.fromkeys(content_terms(text, heads=True)):  # once each, in text order
            vector[term] = vector.get(term, 0.0) + weight
    return vector


def normalised(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


def cosine(
    a: Mapping[str, float], b: Mapping[str, float], idf: Mapping[str, float] | None = None
) -> float:
    """Cosine of two term vectors, each term weighted by `idf` when given (default 1)."""
    if len(a) > len(b):
        a, b = b, a
    weight = idf.get if idf is not None else None
    dot = 0.0
    for term, value in a.items():
        other = b.get(term)
        if other:
            w = weight(term, 1.0) if weight else 1.0
            dot += value * other * w * w
    if not dot:
        return 0.0
    if weight:
        norm_a = math.sqrt(sum((v * weight(k, 1.0)) ** 2 for k, v in a.items()))
        norm_b = math.sqrt(sum((v * weight(k, 1.0)) ** 2 for k, v in b.items()))
    else:
        norm_a = math.sqrt(sum(v * v for v in a.values()))
        norm_b = math.sqrt(sum(v * v for v in b.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard overlap of two term sets."""
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0
