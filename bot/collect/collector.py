"""Collecting from the web: every active feed fetched concurrently, teasers completed from their
article pages, new items stored. One bad source never hurts the others: each ends the run in a
recorded one-line state (`sources.last_status`, `last_error`).

Incremental: a feed answering 304 costs one request; a known item whose content is unchanged
costs no page fetch and no write, so a second run with nothing new leaves nothing to analyse.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from tqdm import tqdm

from bot.collect.dedup import NearDuplicates
from bot.collect.feeds import (
    MIN_TEXT_CHARS,
    FeedEntry,
    NotAFeed,
    ParsedFeed,
    discover_feeds,
    looks_like_html,
    parse_feed,
)
from bot.collect.http import FEED_ACCEPT, PAGE_ACCEPT, Fetched, Fetcher, FetchError
from bot.collect.ingest import IngestReport, store_item
from bot.collect.pages import extract_article, with_full_text
from bot.collect.sources import sync_config
from bot.collect.text import decode_html, one_line
from bot.collect.types import RawArticle, Skipped
from bot.config import CollectConfig, Config
from bot.language import detect_language
from bot.store import Store
from bot.store.schema import Source
from bot.store.sources import (
    active_feeds,
    forget_old_items,
    known_items,
    record_state,
    remember_item,
    touch_items,
)

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
MAX_DISCOVERED = 3  # feed links of a homepage tried, in the order discover_feeds ranks them


@dataclass(frozen=True)
class FeedTarget:
    """What the fetch of one feed needs from its Source row (no session crosses threads)."""

    source_id: int
    location: str
    feed_url: str | None
    etag: str | None
    last_modified: str | None

    @classmethod
    def of(cls, source: Source) -> FeedTarget:
        return cls(source.id, source.location, source.feed_url, source.etag, source.last_modified)


@dataclass
class FeedResult:
    target: FeedTarget
    status: str  # one line: what happened
    error: str | None = None
    not_modified: bool = False
    feed_url: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = field(default_factory=list)  # keys of all items now in the feed
    items: list[Item] = field(default_factory=list)  # the new or edited ones
    pages_fetched: int = 0


@dataclass(frozen=True)
class Item:
    entry: FeedEntry
    article: RawArticle | Skipped  # what to store
    remember: bool  # False: a page that failed for now is tried again next run
    known: bool  # the item was handled before (and has been edited since)


def collect_feeds(
    store: Store, config: Config, near: NearDuplicates | None = None, progress: bool | None = None
) -> IngestReport:
    """Fetch, read and store every active feed (the config's and the readers')."""
    sync_config(store, config)
    with store.session() as session:
        targets = [FeedTarget.of(source) for source in active_feeds(session)]
        known = known_items(session, [t.source_id for t in targets])
    report = IngestReport()
    if targets:
        show = sys.stderr.isatty() if progress is None else progress
        _run(_collect(store, config.collect, targets, known, near, report, show))
        with store.session() as session:
            forget_old_items(session)
    return report


def _run(job: Coroutine[object, object, None]) -> None:
    """asyncio.run, also when the caller already runs an event loop in this thread (then the
    collection gets a thread and a loop of its own). The scheduler calls from a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(job)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, job).result()


async def _collect(
    store: Store,
    settings: CollectConfig,
    targets: list[FeedTarget],
    known: dict[int, dict[str, str]],
    near: NearDuplicates | None,
    report: IngestReport,
    show: bool,
) -> None:
    writer = asyncio.Lock()  # one writer at a time: SQLite has one, and `near` is shared

    async def one(target: FeedTarget) -> None:
        try:
            result = await read_feed(fetcher, target, known[target.source_id], settings)
        except Exception as error:  # a bug must cost one feed, not the run
            log.exception("feed %s failed", target.location)
            result = FeedResult(target, status=f"error: {one_line(error)}", error=one_line(error))
        async with writer:
            try:
                await asyncio.to_thread(save_result, store, result, near, report)
            except Exception as error:  # e.g. the database refused: this feed only
                log.exception("could not store feed %s", target.location)
                report.feeds_failed += 1
                report.skipped.append(Skipped(target.location, f"not stored: {one_line(error)}"))
        bar.update(1)

    with tqdm(total=len(targets), desc="Feeds", unit="Feed", disable=not show) as bar:
        async with Fetcher(settings) as fetcher:
            await asyncio.gather(*(one(target) for target in targets))


async def read_feed(
    fetcher: Fetcher, target: FeedTarget, known: dict[str, str], settings: CollectConfig
) -> FeedResult:
    """Fetch one feed (conditionally), find it through the homepage if need be, and complete
    the new or edited items. Failures end in the result's one-line state, never raise."""
    url = target.feed_url or target.location
    try:
        fetched = await fetcher.fetch(
            url, etag=target.etag, last_modified=target.last_modified, accept=FEED_ACCEPT
        )
        if fetched.not_modified:
            return FeedResult(target, status="unchanged (304 Not Modified)", not_modified=True)
        fetched, parsed, feed_url = await _feed_document(fetcher, fetched, url)
    except (FetchError, NotAFeed) as error:
        return FeedResult(target, status=f"error: {error}", error=str(error))
    fresh = [entry for entry in parsed.entries if known.get(entry.key) != entry.digest]
    completed = await asyncio.gather(
        *(_complete_or_skip(fetcher, entry, parsed.language, settings) for entry in fresh)
    )
    pages = sum(fetched_page for _item, _remember, fetched_page in completed)
    skipped = sum(isinstance(item, Skipped) for item, _remember, _page in completed)
    summary = f"{len(parsed.entries)} items, {len(fresh)} new or edited"
    if skipped:
        summary += f", {skipped} without text"
    if pages:
        summary += f", {pages} pages fetched"
    if parsed.problem:
        summary += f"; {parsed.problem}"
    return FeedResult(
        target,
        status=f"ok: {summary}",
        feed_url=feed_url,
        title=parsed.title,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        seen=[entry.key for entry in parsed.entries],
        items=[
            Item(entry, article, remember, entry.key in known)
            for entry, (article, remember, _page) in zip(fresh, completed, strict=True)
        ],
        pages_fetched=pages,
    )


