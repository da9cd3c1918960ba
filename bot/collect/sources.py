"""The feeds to collect: those in the config (`sources.feeds`) and those readers add at run
time (`morgenlage sources add|remove|import`), with each one's health."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.collect.opml import OpmlError, Outline, read_opml, write_opml
from bot.collect.presets import PresetError, load_preset
from bot.config import Config
from bot.inputs import MAX_URL
from bot.store import Store
from bot.store.schema import Source
from bot.store.sources import SourceHealth, active_feeds, ensure_feed, find_feed, health

# "javascript:…", "mailto:…" — but not "example.org:8080/feed", a host with a port.
_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")


class SourceError(ValueError):
    """A source a reader named cannot be added or removed; the message says why."""


def feed_url(text: str) -> str:
    """A reader's URL, checked: "tagesschau.de" → "https://tagesschau.de"; only http(s)."""
    url = text.strip()
    if len(url) > MAX_URL:
        raise SourceError(f"URL longer than {MAX_URL} characters: {url[:60]!r}…")
    if "://" not in url and not _OTHER_SCHEME.match(url):
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        valid = False
    if not valid or any(c.isspace() for c in url):
        raise SourceError(f"not an http(s) URL: {text.strip()!r}")
    return url


def sync_config(store: Store, config: Config) -> None:
    """Make the stored feeds match `sources.feeds` and `sources.presets`: listed ones active,
    dropped ones retired (their articles stay). Feeds readers added themselves are left alone."""
    wanted = {feed_url(url): None for url in config.sources.feeds}
    for name in config.sources.presets:
        wanted.update({feed.url: feed.name for feed in _preset(name).feeds})
    with store.session() as session:
        for url in sorted(wanted):
            ensure_feed(session, url, origin="config", title=wanted[url])
        for source in active_feeds(session):
            if source.origin == "config" and source.location not in wanted:
                source.active = False


def add_feeds(store: Store, urls: list[str]) -> list[tuple[str, bool]]:
    """Add feeds (or sites whose feed is to be discovered); (url, True when new) each."""
    checked = [feed_url(url) for url in urls]
    with store.session() as session:
        return [(url, ensure_feed(session, url, origin="user")[1]) for url in checked]


def add_preset(store: Store, name: str) -> list[tuple[str, bool]]:
    """Add every feed of a shipped preset (bot/collect/presets.py); (url, True when new) each."""
    feeds = _preset(name).feeds
    with store.session() as session:
        return [
            (feed.url, ensure_feed(session, feed.url, origin="user", title=feed.name)[1])
            for feed in feeds
        ]


def _preset(name: str):
    try:
        return load_preset(name)
    except PresetError as error:
        raise SourceError(str(error)) from None


def remove_feed(store: Store, config: Config, url: str) -> None:
    """Stop collecting a feed; its articles stay. Feeds from the config file are removed there."""
    url = feed_url(url)
    if url in {feed_url(u) for u in config.sources.feeds}:
        raise SourceError(f"{url} is listed in the config file (sources.feeds): remove it there")
    with store.session() as session:
        source = find_feed(session, url)
        if source is None or not source.active:
            raise SourceError(f"no such source: {url}")
        source.active = False


@dataclass(frozen=True)
class Imported:
    added: list[str]
    known: list[str]
    invalid: list[str]


def import_opml(store: Store, path: Path) -> Imported:
    """Add every feed of an OPML file; invalid URLs are listed, not fatal."""
    try:
        outlines = read_opml(path.read_bytes())
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from None
    except OpmlError as error:
        raise SourceError(f"{path}: {error}") from None
    added, known, invalid = [], [], []
    with store.session() as session:
        for outline in outlines:
            try:
                url = feed_url(outline.url)
            except SourceError:
                invalid.append(outline.url)
                continue
            _source, created = ensure_feed(session, url, origin="user", title=outline.title)
            (added if created else known).append(url)
    return Imported(added, known, invalid)


def export_opml(store: Store) -> str:
    with store.session() as session:
        outlines = [Outline(_exported_url(s), s.title) for s in active_feeds(session)]
    return write_opml(outlines, title="Morgenlage — Quellen")


def source_health(store: Store) -> list[SourceHealth]:
    with store.session() as session:
        return health(session)


def _exported_url(source: Source) -> str:
    # The feed itself when it was discovered from a homepage: other readers need the feed.
    return source.feed_url or source.location
