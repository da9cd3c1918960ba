"""Sources in the store: feeds and folders, their health, and the feed items already handled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.store.db import insert_or_ignore, one_of
from bot.store.schema import ArticleSource, FeedItem, Source, utcnow

ITEM_MEMORY_DAYS = 90  # items gone from their feed this long are forgotten


def source_for(session: Session, kind: str, location: str, title: str | None = None) -> Source:
    source = session.scalar(select(Source).where(Source.location == location))
    if source is None:
        _create(session, kind=kind, location=location, title=title)
        source = session.scalar(select(Source).where(Source.location == location))
    return source


def _create(session: Session, **values: str | None) -> bool:
    """A new source row — unless another process created it a moment ago (then False)."""
    values["title"] = (values.get("title") or "")[:500] or None
    return insert_or_ignore(session, Source.__table__, [values], ["location"]) == 1


def record_state(session: Session, source: Source, status: str, error: str | None = None) -> None:
    """What the last run of a source did, in one line; an error also keeps its time."""
    source.last_status = status[:300]
    if error:
        source.last_error, source.last_error_at = error[:500], utcnow()
    else:
        source.last_success_at = utcnow()


def active_feeds(session: Session) -> list[Source]:
    """The feeds the collector reads: active ones, in the order they were added."""
    query = select(Source).where(Source.kind == "feed", Source.active.is_(True))
    return list(session.scalars(query.order_by(Source.id)))


def find_feed(session: Session, location: str) -> Source | None:
    return session.scalar(select(Source).where(Source.kind == "feed", Source.location == location))


def ensure_feed(
    session: Session, location: str, origin: str, title: str | None = None
) -> tuple[Source, bool]:
    """The feed at `location`, created or reactivated; True when it was not collected before.
    A feed a reader added keeps origin "user" even when the config lists it too."""
    source = session.scalar(select(Source).where(Source.location == location))
    if source is None and _create(
        session, kind="feed", location=location, title=title, origin=origin
    ):
        return session.scalar(select(Source).where(Source.location == location)), True
    if source is None:  # created by another process just now
        source = session.scalar(select(Source).where(Source.location == location))
    was_active = source.active
    source.active = True
    source.kind = "feed"
    if origin == "user" or source.origin is None:
        source.origin = origin
    source.title = source.title or title
    return source, not was_active


@dataclass(frozen=True)
class SourceHealth:
    kind: str
    location: str
    title: str | None
    feed_url: str | None
    origin: str | None
    last_success_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    last_status: str | None
    articles: int

    @property
    def state(self) -> str:
        """ "ok", "error" (the last run failed) or "new" (never run)."""
        if self.last_error_at and (
            self.last_success_at is None or self.last_error_at >= self.last_success_at
        ):
            return "error"
        return "ok" if self.last_success_at else "new"


def health(session: Session) -> list[SourceHealth]:
    """Every active source with its state and the number of articles it brought."""
    counts = dict(
        session.execute(
            select(ArticleSource.source_id, func.count(func.distinct(ArticleSource.article_id)))
            .where(ArticleSource.source_id.is_not(None))
            .group_by(ArticleSource.source_id)
        ).all()
    )
    query = select(Source).where(Source.active.is_(True)).order_by(Source.kind, Source.id)
    return [
        SourceHealth(
            kind=s.kind,
            location=s.location,
            title=s.title,
            feed_url=s.feed_url if s.feed_url != s.location else None,
            origin=s.origin,
            last_success_at=s.last_success_at,
            last_error=s.last_error,
            last_error_at=s.last_error_at,
            last_status=s.last_status,
            articles=counts.get(s.id, 0),
        )
        for s in session.scalars(query)
    ]


def known_items(session: Session, source_ids: list[int]) -> dict[int, dict[str, str]]:
    """source id → {item key → digest} for the feed items handled before."""
    known: dict[int, dict[str, str]] = {i: {} for i in source_ids}
    if source_ids:
        rows = session.execute(
            select(FeedItem.source_id, FeedItem.item_key, FeedItem.digest).where(
                one_of(session, FeedItem.source_id, source_ids)
            )
        )
        for source_id, key, digest in rows:
            known[source_id][key] = digest
    return known


def remember_item(
    session: Session,
    source_id: int,
    key: str,
    digest: str,
    article_id: int | None,
    known: bool = True,
) -> None:
    """Remember a handled item; `known=False` (a key never seen) skips the look-up."""
    item = session.get(FeedItem, (source_id, key)) if known else None
    if item is None:
        session.add(
            FeedItem(source_id=source_id, item_key=key, digest=digest, article_id=article_id)
        )
    else:
        item.digest, item.last_seen_at = digest, utcnow()
        item.article_id = article_id or item.article_id


def touch_items(session: Session, source_id: int, keys: list[str]) -> None:
    """Items still in the feed stay remembered."""
    for start in range(0, len(keys), 500):  # stays below every database's parameter limit
        session.execute(
            update(FeedItem)
            .where(
                FeedItem.source_id == source_id,
                one_of(session, FeedItem.item_key, keys[start : start + 500]),
            )
            .values(last_seen_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def forget_old_items(session: Session, days: int = ITEM_MEMORY_DAYS) -> None:
    session.execute(
        delete(FeedItem).where(FeedItem.last_seen_at < utcnow() - dt.timedelta(days=days))
    )
