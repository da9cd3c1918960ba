"""An actor's dossier: role, what they did and said (with sources), who they dealt with, and
what is new since a given time (the reader's last briefing)."""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.brief.build import QuoteRef, SourceRef, source_of
from bot.store.articles import day_time_column
from bot.store.schema import Actor, Article, ArticleActor, Mention, Quote, Sentence


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
class Dossier:
    actor_id: int
    name: str
    kind: str
    roles: list[str]  # newest first
    statements: list[Statement] = field(default_factory=list)
    quotes: list[tuple[QuoteRef, bool]] = field(default_factory=list)  # (quote, new?)
    partners: list[Partner] = field(default_factory=list)
    article_count: int = 0
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    since: dt.datetime | None = None

    @property
    def new_items(self) -> int:
        return sum(s.new for s in self.statements) + sum(new for _q, new in self.quotes)


def build_dossier(
    session: Session,
    actor_id: int,
    since: dt.datetime | None = None,
    limit: int = 5,
    days: int = 14,
    now: dt.datetime | None = None,
) -> Dossier | None:
    actor = session.get(Actor, actor_id)
    if actor is None:
        return None
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    moment = day_time_column()
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article)
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
                    ArticleActor.article_id.in_(ids),
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
    )
    dossier.statements = _statements(session, actor_id, articles, is_new, limit)
    dossier.quotes = [
        (QuoteRef(q.text, source_of(articles[q.article_id])), is_new(articles[q.article_id]))
        for q in session.scalars(
            select(Quote)
            .where(Quote.speaker_id == actor_id, Quote.article_id.in_(ids))
            .order_by(Quote.article_id.desc(), Quote.start_char)
        )
    ][:limit]
    dossier.partners = _partners(session, actor_id, ids)
    return dossier


def _statements(session, actor_id, articles, is_new, limit) -> list[Statement]:
    rows = session.execute(
        select(Sentence.article_id, Sentence.text, Sentence.key_rank, Sentence.position)
        .join(
            Mention,
            (Mention.article_id == Sentence.article_id) & (Mention.sentence == Sentence.position),
        )
        .where(
            Mention.actor_id == actor_id,
            Sentence.article_id.in_(list(articles)),
            Sentence.boilerplate.is_(False),
        )
        .distinct()
    ).all()
    rows = [r for r in rows if 6 <= len(r.text.split()) <= 80 and r.text[:1] not in '„"»“']
    # Newest articles first; within one, the article's own order of importance.
    rows.sort(
        key=lambda r: (
            -articles[r.article_id].day_time.timestamp(),
            r.key_rank is None,
            r.key_rank or 0,
            r.position,
        )
    )
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
            mine.article_id.in_(article_ids),
        )
    ).all()
    counts = collections.Counter(r.actor_id for r in rows)
    partners = []
    for other_id, times in counts.most_common(20):
        actor = session.get(Actor, other_id)
        if actor.kind in ("PER", "ORG"):
            partners.append(Partner(other_id, actor.name, actor.kind, times))
    return partners[:8]