async def _feed_document(
    fetcher: Fetcher, fetched: Fetched, url: str
) -> tuple[Fetched, ParsedFeed, str]:
    """The parsed feed and its URL; an HTML page leads to the feed it announces."""
    feed_url = fetched.permanent_url or url
    try:
        return fetched, await _parsed(fetched), feed_url
    except NotAFeed:
        if not looks_like_html(fetched.content):
            raise
    html = decode_html(fetched.content, fetched.content_type)
    links = discover_feeds(html, fetched.url)
    if not links:
        raise NotAFeed('an HTML page that names no feed (no <link rel="alternate">)')
    failure: FetchError | NotAFeed | None = None
    for link in links[:MAX_DISCOVERED]:  # the first that works; a site may announce dead ones
        try:
            fetched = await fetcher.fetch(link, accept=FEED_ACCEPT)
            return fetched, await _parsed(fetched), fetched.permanent_url or link
        except (FetchError, NotAFeed) as error:
            failure = error
    raise type(failure)(f"the page's feed link failed: {failure}")


T = TypeVar("T")

# Parsing is CPU work: off the event loop, so other fetches go on meanwhile — but on one thread.
# trafilatura and htmldate parse with module-level lxml parsers, and an lxml parser must not be
# used by two threads at once (the process aborted under load when extractions overlapped).
PARSE_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="morgenlage-parse")


async def off_loop(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` on the parse thread."""
    return await asyncio.get_running_loop().run_in_executor(PARSE_THREAD, function, *args)


async def _parsed(fetched: Fetched) -> ParsedFeed:
    return await off_loop(parse_feed, fetched.content, fetched.url, fetched.content_type)


async def _complete_or_skip(
    fetcher: Fetcher, entry: FeedEntry, hint: str | None, settings: CollectConfig
) -> tuple[RawArticle | Skipped, bool, bool]:
    """`_complete` inside the item's own error boundary: a surprise skips this item only (and
    it is tried again next run)."""
    try:
        return await _complete(fetcher, entry, hint, settings)
    except Exception as error:
        where = entry.article.url if isinstance(entry.article, RawArticle) else entry.article.where
        log.warning("%s: item skipped: %s", where, one_line(error))
        return Skipped(where, f"unreadable item: {one_line(error)}"), False, False


async def _complete(
    fetcher: Fetcher, entry: FeedEntry, hint: str | None, settings: CollectConfig
) -> tuple[RawArticle | Skipped, bool, bool]:
    """The item to store, whether to remember it as handled, and whether a page was fetched.
    A teaser gets its page's full text; the teaser stays when the page fails."""
    item = entry.article
    if isinstance(item, Skipped):
        return item, True, False
    fetched_page, failure = False, None
    if entry.teaser and settings.fetch_full_text:
        fetched_page = True  # counted when asked for, answered or not
        try:
            page = await fetcher.fetch(item.url, accept=PAGE_ACCEPT)
            kind = page.content_type.split(";")[0].strip().lower()
            if kind not in _HTML_TYPES and "html" not in kind:
                failure = f"page is {kind}, not HTML"
            else:
                html = decode_html(page.content, page.content_type)
                extracted = await off_loop(extract_article, html, item.url)
                item = with_full_text(item, extracted)
                if isinstance(extracted, Skipped):
                    failure = extracted.reason
        except FetchError as error:
            failure = str(error)
    if len(item.text) < MIN_TEXT_CHARS:
        reason = f"only {len(item.text)} characters in the feed"
        if failure:
            return Skipped(item.url, f"{reason}; page: {failure}"), False, fetched_page
        return Skipped(item.url, reason), True, fetched_page
    language = detect_language(f"{item.title}\n{item.text}", hint)
    return dataclasses.replace(item, language=language), True, fetched_page


def save_result(
    store: Store, result: FeedResult, near: NearDuplicates | None, report: IngestReport
) -> None:
    """Write one feed's outcome: its items, its state, what it told about itself."""
    target = result.target
    with store.session() as session:
        source = session.get(Source, target.source_id)
        if source is None:  # removed while the run was fetching
            return
        report.pages_fetched += result.pages_fetched
        if result.error:
            report.feeds_failed += 1
            report.skipped.append(Skipped(target.location, result.error))
            record_state(session, source, result.status, result.error)
            return
        if result.not_modified:
            report.feeds_unchanged += 1
            record_state(session, source, result.status)
            return
        report.feeds_read += 1
        report.unchanged += len(result.seen) - len(result.items)
        for item in result.items:
            article_id = store_item(session, source, item.article, report, near)
            if item.remember:
                key, digest = item.entry.key, item.entry.digest
                remember_item(session, source.id, key, digest, article_id, item.known)
        touch_items(session, source.id, result.seen)
        source.title = result.title or source.title
        source.feed_url = result.feed_url if result.feed_url != source.location else None
        source.etag, source.last_modified = result.etag, result.last_modified
        record_state(session, source, result.status)
