"""Store what the sources read: new articles in, known ones left alone, bad input reported."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.collect.files import read_path
from bot.collect.types import RawArticle, Skipped
from bot.store import Store
from bot.store.articles import add_article, source_for, touch_source

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: IngestReport) -> None:
        for name in ("new", "updated", "unchanged", "duplicate"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped += other.skipped


def ingest(
    store: Store, items: Iterable[RawArticle | Skipped], kind: str, location: str
) -> IngestReport:
    """Store the items of one source; one bad item never stops the others."""
    report = IngestReport()
    with store.session() as session:
        source = source_for(session, kind, location)
        for item in items:
            if isinstance(item, Skipped):
                log.warning("skipped %s: %s", item.where, item.reason)
                report.skipped.append(item)
                continue
            try:
                with session.begin_nested():
                    report.count(add_article(session, item, source))
            except Exception as error:  # a database refusal for one item: report, go on
                log.exception("could not store %s", item.url)
                report.skipped.append(Skipped(item.url, f"not stored: {error}"))
        touch_source(session, source)
    return report


def ingest_paths(store: Store, paths: Iterable[Path]) -> IngestReport:
    report = IngestReport()
    for path in paths:
        location = str(path.expanduser().resolve())
        report.merge(ingest(store, read_path(path), "files", location))
    return report
