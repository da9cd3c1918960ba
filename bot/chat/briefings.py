"""Briefings readers ask for, built once and shared: many readers with one window, language
and filter in the same minute share one build — also while it is being built.

What changes a briefing is the news the store holds (its version: the newest article and the
newest analysis), not the second it is asked. While a collection is storing news, every analysed
chunk is a new version; rebuilding at each one kept readers waiting on a machine whose other core
runs the model (bench/loop_lag.py). So during a collection a reader gets the briefing of their
window built at most `STALE_SECONDS` ago, and it is rebuilt for the next reader in the
background; once the collection is over, the next reader gets everything that arrived."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from bot.brief.build import Briefing, build_briefing
from bot.brief.window import Window
from bot.chat.reply import Services
from bot.filters import ReaderFilter
from bot.store.articles import news_state

log = logging.getLogger(__name__)
SIZE = 256  # windows × languages × filters; least recently used goes first
STALE_SECONDS = 60.0  # how old a briefing a reader may get while a collection runs

Key = tuple[str, Window, str, ReaderFilter | None]  # store, window, language, filter


@dataclass(frozen=True)
class _Entry:
    briefing: Briefing
    version: Hashable  # the news it was built from
    built: float  # monotonic seconds


class BriefingCache:
    """Briefings by window, language and filter, rebuilt when the news changed; thread-safe
    (commands run in worker threads)."""

    def __init__(
        self,
        size: int = SIZE,
        stale_seconds: float = STALE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size, self.stale_seconds, self.clock = size, stale_seconds, clock
        self._entries: collections.OrderedDict[Key, _Entry] = collections.OrderedDict()
        self._building: dict[tuple[Key, Hashable], Future] = {}
        self._lock = threading.Lock()
        # One background build at a time: refreshing must not take the cores readers wait for.
        self._refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-refresh")

    def get(
        self, services: Services, window: Window, language: str, filter: ReaderFilter | None
    ) -> Briefing:
        """The briefing of `window` without what `filter` hides."""
        with services.store.session() as session:
            news = news_state(session)
        key: Key = (str(services.store.engine.url), window, language, filter)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == news.version:
                self._entries.move_to_end(key)
                return entry.briefing
            recent = self._recent(key) if news.collecting else None
        if recent is not None:
            self._refresh(services, key, news.version)
            return recent.briefing
        return self._build(services, key, news.version, news.collecting)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def briefings(self) -> list[Briefing]:
        with self._lock:
            return [entry.briefing for entry in self._entries.values()]

    def _recent(self, key: Key) -> _Entry | None:
        """The newest briefing for `key`'s reader built within `stale_seconds`: of the same
        window, or of the same window up to an earlier minute (a /today window ends at the next
        minute; a first reader's window, the last 24 hours, moves its start along)."""
        url, window, language, filter = key
        best = None
        for (url_, window_, language_, filter_), entry in self._entries.items():
            later = window.end - window_.end
            if (
                (url_, language_, filter_, window_.zone) == (url, language, filter, window.zone)
                and dt.timedelta(0) <= later <= dt.timedelta(seconds=self.stale_seconds)
                and window.start - window_.start in (dt.timedelta(0), later)
                and self.clock() - entry.built <= self.stale_seconds
                and (best is None or entry.built > best.built)
            ):
                best = entry
        return best

    def _refresh(self, services: Services, key: Key, version: Hashable) -> None:
        """Build `key` for `version` in the background unless that build is under way."""
        with self._lock:
            if (key, version) in self._building:
                return
            building = self._building[key, version] = Future()

        def refresh() -> None:
            try:
                self._run(services, key, version, building, collecting=True)
            except Exception:  # the reader already has an answer; the next one retries
                log.exception("refreshing a briefing failed")

        self._refresher.submit(refresh)

    def _build(self, services: Services, key: Key, version: Hashable, collecting: bool) -> Briefing:
        """Build `key` from the news of `version`, or wait for the build under way."""
        with self._lock:
            building = self._building.get((key, version))
            mine = building is None
            if mine:
                building = self._building[key, version] = Future()
        if not mine:
            return building.result()
        return self._run(services, key, version, building, collecting)

    def _run(
        self, services: Services, key: Key, version: Hashable, building: Future, collecting: bool
    ) -> Briefing:
        url, window, language, filter = key
        try:
            with services.store.session() as session:
                briefing = build_briefing(
                    session,
                    window,
                    services.config.briefing,
                    language,
                    filter=filter,
                    version=(url, version),  # the store and its news: reads shared by readers
                )
        except BaseException as error:
            with self._lock:
                del self._building[key, version]
            building.set_exception(error)
            raise
        with self._lock:
            self._store(key, _Entry(briefing, version, self.clock()), collecting)
            del self._building[key, version]
        building.set_result(briefing)
        return briefing

    def _store(self, key: Key, entry: _Entry, collecting: bool) -> None:
        # Briefings of older news are asked for again only while a collection may serve them.
        for other, old in list(self._entries.items()):
            if (
                other[0] == key[0]
                and old.version != entry.version
                and (not collecting or entry.built - old.built > self.stale_seconds)
            ):
                del self._entries[other]
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
