"""Store what the sources read: new articles in, known ones left alone, bad input reported."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from bot.collect.dedup import NearDuplicates
from bot.collect.files import read_path
from bot.collect.text import one_line
from bot.collect.topics import article_topics
from bot.collect.types import RawArticle, Skipped
from bot.language import detect_language
from bot.store import Store
from bot.store.articles import ArticleBatch, add_article
from bot.store.schema import Source
from bot.store.sources import record_state, source_for
from bot.store.topics import save_all_topics, save_topics

INGEST_BATCH = 50  # items per unit of work

log = logging.getLogger(__name__)

_OUTCOMES = ("new", "updated", "unchanged", "duplicate")


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # Feeds (bot/collect/collector.py): how the feeds fared, and the article pages fetched.
    feeds_read: int = 0
    feeds_unchanged: int = 0  # 304 Not Modified
    feeds_failed: int = 0
    pages_fetched: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: IngestReport) -> None:
        for item in dataclasses.fields(self):
            if item.name != "skipped":
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
        self.skipped += other.skipped


def store_item(
    session: Session,
    source: Source | None,
    item: RawArticle | Skipped,
    report: IngestReport,
    near: NearDuplicates | None = None,
) -> int | None:
    """Store one item and count its outcome; the article's id, None for a skipped item.
    A database refusal for one item is reported and rolled back alone."""
    if isinstance(item, Skipped):
        _skip(item, report)
        return None
    try:
        item = _with_language(item)
        with session.begin_nested():
            stored = add_article(session, item, source, near)
    except Exception as error:
        log.exception("could not store %s", item.url)
        report.skipped.append(Skipped(item.url, f"not stored: {one_line(error)}"))
        return None
    report.count(stored.outcome)
    if stored.outcome in ("new", "updated"):
        save_topics(session, stored.article_id, _topics(source, item))
    return stored.article_id


def store_items(
    session: Session,
    source: Source | None,
    items: list[RawArticle | Skipped],
    report: IngestReport,
    near: NearDuplicates | None = None,
) -> None:
    """`store_item` for a batch, written together: one savepoint, the batch's look-ups in one
    query, its rows in one statement per table. When the database refuses the batch, it is
    stored again item by item, so the one bad item is reported and skipped, never the others."""
    prepared = [item if isinstance(item, Skipped) else _with_language(item) for item in items]
    articles = [item for item in prepared if isinstance(item, RawArticle)]
    outcomes = IngestReport()
    batch = None
    try:
        with session.begin_nested(), session.no_autoflush:
            batch = ArticleBatch(session, articles)
            topics: dict[int, list[str]] = {}
            replaced = []
            for item in articles:
                stored = add_article(session, item, source, near, batch)
                outcomes.count(stored.outcome)
                if stored.outcome in ("new", "updated"):
                    topics[stored.article_id] = _topics(source, item)
                if stored.outcome == "updated":
                    replaced.append(stored.article_id)
            batch.write()
            save_all_topics(session, topics, replaced)
    except Exception as error:
        log.warning(
            "a batch of %d items was refused (%s); storing them one by one",
            len(articles),
            one_line(error),
        )
        if near is not None and batch is not None:
            near.discard(batch.signatures)
        for item in prepared:
            store_item(session, source, item, report, near)
        return
    for item in prepared:
        if isinstance(item, Skipped):
            _skip(item, report)
    report.merge(outcomes)


def _skip(item: Skipped, report: IngestReport) -> None:
    log.info("skipped %s: %s", item.where, item.reason)
    report.skipped.append(item)


def _with_language(item: RawArticle) -> RawArticle:
    if item.language is None:
        return dataclasses.replace(item, language=detect_language(item.text))
    return item


def _topics(source: Source | None, item: RawArticle) -> list[str]:
    feed = source.feed_url or source.location if source and source.kind == "feed" else None
    return article_topics(item.title, item.text, item.url, item.categories, feed)


def ingest(
    store: Store,
    items: Iterable[RawArticle | Skipped],
    kind: str,
    location: str,
    near: NearDuplicates | None = None,
) -> IngestReport:
    """Store the items of one source; one bad item never stops the others. With `near`,
    near-duplicates of recent articles become extra sources of those articles."""
    report = IngestReport()
    with store.session() as session:
        source_id = source_for(session, kind, location).id
    # A unit of work per batch: the write lock is held for one batch at a time, so deliveries
    # and other writers on the store wait a moment, not for the whole folder.
    pending = iter(items)
    while batch := list(itertools.islice(pending, INGEST_BATCH)):
        with store.session() as session:
            store_items(session, session.get(Source, source_id), batch, report, near)
    stored = report.new + report.updated + report.unchanged + report.duplicate
    status = f"{stored} articles read, {len(report.skipped)} skipped"
    if report.skipped:  # `morgenlage sources` shows why, in the one line
        first = report.skipped[0]
        status += f" (first: {Path(first.where).name or first.where}: {first.reason})"
    with store.session() as session:
        record_state(session, session.get(Source, source_id), one_line(status, 300))
    return report


def ingest_paths(
    store: Store, paths: Iterable[Path], near: NearDuplicates | None = None
) -> IngestReport:
    report = IngestReport()
    for path in paths:
        try:
            location = str(path.expanduser().resolve())
            report.merge(ingest(store, read_path(path), "files", location, near))
        except Exception as error:  # e.g. the store refused the source: this path only
            log.exception("could not collect %s", path)
            report.skipped.append(Skipped(str(path), f"not collected: {one_line(error)}"))
    return report
