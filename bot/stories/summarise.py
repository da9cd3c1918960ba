"""A story's summary: its 1–3 best sentences across all its sources, extracted, not written.

Each sentence is scored by a lead prior (news puts the gist first), closeness to the story's
centroid, and support from other sentences — TextRank-style degree centrality, counted across
sources where there are several, so a fact that several outlets report ranks high. Sentences
are then picked greedily, skipping any too close to one already picked or already known to the
reader (redundancy removal, MMR-style). A summary never starts with a dangling pronoun: "Er
sagte …" becomes "Marco Rubio sagte …" when the sentence before names exactly one person, and
is skipped otherwise. Boilerplate, headings and fragments are never candidates, and sentences
are never cut.
"""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import one_of
from bot.store.schema import Actor, Article, Mention, Sentence
from bot.stories.terms import cosine, normalised, term_vector

MIN_WORDS, MAX_WORDS = 6, 60
# Per article, only the first sentences are read: summaries come from the top of news texts,
# and it bounds the pairwise comparisons for stories with many articles.
SENTENCES_PER_ARTICLE = 15
MAX_ARTICLES = 12
# Score = LEAD * lead prior + CENTROID * centroid cosine + SUPPORT * centrality. News puts the
# gist first: a strong lead prior matches editors' teasers best (bench/summaries.py).
LEAD, CENTROID, SUPPORT = 0.7, 0.2, 0.1
# A candidate this close (cosine of content words) to a picked or known sentence says nothing new.
# Consecutive lead sentences of one report share its topic words without repeating each other:
# at 0.5 too many of them were dropped (bench/summaries.py: 0.6 and 0.7 score alike).
REDUNDANT = 0.6

_ENDS_LIKE_SENTENCE = re.compile(r"[.!?“”\"»«]\s*$")
_QUOTE_START = "„\"»“‚'"
# A sentence starting with one of these needs the sentence before it to make sense.
_DANGLING = frozenset(
    """es dies dort damit dabei daher deshalb darum darüber dafür dagegen davon dazu zudem
    außerdem trotzdem allerdings jedoch aber auch ebenfalls hier it they this these but also
    however""".split()
)
_PERSONAL = frozenset({"er", "sie", "he", "she"})
# "Das ist …", "Diese sind …": demonstratives that stand alone as pronouns before a verb.
_DEMONSTRATIVE = frozenset({"das", "diese", "dieser", "dieses", "this", "that"})
_VERB_AFTER_DEMONSTRATIVE = frozenset(
    "ist sei war wäre sind waren hat habe hatte kommt kam bedeutet zeigt zeigte heißt gilt "
    "is was means shows".split()
)
# Third-person singular verb forms after "Sie": "Sie sagte", "Sie ist" (plural: "Sie sagten").
_SINGULAR = re.compile(r"^(ist|war|hat|hatte|sei|wird|wurde|will|kann|soll|muss|\w+t|\w+te)$")


@dataclass(frozen=True)
class Candidate:
    """A sentence a summary may use."""

    article_id: int
    position: int
    text: str
    lead: int  # index among the article's usable sentences: 0 is its first after the headline
    antecedent: str | None = None  # the one person the sentences just before name, if any


def _first_words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text[:60])[:2]


def opening(candidate: Candidate) -> Candidate | None:
    """The candidate as it may open a summary (or follow an unrelated sentence): unchanged,
    with its leading pronoun replaced by the person it refers to, or None when it cannot."""
    words = _first_words(candidate.text)
    if not words:
        return None
    first = words[0].casefold()
    second = words[1].casefold() if len(words) > 1 else ""
    if first in _PERSONAL:
        if first in ("sie", "she") and not _SINGULAR.match(second):
            return None  # "Sie sagten": a plural or unclear reference
        if not candidate.antecedent:
            return None
        rest = candidate.text[len(words[0]) :].lstrip()
        return replace(candidate, text=f"{candidate.antecedent} {rest}")
    if first in _DANGLING:
        return None
    if first in _DEMONSTRATIVE and second in _VERB_AFTER_DEMONSTRATIVE:
        return None
    return candidate


