"""A day's briefing as plain data, from the store: the day's stories ranked into developments —
each summarised once across its sources, leading with what is new for a continuing story —
the numbers of the day and the key actors."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
import math
import re
import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer

from bot.analyse.entity_rules import AGENCIES
from bot.brief.titles import clean_title, cleanest
from bot.brief.window import Window
from bot.config import BriefingConfig
from bot.filters import ReaderFilter
from bot.store.articles import articles_arrived, articles_between, day_time_column
from bot.store.db import one_of
from bot.store.prominence import articles_per_actor
from bot.store.schema import (
    Actor,
    Article,
    ArticleActor,
    Mention,
    Quote,
    Sentence,
    Story,
    StoryArticle,
)
from bot.store.topics import story_topics
from bot.stories.cluster import article_items
from bot.stories.novelty import NewSince, candidate_figures, what_is_new
from bot.stories.numbers import Figure
from bot.stories.summarise import (
    SENTENCES_PER_ARTICLE,
    Candidate,
    story_candidates,
    summarise,
)
from bot.stories.terms import content_terms, cosine

PEOPLE = ("PER", "ORG")
# How far back "the actors' weight" looks: prominence over the last week.
ACTOR_DAYS = 7
# Two articles this close (headline + lead) are one agency text in two outlets: one source.
COPY_SIMILARITY = 0.8
# Known articles read per continuing story to tell new facts from old.
KNOWN_ARTICLES = 8


@dataclass
class SourceRef:
    name: str
    url: str | None  # a web address to link, None for local files


@dataclass
class SummaryLine:
    text: str
    source: SourceRef


@dataclass
class FigureLine:
    label: str  # "176 Drohnen über Nacht"
    sentence: str
    source: SourceRef
    story: str  # the development's title


@dataclass
class Development:
    story_id: int
    title: str
    summary: list[SummaryLine]
    sources: list[SourceRef]  # the day's sources, the one the title comes from first
    actors: list[str]
    score: float
    article_ids: list[int]  # the day's articles of the story, the title's first
    day: int = 1  # the story's day: 1 = it began today
    first_day: dt.date | None = None
    new: NewSince | None = None  # a continuing story: what is new since the last briefing
    summary_is_new: bool = False  # the summary holds only facts the reader has not seen
    figures: list[Figure] = field(default_factory=list)

    @property
    def source(self) -> SourceRef:
        return self.sources[0]

    @property
    def article_id(self) -> int:
        return self.article_ids[0]

    @property
    def continuing(self) -> bool:
        return self.new is not None


@dataclass
class QuoteRef:
    text: str
    source: SourceRef
    direct: bool = True  # False: reported speech, shown without quotation marks


@dataclass
class ActorLine:
    actor_id: int
    name: str
    kind: str
    role: str | None
    did: str | None
    said: QuoteRef | None
    weight: float


@dataclass
class Briefing:
    window: Window
    language: str
    developments: list[Development] = field(default_factory=list)
    actors: list[ActorLine] = field(default_factory=list)
    figures: list[FigureLine] = field(default_factory=list)
    article_count: int = 0
    story_count: int = 0

    @property
    def day(self) -> dt.date:
        return self.window.day

    @property
    def since_yesterday(self) -> bool:
        """A calendar day: "new" means since the day began, not since a reader's briefing."""
        return self.window.calendar_day

    # Developments a reader's filter left out, by the story's topic ("" without one).
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.developments


def _web_host(article: Article) -> str | None:
    """The host of a web article's address ("www.derstandard.at"), None for local files."""
    return _host_of(article.url)


@functools.lru_cache(maxsize=8192)  # a briefing asks for each of its articles several times
def _host_of(url: str) -> str | None:
    if not url.startswith(("http://", "https://")):
        return None
    return urlparse(url).hostname or ""


def source_of(article: Article) -> SourceRef:
    """A readable source name and, for web articles, the link."""
    host = _web_host(article)
    url = article.url if host is not None else None
    if article.outlet:
        name = article.outlet
    elif url:
        name = (host or url).removeprefix("www.")
    else:
        name = Path(urlparse(article.url).path).name or article.url
    return SourceRef(name=name, url=url)


