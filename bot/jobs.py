"""The jobs the scheduler and the CLI run: collect (read sources, store, analyse)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.analyse.analyser import Analyser
from bot.analyse.stage import AnalyseReport, analyse_pending
from bot.collect.ingest import IngestReport, ingest_paths
from bot.config import Config
from bot.store import Store

log = logging.getLogger(__name__)


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
        lines += [f"  übersprungen: {s.where}: {s.reason}" for s in i.skipped]
        return "\n".join(lines)


def collect(
    store: Store,
    config: Config,
    extra_paths: Iterable[Path] = (),
    analyser: Analyser | None = None,
) -> CollectReport:
    report = CollectReport()
    report.ingest = ingest_paths(store, [*config.sources.resolved_paths(), *extra_paths])
    report.analysis = analyse_pending(store, analyser or Analyser(config.analysis))
    return report
