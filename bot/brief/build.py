"""A day's briefing as plain data: the top developments and the key actors, from the store."""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import BriefingConfig
from bot.store.articles import articles_of_day
from bot.store.schema import Actor, Article, ArticleActor, Mention, Quote, Sentence

PEOPLE = ("PER", "ORG")


@dataclass
class SourceRef:
    name: str
    url: str | None  # a web address to link, None for local files


@dataclass
class Development:
    article_id: int
    title: str
    summary: list[str]
    source: SourceRef
    actors: list[str]
    score: float


@dataclass
class QuoteRef:
    text: str
    source: SourceRef


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
    day: dt.date
    language: str
    developments: list[Development] = field(default_factory=list)
    actors: list[ActorLine] = field(default_factory=list)
    article_count: int = 0

    @property
    def empty(self) -> bool:
        return not self.developments


def source_of(article: Article) -> SourceRef:
    """A readable source name and, for web articles, the link."""
    url = article.url if article.url.startswith(("http://", "https://")) else None
    if article.outlet:
        name = article.outlet
    elif url:
        name = urlparse(url).hostname or url
        name = name.removeprefix("www.")
    else:
        name = Path(urlparse(article.url).path).name or article.url
    return SourceRef(name=name, url=url)


def _summary(session: Session, article: Article, sentences: int) -> list[str]:
    """The article's best sentences in reading order, without its headline repeated."""
    key = session.scalars(
        select(Sentence)
        .where(Sentence.article_id == article.id, Sentence.key_rank.is_not(None))
        .order_by(Sentence.key_rank)
    ).all()
    title = article.title.rstrip(" …")
    chosen = [s for s in key if not s.text.startswith(title)][:sentences]
    return [s.text for s in sorted(chosen, key=lambda s: s.position)]


def _development(session: Session, article: Article, limits: BriefingConfig) -> Development:
    rows = session.execute(
        select(Actor.name, Actor.kind, ArticleActor.salience)
        .join(ArticleActor, ArticleActor.actor_id == Actor.id)
        .where(ArticleActor.article_id == article.id)
        .order_by(ArticleActor.salience.desc())
    ).all()
    quotes = session.scalar(
        select(Quote.id).where(Quote.article_id == article.id, Quote.speaker_id.is_not(None))
    )
    people = [r for r in rows if r.kind in PEOPLE]
    score = sum(r.salience for r in people[:5]) + (3.0 if quotes else 0.0)
    return Development(
        article_id=article.id,
        title=article.title,
        summary=_summary(session, article, limits.sentences_per_development),
        source=source_of(article),
        actors=[r.name for r in rows[:6]],
        score=round(score, 3),
    )


def _actor_lines(session: Session, articles: list[Article], limit: int) -> list[ActorLine]:
    ids = [a.id for a in articles]
    weights: collections.Counter = collections.Counter()
    roles: dict[int, str] = {}
    by_id = {a.id: a for a in articles}
    rows = session.execute(
        select(
            ArticleActor.actor_id, ArticleActor.salience, ArticleActor.role, ArticleActor.article_id
        )
        .join(Actor, Actor.id == ArticleActor.actor_id)
        .where(ArticleActor.article_id.in_(ids), Actor.kind.in_(PEOPLE))
    ).all()
    # Newest article first, so the most recent role wins.
    for actor_id, salience, role, _article in sorted(
        rows, key=lambda r: by_id[r.article_id].day_time, reverse=True
    ):
        weights[actor_id] += salience
        if role:
            roles.setdefault(actor_id, role)
    lines = []
    for actor_id, weight in weights.most_common(limit):
        actor = session.get(Actor, actor_id)
        lines.append(
            ActorLine(
                actor_id=actor_id,
                name=actor.name,
                kind=actor.kind,
                role=roles.get(actor_id),
                did=best_statement(session, actor_id, ids),
                said=best_quote(session, actor_id, ids, by_id),
                weight=round(weight, 3),
            )
        )
    return lines


def best_statement(session: Session, actor_id: int, article_ids: list[int]) -> str | None:
    """The highest-ranked sentence of the day that names the actor and is not a quote."""
    rows = session.execute(
        select(Sentence.text, Sentence.key_rank, Sentence.position)
        .join(
            Mention,
            (Mention.article_id == Sentence.article_id) & (Mention.sentence == Sentence.position),
        )
        .where(
            Mention.actor_id == actor_id,
            Sentence.article_id.in_(article_ids),
            Sentence.boilerplate.is_(False),
        )
    ).all()
    candidates = [r for r in rows if 6 <= len(r.text.split()) <= 60 and r.text[:1] not in '„"»“']
    if not candidates:
        return None
    best = min(candidates, key=lambda r: (r.key_rank is None, r.key_rank or 0, r.position))
    return best.text


def best_quote(
    session: Session, actor_id: int, article_ids: list[int], articles: dict[int, Article]
) -> QuoteRef | None:
    quotes = session.scalars(
        select(Quote).where(Quote.speaker_id == actor_id, Quote.article_id.in_(article_ids))
    ).all()
    full = [q for q in quotes if len(q.text.split()) >= 5] or list(quotes)
    if not full:
        return None
    quote = min(full, key=lambda q: (q.article_id, q.start_char))
    return QuoteRef(text=quote.text, source=source_of(articles[quote.article_id]))


def build_briefing(
    session: Session, day: dt.date, zone: dt.tzinfo, limits: BriefingConfig, language: str
) -> Briefing:
    articles = articles_of_day(session, day, zone)
    briefing = Briefing(day=day, language=language, article_count=len(articles))
    if not articles:
        return briefing
    developments = [_development(session, a, limits) for a in articles]
    developments.sort(key=lambda d: -d.score)
    briefing.developments = developments[: limits.developments]
    briefing.actors = _actor_lines(session, articles, limits.actors)
    return briefing