# --- stories of the day and their ranking ------------------------------------------------------


@dataclass
class _StoryDay:
    story: Story
    today: list[Article]  # newest first
    known: list[Article] = field(default_factory=list)  # before `since`, newest first
    sources: int = 1
    recency: float = 0.0
    actors: float = 0.0
    novelty: float = 1.0
    score: float = 0.0


def _stories_of(session: Session, articles: list[Article]) -> dict[int, _StoryDay]:
    """The day's articles by story. An article still without one (its assignment failed; the
    next analysis run gives it one) waits: a briefing only reads."""
    ids = [a.id for a in articles]
    assigned = dict(
        session.execute(
            select(StoryArticle.article_id, StoryArticle.story_id).where(
                one_of(session, StoryArticle.article_id, ids)
            )
        ).all()
    )
    # A story's centroid (terms, actors) is read only for the few developments shown.
    stories = (
        select(Story)
        .options(defer(Story.terms), defer(Story.actors))
        .where(one_of(session, Story.id, set(assigned.values())))
    )
    rows = {s.id: s for s in session.scalars(stories)}
    days: dict[int, _StoryDay] = {}
    for article in articles:  # newest first already
        story_id = assigned.get(article.id)
        if story_id is None:
            continue
        days.setdefault(story_id, _StoryDay(rows[story_id], [])).today.append(article)
    return days


def _known_articles(session: Session, days: dict[int, _StoryDay], window: Window) -> None:
    """Each story's articles from before the window: what a reader of earlier briefings knows
    — published before a calendar day, or arrived before a reader's window."""
    moment = day_time_column()
    before = (moment if window.calendar_day else Article.analysed_at) < window.start
    for story_id, article in session.execute(
        select(StoryArticle.story_id, Article)
        .join(Article, Article.id == StoryArticle.article_id)
        .where(
            one_of(session, StoryArticle.story_id, list(days)), before, Article.status == "analysed"
        )
        .order_by(moment.desc())
    ):
        days[story_id].known.append(article)


def _independent_sources(days: list[_StoryDay], items: dict[int, dict[str, float]]) -> None:
    """Outlets per story, where one outlet counts once and near-identical texts (one agency
    story printed by several outlets) count once too."""
    for day in days:
        articles = day.today
        names = [source_of(a).name for a in articles]
        day.sources = _groups(
            len(articles),
            lambda i, j, a=articles, n=names: (
                n[i] == n[j] or cosine(items[a[i].id], items[a[j].id]) > COPY_SIMILARITY
            ),
        )


