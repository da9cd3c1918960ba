"""Key sentences: the few sentences that carry an article — a lead prior, closeness to the
article's centroid and its central actors, with near-duplicates removed."""

from __future__ import annotations

import collections
import math
import re

from spacy.language import Language
from spacy.tokens import Doc

from bot.analyse.types import KeySentenceInfo
from bot.analyse.views import flags, lowers, sentence_starts, sentence_texts, words

KEEP = 5
MIN_WORDS, MAX_WORDS = 6, 60
# Sentences that open with a pronoun read badly out of context in a summary.
_DANGLING = frozenset(
    "er sie es dies das diese dieser dort damit dabei he she it they this".split()
)
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?“”\"»«]\s*$")


def _content_words(doc: Doc) -> list[list[str]]:
    """Each sentence's words that carry content: lower case, letters only, no stop word."""
    text, lower, lexical = words(doc), lowers(doc), flags(doc)
    alpha, stop = lexical.is_alpha, lexical.is_stop
    starts = sentence_starts(doc)
    ends = starts[1:] + [len(doc)]
    return [
        [lower[i] for i in range(start, end) if alpha[i] and not stop[i] and len(text[i]) > 2]
        for start, end in zip(starts, ends, strict=False)  # none: an empty Doc
    ]


def _squares(counts: collections.Counter) -> int:
    return sum(v * v for v in counts.values())


def _cosine(a: collections.Counter, b: collections.Counter, b_squares: int) -> float:
    """Cosine of two word counts; `b_squares`: `_squares(b)`, taken once for every sentence."""
    dot = sum(count * b.get(word, 0) for word, count in a.items())
    norm = math.sqrt(_squares(a) * b_squares)
    return dot / norm if norm else 0.0


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def find_key_sentences(doc: Doc, keep: int = KEEP) -> list[KeySentenceInfo]:
    boilerplate = doc._.boilerplate or frozenset()
    actors = {a.name: a.salience for a in (doc._.actors or [])}
    top = max(actors.values(), default=1.0) or 1.0
    actors_by_sentence: dict[int, set[str]] = collections.defaultdict(set)
    for mention in doc._.mentions or []:
        actors_by_sentence[mention.sentence].add(mention.name)
    sentences = sentence_texts(doc)
    starts = sentence_starts(doc)
    lower = lowers(doc)
    content = _content_words(doc)
    centroid = collections.Counter(
        w for i, ws in enumerate(content) if i not in boilerplate for w in ws
    )
    centroid_squares = _squares(centroid)
    scored = []
    for i, sentence in enumerate(sentences):
        text = sentence.strip()
        n_words = len(text.split())
        if i in boilerplate or not MIN_WORDS <= n_words <= MAX_WORDS:
            continue
        if not _ENDS_LIKE_SENTENCE.search(text):
            continue  # headings and fragments
        lead = 1.0 / (1.0 + 0.25 * i)
        centrality = _cosine(collections.Counter(content[i]), centroid, centroid_squares)
        people = sum(actors.get(name, 0.0) for name in actors_by_sentence[i]) / top
        score = 0.45 * lead + 0.35 * centrality + 0.2 * min(people, 2.0) / 2.0
        if lower[starts[i]] in _DANGLING:
            score *= 0.6
        scored.append((score, i, text))
    chosen: list[KeySentenceInfo] = []
    seen: list[set[str]] = []
    for score, i, text in sorted(scored, key=lambda item: -item[0]):
        bag = set(content[i])
        if any(_jaccard(bag, other) > 0.5 for other in seen):
            continue
        seen.append(bag)
        chosen.append(KeySentenceInfo(text, i, round(score, 4), sorted(actors_by_sentence[i])))
        if len(chosen) == keep:
            break
    return chosen


@Language.component("morgenlage_key_sentences")
def key_sentences_component(doc: Doc) -> Doc:
    doc._.key_sentences = find_key_sentences(doc)
    return doc
