"""An actor's dossier: role, what they did and said (with sources), who they dealt with, and
what is new since a given time (the reader's last briefing)."""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.brief.build import QuoteRef, SourceRef, actor_sentences, source_of
from bot.config import BriefingConfig
from bot.store.articles import WITHOUT_TEXT, day_time_column
from bot.store.db import one_of
from bot.store.schema import Actor, Article, ArticleActor, Mention, Quote, StoryArticle

# The timeline covers this many days, one line per story and day.
TIMELINE_DAYS, TIMELINE_ENTRIES = 7, 8


@dataclass
class Statement:
    text: str
    source: SourceRef
    when: dt.datetime
    new: bool


@dataclass
class Partner:
    actor_id: int
    name: str
    kind: str
    times: int


@dataclass
class TimelineEntry:
    """One of the actor's stories on one day: what the actor did there, with its source."""

    day: dt.date
    story_id: int
    title: str
    text: str | None  # the best sentence that names the actor, if any
    source: SourceRef
    articles: int
    new: bool  # dated after the reader's last briefing


@dataclass
class Dossier:
    actor_id: int
    name: str
    kind: str
    roles: list[str]  # newest first
    statements: list[Statement] = field(default_factory=list)
    quotes: list[tuple[QuoteRef, bool]] = field(default_factory=list)  # (quote, new?)
    partners: list[Partner] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)  # newest day first
    article_count: int = 0
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    since: dt.datetime | None = None
    now: dt.datetime | None = None

    @property
    def since_yesterday(self) -> bool:
        """Whether "new" reaches back about a day, so "seit gestern" says it."""
        if self.since is None or self.now is None:
            return False
        return self.now - self.since <= dt.timedelta(hours=36)

    @property
    def new_items(self) -> int:
        return sum(s.new for s in self.statements) + sum(new for _q, new in self.quotes)

    @property
    def fresh(self) -> list[TimelineEntry]:
        """The timeline's entries since the reader's last briefing: "seit gestern neu"."""
        return [entry for entry in self.timeline if entry.new]


def build_dossier(
    session: Session,
    actor_id: int,
    since: dt.datetime | None = None,
    limit: int = 5,
    days: int = 14,
    now: dt.datetime | None = None,
    zone: dt.tzinfo | None = None,
) -> Dossier | None:
    """The actor's dossier over the last `days` (naive-UTC `now`); `since` marks what is new
    for the reader; `zone` places articles on days (default: the configured default zone)."""
    actor = session.get(Actor, actor_id)
    if actor is None:
        return None
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    moment = day_time_column()
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article)
            .options(WITHOUT_TEXT)
            .join(ArticleActor, ArticleActor.article_id == Article.id)
            .where(ArticleActor.actor_id == actor_id, moment >= now - dt.timedelta(days=days))
            .order_by(moment.desc())
        )
    }
    if not articles:  # quiet lately: the newest articles about the actor, whenever they were
        articles = {
            a.id: a
            for a in session.scalars(
                select(Article)
                .options(WITHOUT_TEXT)
                .join(ArticleActor, ArticleActor.article_id == Article.id)
                .where(ArticleActor.actor_id == actor_id)
                .order_by(moment.desc())
                .limit(20)
            )
        }
    ids = list(articles)

    def is_new(article: Article) -> bool:
        return since is not None and article.ingested_at > since

    roles = [
        role
        for role, _article in sorted(
            session.execute(
                select(ArticleActor.role, ArticleActor.article_id).where(
                    ArticleActor.actor_id == actor_id,
                    one_of(session, ArticleActor.article_id, ids),
                    ArticleActor.role.is_not(None),
                )
            ).all(),
            key=lambda r: articles[r.article_id].day_time,
            reverse=True,
        )
    ]
    dossier = Dossier(
        actor_id=actor.id,
        name=actor.name,
        kind=actor.kind,
        roles=list(dict.fromkeys(roles))[:3],
        article_count=len(ids),
        first_seen=actor.first_seen_at,
        last_seen=actor.last_seen_at,
        since=since,
        now=now,
    )
    dossier.statements = _statements(session, actor_id, articles, is_new, limit)
    dossier.quotes = [
        (
            QuoteRef(q.text, source_of(articles[q.article_id]), q.direct),
            is_new(articles[q.article_id]),
        )
        for q in session.scalars(
            select(Quote)
            .where(Quote.speaker_id == actor_id, one_of(session, Quote.article_id, ids))
            .order_by(Quote.direct.desc(), Quote.article_id.desc(), Quote.start_char)
        )
    ][:limit]
    dossier.partners = _partners(session, actor_id, ids)
    recent = {
        i: a for i, a in articles.items() if a.day_time >= now - dt.timedelta(days=TIMELINE_DAYS)
    }
    zone = zone or ZoneInfo(BriefingConfig().timezone)
    dossier.timeline = _timeline(session, actor_id, recent or articles, since, zone)
    return dossier