def _groups(count: int, same) -> int:
    """How many groups `count` things form when `same(i, j)` joins two (union-find)."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(count):
        for j in range(i + 1, count):
            if root(i) != root(j) and same(i, j):
                parent[root(i)] = root(j)
    return len({root(i) for i in range(count)})


class _Shared:
    """What one data version's news reads the same for every reader whose window holds it,
    read once: kept for the newest version only (once news arrived, no reader asks for the
    older again), the least recently used going first past `bound` entries."""

    def __init__(self, bound: int) -> None:
        self._bound = bound
        self._version: Hashable | None = None
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()  # briefings are built in several threads

    def get(self, version: Hashable, keys: Iterable[Hashable]) -> dict:
        """Those of `keys` already read for `version`."""
        with self._lock:
            if version != self._version:
                return {}
            found = {key: self._items[key] for key in keys if key in self._items}
            for key in found:
                self._items.move_to_end(key)
            return found

    def put(self, version: Hashable, items: dict) -> None:
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._version = version
            self._items.update(items)
            while len(self._items) > self._bound:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._version = None


class _Named(NamedTuple):
    """A person or organisation an article names."""

    article_id: int
    actor_id: int
    salience: float
    role: str | None
    name: str
    kind: str


def _people_named(
    session: Session, article_ids: list[int], version: Hashable | None = None
) -> list[_Named]:
    """The people and organisations these articles name: read once per briefing, for the
    stories' weights, their novelty and the key actors — and with the data's `version`, once
    for all readers whose windows hold the article (a large window's people were the largest
    read of a /today: ~6,600 rows)."""
    known = _NAMED.get(version, article_ids) if version is not None else {}
    missing = [a for a in article_ids if a not in known]
    if missing:
        read: dict[int, list[_Named]] = {a: [] for a in missing}
        for row in _read_people_named(session, missing):
            read[row.article_id].append(row)
        if version is not None:
            _NAMED.put(version, read)
        known.update(read)
    return [row for a in article_ids for row in known[a]]


_NAMED = _Shared(20_000)  # article id → its people; a week of a large newsroom's news


def _read_people_named(session: Session, article_ids: list[int]) -> list[_Named]:
    return [
        _Named(*row)
        for row in session.execute(
            select(
                ArticleActor.article_id,
                ArticleActor.actor_id,
                ArticleActor.salience,
                ArticleActor.role,
                Actor.name,
                Actor.kind,
            )
            .join(Actor, Actor.id == ArticleActor.actor_id)
            .where(one_of(session, ArticleActor.article_id, article_ids), Actor.kind.in_(PEOPLE))
        )
    ]


def _actor_weights(
    session: Session, days: list[_StoryDay], start: dt.datetime, named: list[_Named]
) -> None:
    """Each story's actors, weighted by how often they were in the news over the last week
    (log-scaled), summed over the story's three most salient ones."""
    by_article = {a.id: d.story.id for d in days for a in d.today}
    salience: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for row in named:
        if row.article_id in by_article:
            salience[by_article[row.article_id]][row.actor_id] += row.salience
    tops = {day.story.id: salience[day.story.id].most_common(3) for day in days}
    # From the per-day counts the database keeps: counting a week of article_actors read
    # ~100,000 rows for each briefing at 1,000 articles a day.
    wanted = list({actor for top in tops.values() for actor, _w in top})
    since = (start - dt.timedelta(days=ACTOR_DAYS)).date()
    prominence = articles_per_actor(session, wanted, since)
    for day in days:
        day.actors = sum(math.log1p(prominence.get(actor, 1)) for actor, _w in tops[day.story.id])


def _novelty(
    session: Session, days: list[_StoryDay], named: list[_Named], version: Hashable | None
) -> None:
    """1 for a story new today; for a continuing one, 0.3 plus how many of today's people
    and organisations are new to it."""
    continuing = [d for d in days if d.known]
    if not continuing:
        return
    actors: dict[int, set[int]] = collections.defaultdict(set)
    for row in named:
        actors[row.article_id].add(row.actor_id)
    known = [a.id for d in continuing for a in d.known[:KNOWN_ARTICLES]]
    for row in _people_named(session, known, version):
        actors[row.article_id].add(row.actor_id)
    for day in continuing:
        today = set().union(*(actors[a.id] for a in day.today))
        known = set().union(*(actors[a.id] for a in day.known[:KNOWN_ARTICLES]))
        share = len(today - known) / len(today) if today else 0.0
        day.novelty = 0.3 + 0.7 * share


def rank_stories(
    session: Session,
    days: dict[int, _StoryDay],
    window: Window,
    limits: BriefingConfig,
    named: list[_Named],
    version: Hashable | None = None,
) -> list[_StoryDay]:
    """The window's stories, best first: independent sources, recency, the actors' weight and
    novelty, each scaled to 0..1 over the window and weighted by the configuration."""
    stories = list(days.values())
    start, end = window.start, window.end
    _known_articles(session, days, window)
    several = [a for d in stories if len(d.today) > 1 for a in d.today]
    items = {item.key: item.terms for item in article_items(session, several)} if several else {}
    _independent_sources(stories, items)
    _actor_weights(session, stories, start, named)
    _novelty(session, stories, named, version)
    span = (end - start).total_seconds() or 1.0
    top_sources = max(d.sources for d in stories)
    top_actors = max(d.actors for d in stories) or 1.0
    for day in stories:
        newest = max(a.day_time for a in day.today)
        day.recency = min(max(1.0 - (end - newest).total_seconds() / span, 0.0), 1.0)
        sources = math.log1p(day.sources) / math.log1p(top_sources)
        day.score = (
            limits.weight_sources * sources
            + limits.weight_recency * day.recency
            + limits.weight_actors * day.actors / top_actors
            + limits.weight_novelty * day.novelty
        )
    return sorted(stories, key=lambda d: (-d.score, -len(d.today), d.story.id))


