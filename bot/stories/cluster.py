"""Stories: each new article joins the most similar active story or opens a new one.

Incremental single pass (no re-clustering): an article is compared with the running centroid of
every story active within `WINDOW` of its time — TF-IDF cosine of content-word stems, IDF over
the articles of the days before (`Background`, kept in the store per day and term so that
chunk-by-chunk assignment sees exactly what one pass would), plus a bonus for the people and
organisations both name when the texts are related apart from those names — or, if higher,
the plain cosine with the story's most similar recent member (`MEMBERS`), so a story whose
centroid has drifted still takes a headline that retells one of its reports. Above the
threshold it joins (and the centroid moves), else it opens a story; just above it, only with a
second signal (a shared actor, figure or rare term). A story that keeps getting articles keeps
its identity across days ("US–Russland-Gespräche in Riad", day 2, day 3).

`Clusterer` is the pure algorithm (the benchmark runs it on headlines); `assign_stories` runs
it on stored articles, called by the analysis stage after each chunk.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, defer

from bot.store.db import insert_objects, insert_or_add, insert_rows, one_of, reserve_ids
from bot.store.schema import (
    Article,
    ArticleActor,
    Mention,
    Sentence,
    Story,
    StoryArticle,
    StoryTermDay,
)
from bot.stories.terms import content_terms, normalised, term_vector

# A story stays open for new articles this long after its newest one.
WINDOW = dt.timedelta(days=3)
# Join when text cosine + actor bonus reaches the threshold: THRESHOLD for a headline-sized
# item, rising to LONG_THRESHOLD for a headline with its lead. Longer texts share more incidental
# topic words ("Apple", "Wahlkampf") without telling the same story, while two headlines of one
# event may share only two words. Both checked in bench/clustering.py and bench/briefing_speed.py.
THRESHOLD, LONG_THRESHOLD = 0.25, 0.45
SHORT_TERMS, LONG_TERMS = 12, 40
# Shared people/organisations add up to this much; they only count when the texts are related
# apart from the item's people's and organisations' names (cosine without them >= MIN_TEXT), so
# one politician in two unrelated stories does not merge them: "Merkel" in both headlines is the
# shared actor itself, and counting it as related text as well let the same person in different
# events join ("Merkel besucht die Ahr", "Merkel lobt Hamburgs Schulen").
ACTOR_BONUS = 0.25
MIN_TEXT = 0.12
# A join that clears the threshold by less than CONFIRM_MARGIN needs two shared terms and a
# second signal besides the overall similarity: two people or organisations, or one beside a
# shared word that is not a name (a shared name is the shared actor itself), a figure, or a rare
# term (in at most RARE_SHARE of the background's articles) shared with the story. Two reports of
# one event share what is particular to it; two stories of one ongoing topic share only its
# common words ("Grenze", "polnisch", "Belarus"). Chosen on bench/clustering.py's development
# sets.
CONFIRM_MARGIN, RARE_SHARE = 0.10, 0.02
# An article looks for candidate stories by this many of its most telling terms.
CANDIDATE_TERMS = 12
# A story also keeps the term vectors of its newest members (rebuilt from the store for stories
# of earlier runs): the score is the better of centroid and best-member similarity. Chosen on the
# tuning half of bench/data/headline_pairs.tsv (bench/clustering.py --sweep).
MEMBERS = 8
# The IDF of a day is taken over the articles of this many days before it (`Background`).
BACKGROUND_DAYS = 7
MAX_TERM_LENGTH = 100  # StoryTermDay.term
# Terms kept in a story's centroid: enough to describe it, small enough to store as JSON.
MAX_TERMS = 80
# Term vectors of assigned articles an analysis run keeps for the stories' recent members
# (`KnownItems`): a day's news of a large newsroom; older ones are read back when needed.
KEEP_TERMS = 5_000
# What an article contributes to its vector: the headline counts double, then the lead.
TITLE_WEIGHT, LEAD_SENTENCES = 2.0, 6
PEOPLE = ("PER", "ORG")
log = logging.getLogger(__name__)


@dataclass
class Item:
    """One article as the clustering sees it."""

    key: int
    when: dt.datetime
    title: str
    terms: dict[str, float]
    actors: dict[str, float] = field(default_factory=dict)  # actor key → weight (sums to 1)
    # Terms of the people's and organisations' names as the article writes them ("Merkels" →
    # merkel): the model has no part-of-speech tagger, so its entity spans are what tells the
    # name terms from the words of what happened.
    names: frozenset[str] = frozenset()


@dataclass
class StoryState:
    """A story's running centroid; `row` is its stored Story, if any."""

    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    size: int = 0
    terms: dict[str, float] = field(default_factory=dict)
    actors: dict[str, float] = field(default_factory=dict)
    members: list[int] = field(default_factory=list)  # item keys added in this run
    recent: list[dict[str, float]] = field(default_factory=list)  # newest members' terms
    row: Story | None = None

    def active_at(self, when: dt.datetime, window: dt.timedelta) -> bool:
        return self.first_seen - window <= when <= self.last_seen + window