def usable(text: str, titles: Iterable[str] = (), standfirst: bool = False) -> bool:
    """Whether a sentence can stand in a summary: a whole sentence of sensible length that does
    not repeat a headline. A `standfirst` — the editor's subtitle line right under the headline —
    may end without a full stop, but never cut off at a comma."""
    words = len(text.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        return False
    whole = _ENDS_LIKE_SENTENCE.search(text) or (standfirst and text.rstrip()[-1:].isalnum())
    if not whole:
        return False
    if text[:1].islower():
        return False  # a fragment cut off by sentence splitting
    for title in titles:
        head = title.rstrip(" …").strip()
        if head and (text.startswith(head) or head.startswith(text.rstrip("."))):
            return False
    return True


def summarise(
    candidates: list[Candidate], count: int, known: Iterable[str] = ()
) -> list[Candidate]:
    """The story's best `count` sentences, each from `candidates`, none redundant with another
    or with `known` (sentences the reader has already seen); in reading order per article.
    Only the first SENTENCES_PER_ARTICLE candidates of each article are read."""
    candidates = [c for c in candidates if c.lead < SENTENCES_PER_ARTICLE]
    if not candidates or count < 1:
        return []
    vectors = [normalised(term_vector([(c.text, 1.0)])) for c in candidates]
    idf = _sentence_idf(vectors)
    centroid: dict[str, float] = collections.Counter()
    for vector in vectors:
        centroid.update(vector)
    support = _support(candidates, vectors, idf)
    top_support = max(support) or 1.0
    scored = []
    for i, candidate in enumerate(candidates):
        lead = 1.0 / (1.0 + 0.5 * candidate.lead)
        score = (
            LEAD * lead
            + CENTROID * cosine(vectors[i], centroid, idf)
            + SUPPORT * support[i] / top_support
        )
        if candidate.text[:1] in _QUOTE_START:
            score *= 0.8  # a bare quote without its speaker reads badly as a summary line
        scored.append((score, i))
    known_vectors = [normalised(term_vector([(text, 1.0)])) for text in known]
    chosen: list[tuple[int, Candidate]] = []
    picked = set()
    for _score, i in sorted(scored, key=lambda s: (-s[0], s[1])):
        candidate = candidates[i]
        seen = [vectors[j] for j, _c in chosen] + known_vectors
        if any(cosine(vectors[i], other) > REDUNDANT for other in seen):
            continue
        if (candidate.article_id, candidate.position - 1) not in picked:
            candidate = opening(candidate)  # it will not follow its own predecessor
            if candidate is None:
                continue
        chosen.append((i, candidate))
        picked.add((candidate.article_id, candidate.position))
        if len(chosen) == count:
            break
    # The best sentence leads; sentences of one article keep their order behind each other.
    first_rank = {}
    for rank, (_i, c) in enumerate(chosen):
        first_rank.setdefault(c.article_id, rank)
    chosen.sort(key=lambda pair: (first_rank[pair[1].article_id], pair[1].position))
    return [c for _i, c in chosen]


def _sentence_idf(vectors: list[dict[str, float]]) -> dict[str, float]:
    df = collections.Counter(term for v in vectors for term in v)
    n = len(vectors)
    return {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items()}


def _support(
    candidates: list[Candidate], vectors: list[dict[str, float]], idf: dict[str, float]
) -> list[float]:
    """Degree centrality: how much of each sentence other sentences say too. With several
    articles only other articles count — agreement between sources, not repetition."""
    several = len({c.article_id for c in candidates}) > 1
    support = [0.0] * len(candidates)
    for i in range(len(candidates)):
        for j in range(i + 1, len(candidates)):
            if several and candidates[i].article_id == candidates[j].article_id:
                continue
            similarity = cosine(vectors[i], vectors[j], idf)
            support[i] += similarity
            support[j] += similarity
    return support


# --- the store ---------------------------------------------------------------------------------


def story_candidates(
    session: Session, articles: list[Article], per_article: int | None = None
) -> list[Candidate]:
    """Usable sentences of stored articles (the first `per_article` of each, else all):
    non-boilerplate, whole sentences, each with the person its predecessor names (for "Er …").
    `summarise` wants those with `lead < SENTENCES_PER_ARTICLE`; figures may come from all."""
    articles = articles[:MAX_ARTICLES]
    ids = [a.id for a in articles]
    titles = {a.id: a.title for a in articles}
    query = select(Sentence.article_id, Sentence.position, Sentence.text, Sentence.boilerplate)
    if per_article is not None:
        query = query.where(Sentence.position < per_article + 5)
    rows = session.execute(
        query.where(one_of(session, Sentence.article_id, ids)).order_by(
            Sentence.article_id, Sentence.position
        )
    ).all()
    people: dict[tuple[int, int], list[str]] = collections.defaultdict(list)
    for article_id, sentence, name in session.execute(
        select(Mention.article_id, Mention.sentence, Actor.name)
        .join(Actor, Actor.id == Mention.actor_id)
        .where(one_of(session, Mention.article_id, ids), Actor.kind == "PER")
        .order_by(Mention.article_id, Mention.sentence, Mention.start_char)
    ):
        names = people[(article_id, sentence)]
        if name not in names:
            names.append(name)
    out: list[Candidate] = []
    leads: collections.Counter[int] = collections.Counter()
    whole: set[tuple[int, int]] = set()  # usable sentences: the only ones "Er …" may refer back to
    for article_id, position, text, boilerplate in rows:
        # The first line under the headline may be its subtitle (standfirst).
        standfirst = position <= 1 and leads[article_id] == 0
        if boilerplate or not usable(text, [titles[article_id]], standfirst):
            continue
        whole.add((article_id, position))
        if per_article is not None and leads[article_id] >= per_article:
            continue
        out.append(
            Candidate(
                article_id=article_id,
                position=position,
                text=text,
                lead=leads[article_id],
                antecedent=_antecedent(people, article_id, position, whole),
            )
        )
        leads[article_id] += 1
    return out


def _antecedent(
    people: dict[tuple[int, int], list[str]],
    article_id: int,
    position: int,
    whole: set[tuple[int, int]],
) -> str | None:
    """The person "Er"/"Sie" at the start of a sentence refers to: the only person named in the
    nearest of the two sentences before it that names anyone; None when unclear, or when that
    sentence is not a whole sentence of the text (a byline "Von Daniel Weinmann" names its
    author, not the subject of the next sentence)."""
    for back in (1, 2):
        if (article_id, position - back) not in whole:
            return None
        names = people.get((article_id, position - back))
        if names:
            return names[0] if len(names) == 1 else None
    return None
