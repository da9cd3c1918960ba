"""What sources hand to the ingest step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RawArticle:
    url: str  # canonical URL, or file URI for local files
    title: str
    text: str
    published_at: dt.datetime | None = None  # naive UTC
    author: str | None = None
    outlet: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()  # the feed item's <category> terms, for its topics


@dataclass(frozen=True)
class Skipped:
    """An input that is not an article, with the reason (logged and reported, never fatal)."""

    where: str
    reason: str