class Clusterer:
    """Single-pass story assignment over items in time order."""

    def __init__(
        self,
        stories: Iterable[StoryState] = (),
        window: dt.timedelta = WINDOW,
        threshold: float = THRESHOLD,
        actor_bonus: float = ACTOR_BONUS,
        background: Background | None = None,
    ) -> None:
        self.window, self.threshold, self.actor_bonus = window, threshold, actor_bonus
        self.stories: list[StoryState] = []
        self._active: set[int] = set()  # indices into self.stories
        self._by_term: dict[str, set[int]] = collections.defaultdict(set)
        self._by_actor: dict[str, set[int]] = collections.defaultdict(set)
        self.background = background if background is not None else Background()
        self._idf_now: _Idf | None = None
        self._prefetched: set[int] = set()  # stories whose terms' counts are loaded
        self._norms: dict[int, float] = {}  # story index → TF-IDF norm under `_idf_now`
        self._member_norms: dict[int, list[float]] = {}  # the same for its recent members
        self._item_rest = 0.0  # the squared norm of the item being assigned without its names
        for story in stories:
            self._add_story(story)

    def _add_story(self, story: StoryState) -> int:
        index = len(self.stories)
        self.stories.append(story)
        self._active.add(index)
        for term in story.terms:
            self._by_term[term].add(index)
        for actor in story.actors:
            self._by_actor[actor].add(index)
        return index

    def threshold_for(self, item: Item) -> float:
        """The join threshold for an item of this length (see THRESHOLD)."""
        share = (len(item.terms) - SHORT_TERMS) / (LONG_TERMS - SHORT_TERMS)
        return self.threshold + (LONG_THRESHOLD - THRESHOLD) * min(max(share, 0.0), 1.0)

    def _retire(self, index: int) -> None:
        """Out of the candidate set (the story itself is kept)."""
        self._active.discard(index)
        self._norms.pop(index, None)
        self._member_norms.pop(index, None)
        story = self.stories[index]
        for term in story.terms:
            self._by_term[term].discard(index)
        for actor in story.actors:
            self._by_actor[actor].discard(index)

    def _idf(self, day: dt.date) -> _Idf:
        """The IDF of `day` (fixed for the day, see `Background`): the stories' weighted norms
        are cached while it holds."""
        idf = self.background.idf(day)
        if idf is not self._idf_now:
            self._idf_now = idf
            self._norms.clear()
            self._member_norms.clear()
        return idf

    def _norm(self, index: int, idf: _Idf) -> float:
        norm = self._norms.get(index)
        if norm is None:
            terms = self.stories[index].terms
            norm = math.sqrt(sum([(w * idf[t]) ** 2 for t, w in terms.items()]))
            self._norms[index] = norm
        return norm

    @staticmethod
    def _item_norm(item: Item, idf: _Idf) -> float:
        return _weighted_norm(item.terms, idf)

    def _score(self, item: Item, item_norm: float, index: int, idf: _Idf) -> float:
        """Text cosine (TF-IDF) with the story's centroid plus the actor bonus, or the plain
        cosine with its most similar recent member if higher: what the threshold is compared
        with."""
        story = self.stories[index]
        if index not in self._prefetched:
            self._prefetched.add(index)
            self.background.prefetch(itertools.chain(story.terms, *story.recent))
        score, beside_names = _cosine_beside(
            item.terms,
            item_norm,
            self._item_rest,
            story.terms,
            self._norm(index, idf),
            idf,
            item.names,
        )
        if beside_names >= MIN_TEXT and item.actors:
            shared = sum(w for actor, w in item.actors.items() if actor in story.actors)
            score += self.actor_bonus * shared
        if story.recent:
            norms = self._member_norms.get(index)
            if norms is None:
                norms = [_weighted_norm(member, idf) for member in story.recent]
                self._member_norms[index] = norms
            for member, member_norm in zip(story.recent, norms, strict=True):
                score = max(score, _cosine(item.terms, item_norm, member, member_norm, idf))
        return score

    def _confirmed(self, item: Item, index: int, idf: _Idf) -> bool:
        """Whether the item shares more with the story than its words overall: two terms, and
        two actors, an actor beside a word, a figure or a rare term (see CONFIRM_MARGIN)."""
        story = self.stories[index]
        common = [t for t in item.terms if _in_story(t, story)]
        # A single shared word is the whole similarity, not a second signal besides it
        # ("Lukaschenko droht Deutschland mit Migranten", "Droht Zentralasien eine Invasion?").
        if len(common) < 2:
            return False
        # Only words besides the names confirm: a shared name is the shared actor itself, and
        # the same person in another event is no second signal ("Merkel gegen die Männerbünde",
        # "Putin kritisiert Merkels Flüchtlingspolitik"; "Saskia Esken", a rare name, in both).
        shared = [t for t in common if t not in item.names]
        actors = sum(1 for actor in item.actors if actor in story.actors)
        # Two people or organisations together again are a particular event, not one person's
        # many ("Lafontaine meets Sarrazin", "Lafontaine im Schulterschluss mit Sarrazin").
        if actors >= 2 or (shared and actors):
            return True
        # A term in at most RARE_SHARE of the background's articles has at least this IDF.
        rare = math.log((1 + idf.articles) / (1 + RARE_SHARE * idf.articles)) + 1.0
        return any(t[0].isdigit() or idf[t] >= rare - 1e-9 for t in shared)

    def assign(self, item: Item) -> tuple[StoryState, float]:
        """Put `item` into its story; returns the story and the similarity (0.0 for a new one)."""
        # Stories that ended long before this item can no longer take it: drop them from the
        # candidates and the IDF, so a long run stays fast and its statistics stay current.
        horizon = item.when - 2 * self.window
        for index in [i for i in self._active if self.stories[i].last_seen < horizon]:
            self._retire(index)
        idf = self._idf(item.when.date())
        # Candidates share one of the item's most telling terms, or an actor: a story that
        # shares only common words cannot reach the threshold, and long articles stay fast.
        self.background.prefetch(item.terms)
        # The terms by weight (a stable sort, ties in text order), with no Python call per term.
        terms = list(item.terms)
        weights = [-w * idf[t] for t, w in item.terms.items()]
        order = sorted(range(len(terms)), key=weights.__getitem__)[:CANDIDATE_TERMS]
        telling = [terms[i] for i in order]
        candidates: set[int] = set()
        for term in telling:
            candidates |= self._by_term.get(term, set())
        for actor in item.actors:
            candidates |= self._by_actor.get(actor, set())
        item_norm = self._item_norm(item, idf)
        self._item_rest = _rest_norm(item.terms, item_norm, idf, item.names)
        threshold = self.threshold_for(item)
        best, best_score = None, 0.0
        for index in candidates:
            story = self.stories[index]
            if index not in self._active or not story.active_at(item.when, self.window):
                continue
            score = self._score(item, item_norm, index, idf)
            if score <= best_score or score < threshold:
                continue
            if score < threshold + CONFIRM_MARGIN and not self._confirmed(item, index, idf):
                continue
            best, best_score = index, score
        if best is None:
            story = StoryState(title=item.title, first_seen=item.when, last_seen=item.when)
            best, best_score = self._add_story(story), 0.0
        self._grow(best, item)
        self.background.add(item)
        return self.stories[best], round(best_score, 4)

    def _grow(self, index: int, item: Item) -> None:
        story = self.stories[index]
        self._norms.pop(index, None)
        self._member_norms.pop(index, None)
        for term in story.terms:
            self._by_term[term].discard(index)
        terms = dict(story.terms)
        for term, weight in normalised(item.terms).items():
            terms[term] = terms.get(term, 0.0) + weight
        # The centroid keeps its strongest terms only: stored compactly, compared quickly.
        story.terms = dict(sorted(terms.items(), key=lambda kv: -kv[1])[:MAX_TERMS])
        for term in story.terms:
            self._by_term[term].add(index)
        for actor, weight in item.actors.items():
            if actor not in story.actors:
                self._by_actor[actor].add(index)
            story.actors[actor] = story.actors.get(actor, 0.0) + weight
        story.recent = [*story.recent, item.terms][-MEMBERS:]
        story.size += 1
        story.members.append(item.key)
        story.first_seen = min(story.first_seen, item.when)
        story.last_seen = max(story.last_seen, item.when)