# --- one development ---------------------------------------------------------------------------


TITLE_CHOICES = 4  # headlines closest to the story's centre that may name it


_WRITTEN = _Shared(512)  # developments, by story and the articles of it a window holds


def _development(
    session: Session,
    day: _StoryDay,
    since: dt.datetime,
    zone: dt.tzinfo,
    limits: BriefingConfig,
    version: Hashable | None = None,
) -> Development:
    """The story's development in this window. Written once per data `version` for all readers
    whose windows hold the same articles of the story (1,000 readers' /today wrote 21 distinct
    developments 455 times): only the score and the moment "new since" names are a reader's."""
    if version is None:
        return _write_development(session, day, since, zone, limits)
    key = (
        day.story.id,
        tuple(a.id for a in day.today),
        tuple(a.id for a in day.known[:KNOWN_ARTICLES]),
        str(zone),
        limits.sentences_per_development,
    )
    written = _WRITTEN.get(version, [key]).get(key)
    if written is None:
        written = _write_development(session, day, since, zone, limits)
        _WRITTEN.put(version, {key: written})
    return dataclasses.replace(
        written,
        score=round(day.score, 3),
        summary=list(written.summary),  # the reader's reading budget may shorten it
        new=dataclasses.replace(written.new, since=since) if written.new else None,
    )


def _write_development(
    session: Session, day: _StoryDay, since: dt.datetime, zone: dt.tzinfo, limits: BriefingConfig
) -> Development:
    story = day.story
    # The article closest to the story's centroid gives the headline and leads the summary.
    items = {i.key: i.terms for i in article_items(session, day.today)}
    today = sorted(
        day.today, key=lambda a: (-cosine(items[a.id], story.terms or {}), -a.day_time.timestamp())
    )
    # Of the headlines near the centre, the cleanest (no kicker glued on) names the development.
    lead = cleanest([a.title for a in today[:TITLE_CHOICES]])
    today.insert(0, today.pop(lead))
    by_id = {a.id: a for a in (*today, *day.known)}
    candidates = story_candidates(session, today)
    count = limits.sentences_per_development
    new = None
    summary: list[Candidate] = []
    summary_is_new = False
    figures: list[Figure]
    if day.known:
        known = day.known[:KNOWN_ARTICLES]
        known_candidates = story_candidates(session, known)
        new = what_is_new(session, known, today, candidates, known_candidates, since)
        # What the reader may have read: the top of the known articles.
        read = [c.text for c in known_candidates if c.lead < SENTENCES_PER_ARTICLE]
        summary = summarise(candidates, count, known=read)
        summary_is_new = bool(summary)
        figures = new.figures
    else:
        figures = candidate_figures(candidates)
    if not summary:
        summary = summarise(candidates, count)
    actors = collections.Counter()
    for name, weight in session.execute(
        select(Actor.name, ArticleActor.salience)
        .join(ArticleActor, ArticleActor.actor_id == Actor.id)
        .where(one_of(session, ArticleActor.article_id, [a.id for a in today]))
    ):
        actors[name] += weight
    sources = list({source_of(a).name: source_of(a) for a in today}.values())
    first_day = _local_day(story.first_seen_at, zone)
    return Development(
        story_id=story.id,
        title=clean_title(today[0].title),
        summary=[SummaryLine(c.text, source_of(by_id[c.article_id])) for c in summary],
        sources=sources,
        actors=[name for name, _w in actors.most_common(6)],
        score=round(day.score, 3),
        article_ids=[a.id for a in today],
        day=(_local_day(day.today[0].day_time, zone) - first_day).days + 1,
        first_day=first_day,
        new=new,
        summary_is_new=summary_is_new,
        figures=figures,
    )


