"""Articles and sources in the store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.collect.dedup import canonical_url, content_hash
from bot.collect.types import RawArticle
from bot.store.schema import Article, Source, utcnow


def source_for(session: Session, kind: str, location: str, title: str | None = None) -> Source:
    source = session.scalar(select(Source).where(Source.location == location))
    if source is None:
        source = Source(kind=kind, location=location, title=title)
        session.add(source)
        session.flush()
    return source


def add_article(session: Session, raw: RawArticle, source: Source | None) -> str:
    """Store one article: 'new', 'updated' (same URL, new text), or 'unchanged'/'duplicate'."""
    url = canonical_url(raw.url)
    digest = content_hash(raw.text)
    existing = session.scalar(select(Article).where(Article.url == url))
    if existing is not None:
        if existing.content_hash == digest:
            return "unchanged"
        if session.scalar(select(Article.id).where(Article.content_hash == digest)):
            return "duplicate"
        existing.title, existing.text, existing.content_hash = raw.title, raw.text, digest
        existing.published_at = raw.published_at or existing.published_at
        existing.status, existing.skip_reason = "new", None
        return "updated"
    if session.scalar(select(Article.id).where(Article.content_hash == digest)):
        return "duplicate"
    session.add(
        Article(
            source=source,
            url=url,
            title=raw.title[:500],
            text=raw.text,
            language=raw.language,
            author=(raw.author or "")[:300] or None,
            outlet=(raw.outlet or "")[:300] or None,
            published_at=raw.published_at,
            content_hash=digest,
        )
    )
    session.flush()
    return "new"


def pending_ids(session: Session, limit: int | None = None) -> list[int]:
    query = select(Article.id).where(Article.status == "new").order_by(Article.id)
    return list(session.scalars(query.limit(limit)))


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """A local calendar day as naive-UTC [start, end)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.replace(tzinfo=None), end.astimezone(dt.UTC).replace(tzinfo=None)


def day_time_column():
    """SQL for the time that places an article on a day: published, else ingested."""
    return func.coalesce(Article.published_at, Article.ingested_at)


def articles_of_day(session: Session, day: dt.date, zone: dt.tzinfo) -> list[Article]:
    start, end = day_bounds(day, zone)
    moment = day_time_column()
    query = (
        select(Article)
        .where(Article.status == "analysed", moment >= start, moment < end)
        .order_by(moment.desc())
    )
    return list(session.scalars(query))


def latest_day(session: Session, zone: dt.tzinfo) -> dt.date | None:
    """The local day of the newest analysed article."""
    newest = session.scalar(select(func.max(day_time_column())).where(Article.status == "analysed"))
    if newest is None:
        return None
    if isinstance(newest, str):  # SQLite returns coalesce() results as text
        newest = dt.datetime.fromisoformat(newest)
    return newest.replace(tzinfo=dt.UTC).astimezone(zone).date()


def touch_source(session: Session, source: Source, error: str | None = None) -> None:
    if error:
        source.last_error, source.last_error_at = error[:500], utcnow()
    else:
        source.last_success_at = utcnow()