def _in_story(term: str, story: StoryState) -> bool:
    return term in story.terms or any(term in member for member in story.recent)


def _weighted_norm(terms: dict[str, float], idf: _Idf) -> float:
    return math.sqrt(sum([(w * idf[t]) ** 2 for t, w in terms.items()]))


def _cosine(
    a: dict[str, float], norm_a: float, b: dict[str, float], norm_b: float, idf: _Idf
) -> float:
    """The TF-IDF cosine of `a` and `b` (as `_cosine_beside` sums it, without the names)."""
    norm = norm_a * norm_b
    if not norm:
        return 0.0
    dot = 0.0
    for term in sorted(a.keys() & b.keys()):
        dot += a[term] * b[term] * idf[term] ** 2
    return dot / norm


def _rest_norm(a: dict[str, float], norm_a: float, idf: _Idf, names: frozenset[str]) -> float:
    """The squared TF-IDF norm of `a` without the terms in `names` (`_cosine_beside`'s `rest_a`:
    an item's is the same for every story it is compared with)."""
    rest = norm_a * norm_a
    for term in names:
        if term in a:  # 0.0 taken away changes nothing
            rest -= (a[term] * idf[term]) ** 2
    return rest


def _cosine_beside(
    a: dict[str, float],
    norm_a: float,
    rest_a: float,
    b: dict[str, float],
    norm_b: float,
    idf: _Idf,
    names: frozenset[str] = frozenset(),
) -> tuple[float, float]:
    """The TF-IDF cosine of `a` and `b`, and their cosine with the terms in `names` left out
    (`rest_a`: `a`'s squared norm without them, `_rest_norm`)."""
    dot = beside = 0.0
    # The shared terms found in C (most terms are not shared), summed in a fixed order: the
    # result must not depend on the process's string hashing.
    for term in sorted(a.keys() & b.keys()):
        part = a[term] * b[term] * idf[term] ** 2
        dot += part
        if term not in names:
            beside += part
    # The norms without the names: a few terms to take out, no second pass over the vectors.
    rest_b = _rest_norm(b, norm_b, idf, names)
    norm, rest = norm_a * norm_b, math.sqrt(max(rest_a, 0.0) * max(rest_b, 0.0))
    return (dot / norm if norm else 0.0), (beside / rest if rest > 1e-12 else 0.0)