def _local_day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).date()


def _fit_budget(developments: list[Development], words: int) -> list[Development]:
    """Keep the developments within the reading budget: first the lower-ranked ones lose
    summary sentences (each keeps one), then developments go from the bottom (one stays)."""

    def total() -> int:
        return sum(
            len(d.title.split()) + sum(len(s.text.split()) for s in d.summary) for d in developments
        )

    while total() > words:
        longer = [d for d in developments if len(d.summary) > 1]
        if longer:
            longer[-1].summary.pop()
        elif len(developments) > 1:
            developments.pop()
        else:
            break
    return developments


def _figures_of_day(developments: list[Development], limit: int) -> list[FigureLine]:
    """The day's key figures: the best one of each development, in ranking order."""
    lines = []
    for development in developments:
        if len(lines) >= limit:
            break
        if development.figures:
            figure = development.figures[0]
            source = next(
                (s.source for s in development.summary if s.text == figure.sentence),
                None,
            )
            lines.append(
                FigureLine(
                    label=figure.label,
                    sentence=figure.sentence,
                    source=source or development.source,
                    story=development.title,
                )
            )
    return lines


# --- key actors --------------------------------------------------------------------------------


def _actor_lines(
    session: Session, articles: list[Article], limit: int, named: list[_Named]
) -> list[ActorLine]:
    ids = [a.id for a in articles]
    weights: collections.Counter = collections.Counter()
    roles: dict[int, str] = {}
    by_id = {a.id: a for a in articles}
    # News agencies are where the news comes from ("berichtet die APA"), not who made it.
    rows = [r for r in named if r.article_id in by_id and r.name not in AGENCIES]
    mentioned_in: dict[int, list[Article]] = collections.defaultdict(list)
    # Newest article first, so the most recent role wins.
    names = {r.actor_id: r.name for r in rows}
    kinds = {r.actor_id: r.kind for r in rows}
    moment = {a.id: a.day_time for a in articles}
    for article_id, actor_id, salience, role, *_name_kind in sorted(
        rows, key=lambda r: moment[r.article_id], reverse=True
    ):
        mentioned_in[actor_id].append(by_id[article_id])
        weights[actor_id] += salience
        if role:
            roles.setdefault(actor_id, role)
    # A few more than shown: some are named only in passing. Their sentences and quotes come
    # in one query each per batch of candidates, as many batches as it takes to fill the lines.
    ranked = [actor_id for actor_id, _w in weights.most_common(4 * limit)]
    batch = limit + limit // 2
    lines: list[ActorLine] = []
    for first in range(0, len(ranked), batch):
        if len(lines) == limit:
            break
        candidates = [
            a for a in ranked[first : first + batch] if not is_outlet(names[a], mentioned_in[a])
        ]  # not the paper itself, asking the questions of its interviews ("STANDARD: …")
        statements = sentences_naming(
            session, {a: [article.id for article in mentioned_in[a]] for a in candidates}, 60
        )
        quotes = quotes_of(session, candidates, ids)
        for actor_id in candidates:
            did = best_statement(statements.get(actor_id, []))
            said = best_quote(quotes.get(actor_id, []), by_id)
            if did is None and said is None:
                continue  # named only in passing today: nothing to say who did what
            lines.append(
                ActorLine(
                    actor_id=actor_id,
                    name=names[actor_id],
                    kind=kinds[actor_id],
                    role=roles.get(actor_id),
                    did=did,
                    said=said,
                    weight=round(weights[actor_id], 3),
                )
            )
            if len(lines) == limit:
                break
    return lines


