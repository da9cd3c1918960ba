"""Analysis throughput: Morgenlage's whole analysis vs the raw `nlp.pipe` of the same model.

    .venv/bin/python bench/analysis_speed.py [--limit N] [--rounds R]

Reads the 10kGNAD test articles (DER STANDARD, CC BY-NC-SA: used in place, never copied) from
../shared/data/news/10kgnad-test/test.csv. Both sides run in this one process, alternating,
R rounds each; the best round of each counts (the machine is noisy). Also reports the stage
as `morgenlage collect` runs it: analysis plus writing the results to a fresh SQLite store.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.nlp import load_model  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.collect.ingest import ingest  # noqa: E402
from bot.collect.types import RawArticle  # noqa: E402
from bot.store import open_store  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = SHARED / "news" / "10kgnad-test" / "test.csv"


def load_texts(limit: int | None) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with DATA.open(encoding="utf-8") as handle:
        rows = [row[1] for row in csv.reader(handle, delimiter=";", quotechar="'") if len(row) > 1]
    return rows[:limit] if limit else rows


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    texts = load_texts(args.limit)
    words = sum(len(t.split()) for t in texts)
    raw = load_model()
    analyser = Analyser()
    items = [(i, "", text) for i, text in enumerate(texts)]
    # Warm up both (first calls allocate).
    list(raw.pipe(texts[:20]))
    list(analyser.analyse(items[:20]))
    raw_times, full_times = [], []
    for _ in range(args.rounds):
        raw_times.append(timed(lambda: list(raw.pipe(texts, batch_size=16))))
        full_times.append(timed(lambda: list(analyser.analyse(items))))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        ingest(
            store,
            (RawArticle(f"bench:{i}", t[:80], t) for i, t in enumerate(texts)),
            "files",
            "bench",
        )
        stored_time = timed(lambda: analyse_pending(store, analyser, progress=False))
        store.close()
    raw_best, full_best = min(raw_times), min(full_times)
    print(f"articles: {len(texts)}, words: {words} (whitespace tokens)")
    for label, seconds in (
        ("raw nlp.pipe (tok2vec+ner)", raw_best),
        ("Morgenlage analysis", full_best),
        ("analysis + SQLite writes", stored_time),
    ):
        print(
            f"{label:28s} {seconds:7.2f} s  {len(texts) / seconds:7.1f} articles/s  "
            f"{words / seconds:9.0f} words/s"
        )
    print(f"ratio analysis / raw nlp.pipe: {raw_best / full_best:.2f}")
    print(f"ratio analysis+store / raw:    {raw_best / stored_time:.2f}")


if __name__ == "__main__":
    main()