class Background:
    """Document frequencies of terms per day, over the articles assigned so far: the IDF of a
    day is taken over the articles of the `BACKGROUND_DAYS` days before it. It is fixed for the
    day and independent of which articles were assigned together, so the stage's chunk-by-chunk
    assignment and one pass over the same articles see the same statistics (`assign_stories`
    keeps them in the store, `StoryTermDay`)."""

    def __init__(
        self,
        days: int | None = None,
        fetch: Callable[[list[str]], Iterable[tuple[dt.date, str, int]]] | None = None,
    ) -> None:
        """`fetch` gives stored counts (day, term, articles) of terms when first needed."""
        self.days = BACKGROUND_DAYS if days is None else days
        self._fetch, self._fetched = fetch, set[str]()
        self.counts: dict[dt.date, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        self.totals: collections.Counter[dt.date] = collections.Counter()
        self.added: dict[dt.date, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )  # what `add` counted, to be stored
        self._idf: dict[dt.date, _Idf] = {}
        self.prefetch([""])

    def prefetch(self, terms: Iterable[str]) -> None:
        """Load the stored counts of these terms, in one go, before their IDF is taken (read
        only when there are counts to load)."""
        if self._fetch is None:
            return
        missing = [t for t in dict.fromkeys(terms) if t not in self._fetched]
        if missing:
            self._fetched.update(missing)
            for day, term, articles in self._fetch(missing):
                self.load(day, term, articles)

    def load(self, day: dt.date, term: str, articles: int) -> None:
        """Counts kept from earlier runs; the empty term holds the day's number of articles."""
        if term:
            self.counts[day][term] += articles
        else:
            self.totals[day] += articles

    def add(self, item: Item) -> None:
        day = item.when.date()
        for term in item.terms:
            if len(term) > MAX_TERM_LENGTH:
                continue  # not stored: noise, not a word
            self.counts[day][term] += 1
            self.added[day][term] += 1
        self.totals[day] += 1
        self.added[day][""] += 1
        # A late article changes the IDF of the days after its own (usually none is cached).
        for cached in [d for d in self._idf if d > day]:
            del self._idf[cached]

    def idf(self, day: dt.date) -> _Idf:
        idf = self._idf.get(day)
        if idf is None:
            window = [day - dt.timedelta(days=n) for n in range(1, self.days + 1)]
            counts = [self.counts[d] for d in window]  # also filled by later `prefetch`
            idf = self._idf[day] = _Idf(counts, sum(self.totals[d] for d in window))
            for old in [d for d in self._idf if d < day - dt.timedelta(days=self.days)]:
                del self._idf[old]
        return idf


class _Idf(dict):
    """Inverse document frequency over a background, computed lazily per term:
    log((1 + N) / (1 + df)) + 1."""

    def __init__(self, counts: list[collections.Counter[str]], articles: int) -> None:
        super().__init__()
        self._counts, self.articles = counts, articles

    def __missing__(self, term: str) -> float:
        df = sum(counts.get(term, 0) for counts in self._counts)
        value = self[term] = math.log((1 + self.articles) / (1 + df)) + 1.0
        return value

    def get(self, term: str, default: float = 1.0) -> float:
        return self[term]


# --- the store ---------------------------------------------------------------------------------


def article_items(session: Session, articles: list[Article]) -> list[Item]:
    """Clustering items for stored, analysed articles: headline + lead sentences + actors."""
    if not articles:
        return []  # the analysis stage's chunks usually hold all their items (`KnownItems`)
    ids = [a.id for a in articles]
    leads: dict[int, list[str]] = collections.defaultdict(list)
    for article_id, text in session.execute(
        select(Sentence.article_id, Sentence.text)
        .where(
            one_of(session, Sentence.article_id, ids),
            Sentence.boilerplate.is_(False),
            Sentence.position < LEAD_SENTENCES + 1,
        )
        .order_by(Sentence.article_id, Sentence.position)
    ):
        leads[article_id].append(text)
    people: dict[int, list[tuple[int, str]]] = collections.defaultdict(list)
    for article_id, actor_id, text in session.execute(
        select(Mention.article_id, Mention.actor_id, Mention.text).where(
            one_of(session, Mention.article_id, ids), Mention.label.in_(PEOPLE)
        )
    ):
        people[article_id].append((actor_id, text))
    salience: dict[int, dict[int, float]] = collections.defaultdict(dict)
    for article_id, actor_id, weight in session.execute(
        select(ArticleActor.article_id, ArticleActor.actor_id, ArticleActor.salience).where(
            one_of(session, ArticleActor.article_id, ids)
        )
    ):
        salience[article_id][actor_id] = weight
    return [
        article_item(article, leads[article.id], people[article.id], salience[article.id])
        for article in articles
    ]


def article_item(
    article: Article,
    leads: list[str],
    people: Iterable[tuple[int, str]],
    salience: dict[int, float],
) -> Item:
    """The clustering item of one analysed article, from what its analysis wrote: the texts of
    its first non-boilerplate sentences (by position, up to LEAD_SENTENCES + 1), its people's and
    organisations' mentions (actor id, text as written) and its actors' salience."""
    # An article's people and organisations are what it mentions as such: an actor's kind is
    # that of its first mention anywhere, and "Moria", once tagged a person, would otherwise be
    # a shared person of every report naming the camp (as a place, so its name stayed text too).
    names: set[str] = set()
    mentioned: set[int] = set()
    for actor_id, text in people:
        names.update(content_terms(text))
        mentioned.add(actor_id)
    actors = {
        str(actor_id): max(weight, 0.01)
        for actor_id, weight in salience.items()
        if actor_id in mentioned
    }
    title = article.title.rstrip(" …")
    lead = [s for s in leads if not s.startswith(title)][:LEAD_SENTENCES]
    return Item(
        key=article.id,
        when=article.day_time,
        title=article.title,
        terms=term_vector([(article.title, TITLE_WEIGHT), *((s, 1.0) for s in lead)]),
        actors=_top_share(actors),
        names=frozenset(names),
    )


@dataclass
class KnownItems:
    """What the analysis stage already holds, so that assigning a chunk's stories reads
    nothing back: its articles' items, made from the analyses just written (`article_item`),
    and the term vectors of the articles assigned last in this run (the members stories
    recall; an older one is read back when asked for, so a long run's memory stays bounded)."""

    items: dict[int, Item] = field(default_factory=dict)
    terms: dict[int, dict[str, float]] = field(default_factory=dict)
    keep: int = KEEP_TERMS
    # The centroids of the stories the last chunk compared with, as it read or wrote them: the
    # next chunk reads only those of stories that changed meanwhile (`_stamp`) or are new to it.
    centroids: dict[int, Centroid] = field(default_factory=dict)

    def remember(self, items: Iterable[Item]) -> None:
        """Keep the assigned items' term vectors, forgetting the oldest beyond `keep`."""
        self.terms.update((item.key, item.terms) for item in items)
        for key in list(itertools.islice(self.terms, max(len(self.terms) - self.keep, 0))):
            del self.terms[key]


def _top_share(weights: dict[str, float], keep: int = 8) -> dict[str, float]:
    """The strongest actors, as shares summing to 1."""
    top = sorted(weights.items(), key=lambda kv: -kv[1])[:keep]
    total = sum(w for _a, w in top)
    return {a: w / total for a, w in top} if total else {}


@dataclass(frozen=True)
class Centroid:
    """A stored story's terms and actors, and its `_stamp` when they were read or written."""

    stamp: tuple
    terms: dict[str, float]
    actors: dict[str, float]


def _stamp(row: Story) -> tuple:
    """What changes whenever a story's centroid is written: it grows by an article each time."""
    return (row.article_count, row.first_seen_at, row.last_seen_at)


def _window_states(
    session: Session, low: dt.datetime, high: dt.datetime, known: dict[int, Centroid]
) -> list[StoryState]:
    """The stories active between `low` and `high`, their centroids taken from `known` where it
    holds them as stored (JSON decoding of every story's 80 terms for each chunk was a tenth of
    the assignment's CPU); `known` is left holding these stories' centroids only."""
    window = select(Story).where(Story.last_seen_at >= low, Story.first_seen_at <= high)
    if known:
        window = window.options(defer(Story.terms), defer(Story.actors))
    rows = list(session.scalars(window))
    held = {row.id: known.get(row.id) for row in rows}
    for row in rows:
        if held[row.id] is not None and held[row.id].stamp != _stamp(row):
            held[row.id] = None  # changed since: read again
    if known:
        missing = [key for key, centroid in held.items() if centroid is None]
        if missing:
            read = select(Story.id, Story.terms, Story.actors)
            for key, terms, actors in session.execute(
                read.where(one_of(session, Story.id, missing))
            ):
                held[key] = Centroid((), dict(terms or {}), dict(actors or {}))
    else:
        held = {row.id: Centroid((), dict(row.terms or {}), dict(row.actors or {})) for row in rows}
    known.clear()
    known.update(
        (row.id, Centroid(_stamp(row), held[row.id].terms, held[row.id].actors)) for row in rows
    )
    return [
        StoryState(
            title=row.title,
            first_seen=row.first_seen_at,
            last_seen=row.last_seen_at,
            size=row.article_count,
            # The clusterer replaces a story's terms when it grows, but adds to its actors.
            terms=held[row.id].terms,
            actors=dict(held[row.id].actors),
            row=row,
        )
        for row in rows
    ]


def _recall_members(
    session: Session, states: list[StoryState], known: dict[int, dict[str, float]] | None = None
) -> None:
    """The newest `MEMBERS` articles' term vectors of stories from earlier runs (or chunks: those
    in `known` are not read again)."""
    by_id = {state.row.id: state for state in states if state.row is not None}
    if not by_id:
        return
    newest: dict[int, list[int]] = collections.defaultdict(list)
    for story_id, article_id in session.execute(
        select(StoryArticle.story_id, StoryArticle.article_id)
        .where(one_of(session, StoryArticle.story_id, by_id))
        .order_by(StoryArticle.story_id, StoryArticle.article_id.desc())
    ):
        if len(newest[story_id]) < MEMBERS:
            newest[story_id].append(article_id)
    known = known if known is not None else {}
    wanted = [a for ids in newest.values() for a in ids if a not in known]
    terms = dict(known)
    if wanted:
        articles = list(session.scalars(select(Article).where(one_of(session, Article.id, wanted))))
        terms.update((item.key, item.terms) for item in article_items(session, articles))
    for story_id, ids in newest.items():
        by_id[story_id].recent = [terms[a] for a in reversed(ids) if a in terms]


def _background(session: Session, first: dt.date, last: dt.date) -> Background:
    """The stored term counts the IDF of the days `first`..`last` is taken from."""
    low = first - dt.timedelta(days=BACKGROUND_DAYS)
    stored = session.scalar(
        select(StoryTermDay.day)
        .where(StoryTermDay.term == "", StoryTermDay.day >= low, StoryTermDay.day < last)
        .limit(1)
    )
    if stored is None:
        # No article counted on these days (a new store, or all of them today): every count is
        # 0, and looking up thousands of terms would find nothing (a term's counts are stored
        # with its day's total, `_store_background`).
        return Background()

    def fetch(terms: list[str]) -> Iterator[tuple[dt.date, str, int]]:
        for start in range(0, len(terms), 500):
            yield from session.execute(
                select(StoryTermDay.day, StoryTermDay.term, StoryTermDay.articles).where(
                    one_of(session, StoryTermDay.term, terms[start : start + 500]),
                    StoryTermDay.day >= low,
                    StoryTermDay.day < last,
                )
            ).all()

    return Background(fetch=fetch)


def _store_background(session: Session, background: Background) -> None:
    """Add what this run counted to the stored term counts; counts of days long past the
    newest go (nothing compares with them any more)."""
    if not background.added:
        return
    days = sorted(background.added)
    insert_or_add(
        session,
        StoryTermDay.__table__,
        [
            {"day": day, "term": term, "articles": articles}
            for day, counts in background.added.items()
            for term, articles in counts.items()
        ],
        ["term", "day"],
        "articles",
    )
    horizon = days[-1] - dt.timedelta(days=2 * background.days)
    table = StoryTermDay.__table__  # no ORM delete: nothing of it is in the session to update
    session.execute(delete(table).where(table.c.day < horizon))
    background.added.clear()


def assign_stories(
    session: Session, article_ids: Iterable[int], known: KnownItems | None = None
) -> int:
    """Give each analysed article without a story its story; returns how many got one. With
    `known`, the items it holds are used instead of reading them back (and it learns the
    assigned articles' terms).

    Articles that already have a story keep it, so running this again changes nothing."""
    wanted = set(article_ids)
    if not wanted:
        return 0
    known = known if known is not None else KnownItems()
    done = set(
        session.scalars(
            select(StoryArticle.article_id).where(one_of(session, StoryArticle.article_id, wanted))
        )
    )
    given = [known.items[key] for key in wanted - done if key in known.items]
    rest = wanted - done - {item.key for item in given}
    articles = []
    if rest:
        articles = list(
            session.scalars(
                select(Article).where(
                    one_of(session, Article.id, rest), Article.status == "analysed"
                )
            )
        )
    if not articles and not given:
        return 0
    items = sorted([*given, *article_items(session, articles)], key=lambda i: (i.when, i.key))
    low, high = items[0].when - WINDOW, items[-1].when + WINDOW
    states = _window_states(session, low, high, known.centroids)
    _recall_members(session, states, known.terms)
    background = _background(session, items[0].when.date(), items[-1].when.date())
    # The counts of every term this run can compare, in a few queries rather than one per item.
    background.prefetch(
        term
        for vectors in ([i.terms for i in items], *([s.terms, *s.recent] for s in states))
        for terms in vectors
        for term in terms
    )
    clusterer = Clusterer(states, background=background)
    joined: list[tuple[int, StoryState, float]] = []
    for item in items:
        story, score = clusterer.assign(item)
        joined.append((item.key, story, score))
    opened = [story for story in clusterer.stories if story.members and story.row is None]
    for story, key in zip(opened, reserve_ids(session, Story.__table__, len(opened)), strict=True):
        story.row = Story(id=key, title=story.title[:500])  # ids known: written together
    for story in clusterer.stories:
        if not story.members:
            continue
        row = story.row
        row.first_seen_at, row.last_seen_at = story.first_seen, story.last_seen
        row.article_count = story.size
        # Full precision: the next run goes on from exactly this centroid.
        row.terms, row.actors = dict(story.terms), dict(story.actors)
    insert_objects(session, [story.row for story in opened])
    _store_background(session, background)
    session.flush()  # the stored stories that grew
    insert_rows(
        session,
        StoryArticle.__table__,
        [
            {"article_id": key, "story_id": story.row.id, "similarity": score}
            for key, story, score in joined
        ],
    )
    known.remember(items)
    for story in clusterer.stories:
        if story.members:
            row = story.row
            known.centroids[row.id] = Centroid(_stamp(row), row.terms, row.actors)
    return len(joined)


def assign_stories_quietly(
    session: Session, article_ids: Iterable[int], known: KnownItems | None = None
) -> None:
    """`assign_stories` for the analysis stage: a failure is logged and rolled back alone, never
    losing the chunk's analysis — the next analysis run assigns what is left."""
    try:
        with session.begin_nested():
            assign_stories(session, article_ids, known)
    except Exception:
        log.exception("story assignment failed; it is retried at the next analysis run")
        if known is not None:
            known.centroids.clear()  # what it wrote is rolled back