def is_outlet(name: str, articles: list[Article]) -> bool:
    """Whether `name` names the outlet of one of these articles: a word of its publisher's name
    ("DER STANDARD"), or the end of its web address's main part ("derstandard.at")."""
    key = name.casefold()
    for article in articles:
        if article.outlet and key in re.findall(r"\w+", article.outlet.casefold()):
            return True
        main = (_web_host(article) or "").casefold().split(".")[-2:-1]  # news.orf.at → ["orf"]
        if main and (main[0] == key or (len(key) >= 4 and main[0].endswith(key))):
            return True
    return False


class ActorSentence(NamedTuple):
    article_id: int
    text: str
    key_rank: int | None
    position: int
    # The actor is named in the sentence's first third, where German puts the subject: the
    # sentence is about what they did, not one that names them in passing ("… das Verhältnis
    # Moskaus zur EU").
    named_early: bool

    @property
    def rank(self) -> tuple:
        """The order to pick an article's sentences in: about the actor, then importance."""
        return (not self.named_early, self.key_rank is None, self.key_rank or 0, self.position)


def actor_sentences(
    session: Session, actor_id: int, article_ids: list[int], max_words: int = 80
) -> list[ActorSentence]:
    """Sentences of these articles that name the actor and say what they did: no quotes, no
    questions, no boilerplate, no fragments."""
    return sentences_naming(session, {actor_id: article_ids}, max_words).get(actor_id, [])


def sentences_naming(
    session: Session, articles_of: dict[int, list[int]], max_words: int = 80
) -> dict[int, list[ActorSentence]]:
    """`actor_sentences` of several actors at once, by actor: `articles_of` maps each actor to
    the articles to read (those that name them)."""
    rows = session.execute(
        select(
            Mention.actor_id,
            Sentence.article_id,
            Sentence.text,
            Sentence.key_rank,
            Sentence.position,
            Mention.text,
        )
        .join(
            Mention,
            (Mention.article_id == Sentence.article_id) & (Mention.sentence == Sentence.position),
        )
        .where(
            # One (actor, article) index range per actor: its articles only.
            or_(
                *(
                    (Mention.actor_id == actor_id)
                    & one_of(session, Mention.article_id, article_ids)
                    for actor_id, article_ids in articles_of.items()
                )
            ),
            Sentence.boilerplate.is_(False),
        )
    ).all()
    wanted = {actor_id for actor_id, *_rest in rows}
    surnames = {
        actor_id: (name.split() or [""])[-1]
        for actor_id, name in session.execute(
            select(Actor.id, Actor.name).where(one_of(session, Actor.id, wanted))
        )
    }
    found: dict[int, dict[tuple[int, int], ActorSentence]] = collections.defaultdict(dict)
    for actor_id, article_id, text, key_rank, position, name in rows:
        # A question is no deed: the interviewer's "STANDARD: Warum tut sich die Ukraine so schwer?"
        if (
            not 6 <= len(text.split()) <= max_words
            or text[:1] in '„"»“'
            or text.rstrip().endswith("?")
        ):
            continue
        at = text.find(name)
        # "Putins Beraterin sagte …" is about the adviser: a genitive names a possessor.
        surname = surnames[actor_id]
        genitive = (name.split() or [""])[-1] in {surname + "s", surname + "'"}
        early = 0 <= at <= len(text) // 3 and not genitive
        known = found[actor_id].get((article_id, position))
        if known is None or (early and not known.named_early):
            found[actor_id][article_id, position] = ActorSentence(
                article_id, text, key_rank, position, early
            )
    return {actor_id: list(sentences.values()) for actor_id, sentences in found.items()}


def best_statement(candidates: list[ActorSentence]) -> str | None:
    """The day's highest-ranked sentence about what the actor did: one that names them early
    (a sentence naming them in passing says nothing about them)."""
    about = [r for r in candidates if r.named_early]
    return min(about, key=lambda r: r.rank).text if about else None


def quotes_of(
    session: Session, actor_ids: list[int], article_ids: list[int]
) -> dict[int, list[Quote]]:
    """What these actors said in these articles, by actor."""
    quotes: dict[int, list[Quote]] = collections.defaultdict(list)
    for quote in session.scalars(
        select(Quote).where(
            one_of(session, Quote.speaker_id, actor_ids),
            one_of(session, Quote.article_id, article_ids),
        )
    ):
        quotes[quote.speaker_id].append(quote)
    return quotes