def _statements(session, actor_id, articles, is_new, limit) -> list[Statement]:
    rows = actor_sentences(session, actor_id, list(articles))
    # Newest articles first; within one, the article's own order of importance.
    rows.sort(key=lambda r: (-articles[r.article_id].day_time.timestamp(), r.rank))
    out = []
    for row in rows[:limit]:
        article = articles[row.article_id]
        out.append(Statement(row.text, source_of(article), article.day_time, is_new(article)))
    return out


def _partners(session: Session, actor_id: int, article_ids: list[int]) -> list[Partner]:
    """Actors named in the same sentences: who the actor met, talked to, dealt with."""
    mine = aliased(Mention)
    other = aliased(Mention)
    rows = session.execute(
        select(other.actor_id)
        .join(
            mine,
            (mine.article_id == other.article_id) & (mine.sentence == other.sentence),
        )
        .where(
            mine.actor_id == actor_id,
            other.actor_id != actor_id,
            one_of(session, mine.article_id, article_ids),
        )
    ).all()
    counts = collections.Counter(r.actor_id for r in rows)
    partners = []
    for other_id, times in counts.most_common(20):
        actor = session.get(Actor, other_id)
        if actor.kind in ("PER", "ORG"):
            partners.append(Partner(other_id, actor.name, actor.kind, times))
    return partners[:8]


def _timeline(
    session: Session,
    actor_id: int,
    articles: dict[int, Article],
    since: dt.datetime | None,
    zone: dt.tzinfo,
) -> list[TimelineEntry]:
    """The actor's developments day by day: per day and story the best sentence naming them.
    An entry is new when one of its articles is dated after `since`, as in the briefing."""
    ids = list(articles)
    stories = dict(
        session.execute(
            select(StoryArticle.article_id, StoryArticle.story_id).where(
                one_of(session, StoryArticle.article_id, ids)
            )
        ).all()
    )
    best: dict[int, tuple] = {}
    for row in actor_sentences(session, actor_id, ids):
        if row.text.startswith(articles[row.article_id].title.rstrip(" …")[:80]):
            continue  # the headline, which the entry shows anyway
        key = row.rank
        if row.article_id not in best or key < best[row.article_id][0]:
            best[row.article_id] = (key, row.text)
    groups: dict[tuple[dt.date, int], list[Article]] = collections.defaultdict(list)
    for article in sorted(articles.values(), key=lambda a: a.day_time, reverse=True):
        local = article.day_time.replace(tzinfo=dt.UTC).astimezone(zone).date()
        groups[(local, stories.get(article.id, -article.id))].append(article)
    entries = []
    for (day, story_id), members in groups.items():
        # The article that says most about the actor stands for the story that day.
        lead = min(members, key=lambda a: (a.id not in best, best[a.id][0] if a.id in best else ()))
        entries.append(
            TimelineEntry(
                day=day,
                story_id=story_id,
                title=lead.title,
                text=best[lead.id][1] if lead.id in best else None,
                source=source_of(lead),
                articles=len(members),
                new=since is not None and any(a.day_time > since for a in members),
            )
        )
    entries.sort(key=lambda e: (e.day, e.articles), reverse=True)
    return entries[:TIMELINE_ENTRIES]
