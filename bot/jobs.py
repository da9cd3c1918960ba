"""The jobs the scheduler and the CLI run: collect (read sources, store, analyse)."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from bot.analyse.analyser import Analyser
from bot.analyse.stage import AnalyseReport, analyse_pending
from bot.collect.collector import collect_feeds
from bot.collect.ingest import IngestReport, ingest_paths
from bot.config import Config
from bot.memory import fewer_collections
from bot.store import Store
from bot.store.articles import near_duplicate_index
from bot.store.db import COLLECT_PAGE_CACHE_KIB
from bot.store.leases import COLLECTING, exclusive

log = logging.getLogger(__name__)
SHOW_SKIPPED = 20  # the summary's lines for skipped items; each source's state is stored


@dataclass
class CollectReport:
    ingest: IngestReport = field(default_factory=IngestReport)
    analysis: AnalyseReport = field(default_factory=AnalyseReport)

    def summary(self) -> str:
        i, a = self.ingest, self.analysis
        lines = [
            f"{i.new} neu, {i.updated} geändert, {i.unchanged} unverändert, "
            f"{i.duplicate} doppelt, {len(i.skipped)} übersprungen; "
            f"{a.analysed} analysiert, {a.skipped} nicht analysiert"
        ]
        if i.feeds_read or i.feeds_unchanged or i.feeds_failed:
            lines.append(
                f"Feeds: {i.feeds_read} gelesen, {i.feeds_unchanged} unverändert (304), "
                f"{i.feeds_failed} mit Fehler; {i.pages_fetched} Artikelseiten geladen"
            )
        lines += [f"  übersprungen: {s.where}: {s.reason}" for s in i.skipped[:SHOW_SKIPPED]]
        if len(i.skipped) > SHOW_SKIPPED:
            lines.append(f"  … und {len(i.skipped) - SHOW_SKIPPED} weitere (morgenlage sources)")
        return "\n".join(lines)


def collect(
    store: Store,
    config: Config,
    extra_paths: Iterable[Path] = (),
    analyser: Analyser | None = None,
) -> CollectReport:
    """Read every source, store what is new, analyse it. One process collects at a time across
    every process on the store (a lease): a second one waits, then finds what the first stored
    — no item is fetched, stored or analysed twice."""

    def waiting(holder: str) -> None:
        log.warning("another process is collecting (%s): waiting for it", holder)

    with exclusive(store, COLLECTING, on_wait=waiting), fewer_collections():
        return _collect(store, config, extra_paths, analyser)


def _collect(
    store: Store, config: Config, extra_paths: Iterable[Path], analyser: Analyser | None
) -> CollectReport:
    report = CollectReport()
    with store.session() as session:
        near = near_duplicate_index(session)  # one index: files and feeds dedup together
    report.ingest = ingest_paths(store, [*config.sources.resolved_paths(), *extra_paths], near)
    report.ingest.merge(collect_feeds(store, config, near))
    report.analysis = analyse_pending(store, analyser or Analyser(config.analysis))
    return report


# A fresh collect worker after this many collections (about a day at the default interval):
# spaCy's vocabulary keeps every new word it reads (~20 MB per 1,000 new articles, measured),
# so a worker kept forever only grows. Its maintainers' advice is to load the pipeline again;
# `Language.memory_zone` would free it per chunk but costs ~3 % of the analysis's CPU.
COLLECTIONS_PER_WORKER = 48


class CollectProcess:
    """Collections in a process of its own, which loads the pipeline once and keeps it for
    `collections_per_worker` collections: the model's CPU work never holds the bot's
    interpreter lock, so the event loop and the command threads keep their pace while a
    collection runs (bench/loop_lag.py). A worker that died (killed, out of memory) is
    replaced at the next collection."""

    def __init__(self, collections_per_worker: int = COLLECTIONS_PER_WORKER) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self.collections_per_worker = collections_per_worker

    def run(self, url: str, config: Config) -> CollectReport:
        """`collect` on the store at `url`, in the worker; blocks until it is done."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded bot
                initializer=logging.basicConfig,
                initargs=(),
                max_tasks_per_child=self.collections_per_worker,
            )
        try:
            return self._pool.submit(_collect_in_worker, url, config).result()
        except BrokenProcessPool:
            self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


# In the worker process: the store and the pipeline, opened by the first collection.
_WORKER: dict[str, tuple[Store, Analyser]] = {}


def _collect_in_worker(url: str, config: Config) -> CollectReport:
    from bot.store import open_store

    if url not in _WORKER:
        store = open_store(url, COLLECT_PAGE_CACHE_KIB)
        _WORKER[url] = (store, Analyser(config.analysis))
    store, analyser = _WORKER[url]
    return collect(store, config, analyser=analyser)