def best_quote(quotes: list[Quote], articles: dict[int, Article]) -> QuoteRef | None:
    # Their own words first: a full direct quote, else a short one, else reported speech.
    direct = [q for q in quotes if q.direct]
    full = [q for q in direct if len(q.text.split()) >= 5] or direct or list(quotes)
    if not full:
        return None
    quote = min(full, key=lambda q: (q.article_id, q.start_char))
    return QuoteRef(quote.text, source_of(articles[quote.article_id]), quote.direct)


# --- the briefing ------------------------------------------------------------------------------


def warm_up() -> None:
    """Load the word lists a briefing reads (the lexicon behind compound heads, ~2 s), so that
    the first reader after a start does not wait for them."""
    content_terms("Flüchtlingslager", heads=True)


def build_briefing(
    session: Session,
    window: Window,
    limits: BriefingConfig,
    language: str,
    filter: ReaderFilter | None = None,
    version: Hashable | None = None,
) -> Briefing:
    """The briefing of the news in `window`. A story's articles from before the window count
    as known: the reader saw them in an earlier briefing (or on an earlier day). With a
    reader's `filter`, what it hides is left out, the next ranked developments fill up, and
    `hidden` counts what was left out. With the data's `version` (what changes when articles
    arrive or are analysed), developments other readers' briefings wrote are reused."""
    if window.calendar_day:
        articles = articles_between(session, window.start, window.end)
    else:
        articles = articles_arrived(session, window.start, window.end, window.oldest)
    briefing = Briefing(window=window, language=language, article_count=len(articles))
    if not articles:
        return briefing
    days = _stories_of(session, articles)
    briefing.story_count = len(days)
    if not days:  # none has its story yet
        return briefing
    since, zone = window.start, window.tz
    named = _people_named(session, [a.id for a in articles], version)
    ranked = rank_stories(session, days, window, limits, named, version)
    if filter is None or filter.empty:
        developments = [
            _development(session, d, since, zone, limits, version)
            for d in ranked[: limits.developments]
        ]
    else:
        developments, hidden_ids = _filtered(
            session, ranked, since, zone, limits, filter, briefing, version
        )
        # Nor are the people of hidden stories the key actors for this reader.
        story_of = {a.id: story_id for story_id, d in days.items() for a in d.today}
        articles = [a for a in articles if story_of.get(a.id) not in hidden_ids]
    briefing.developments = _fit_budget(developments, limits.reading_words)
    briefing.figures = _figures_of_day(briefing.developments, limits.figures)
    briefing.actors = _actor_lines(session, articles, limits.actors, named)
    return briefing


def _filtered(
    session: Session,
    ranked: list[_StoryDay],
    since: dt.datetime,
    zone: dt.tzinfo,
    limits: BriefingConfig,
    filter: ReaderFilter,
    briefing: Briefing,
    version: Hashable | None,
) -> tuple[list[Development], set[int]]:
    """The ranked developments the filter lets through, up to the configured number, and the
    ids of the stories it hid (every story of a switched-off topic, and those passed over).
    A topic hides a story before its summary is built; words are read in title and summary."""
    topics = story_topics(session, {d.story.id: d.today for d in ranked})
    hidden = {d.story.id for d in ranked if filter.hides_topic(topics[d.story.id])}
    shown: list[Development] = []
    for day in ranked:
        if len(shown) == limits.developments:
            break
        topic = topics[day.story.id]
        if day.story.id not in hidden:
            development = _development(session, day, since, zone, limits, version)
            texts = [development.title, *(line.text for line in development.summary)]
            if not filter.hides(topic, texts):
                shown.append(development)
                continue
            hidden.add(day.story.id)
        briefing.hidden[topic or ""] = briefing.hidden.get(topic or "", 0) + 1
    return shown, hidden
