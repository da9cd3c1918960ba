"""Collection throughput: 200 feeds of 20 teaser items each, every item's article page
fetched and extracted, all from a server on 127.0.0.1; then the same feeds unchanged.

    .venv/bin/python bench/collect_speed.py [--feeds N] [--items N]

Pass 1 (new): fetch and parse the feeds, fetch and extract every page, store the articles
(timed), then analyse them (timed apart: the spaCy stage has its own benchmark).
Pass 2 (unchanged, the server answers conditional GETs with 304) and pass 3 (unchanged, the
server ignores conditional GETs, so every feed is read again) run the real job,
`bot.jobs.collect`: they must fetch no article page and analyse nothing.

All feeds live on one loopback host, standing in for 200 sites: `collect.per_host` is raised to
`collect.concurrency` for the run (one real site would get 2 at a time).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fixtures

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.collect.collector import collect_feeds  # noqa: E402
from bot.jobs import collect  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.articles import near_duplicate_index  # noqa: E402
from tests.fixtures.loopback import Loopback, Static  # noqa: E402
from tests.fixtures.web import german_text, page, rss, web_config  # noqa: E402

TEASER = "Die Regierung hat am Dienstag neue Pläne vorgelegt. Mehr dazu im Artikel …"


def build_routes(server: Loopback, feeds: int, items: int, conditional: bool) -> list[str]:
    urls = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            n = f * items + i
            path = f"/site{f}/artikel/{i}.html"
            if conditional:  # the pages never change; build them once
                body = page(f"Meldung {n}", german_text(n, sentences=16))
                server.routes[path] = Static(body, "text/html; charset=utf-8")
            entries.append(
                {"title": f"Meldung {n}", "link": server.url(path), "description": TEASER,
                 "date": "Tue, 18 Feb 2025 08:00:00 +0100"}
            )  # fmt: skip
        server.routes[f"/site{f}/feed.xml"] = Static(
            rss(entries, title=f"Seite {f}"), conditional=conditional
        )
        urls.append(server.url(f"/site{f}/feed.xml"))
    return urls


def run_server(connection: Connection) -> None:
    """The web, in a process of its own: the collector's numbers must not pay for the server."""
    with Loopback() as server:
        while True:
            command, *values = connection.recv()
            if command == "serve":
                connection.send(build_routes(server, *values))
            elif command == "hits":
                connection.send(dict(server.hits))
            else:
                return


class Web:
    def __init__(self) -> None:
        spawn = get_context("spawn")  # a fresh interpreter: no copy of the analyser's memory
        self._connection, child = spawn.Pipe()
        self._process = spawn.Process(target=run_server, args=(child,), daemon=True)
        self._process.start()

    def serve(self, feeds: int, items: int, conditional: bool) -> list[str]:
        self._connection.send(("serve", feeds, items, conditional))
        return self._connection.recv()

    def hits(self) -> tuple[int, int]:
        """(all requests, article page requests) so far."""
        self._connection.send(("hits",))
        hits = self._connection.recv()
        return sum(hits.values()), sum(n for path, n in hits.items() if "/artikel/" in path)

    def stop(self) -> None:
        self._connection.send(("stop",))
        self._process.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    analyser = Analyser()
    web = Web()
    with tempfile.TemporaryDirectory() as tmp:
        urls = web.serve(args.feeds, args.items, True)
        config = web_config(Path(tmp), tuple(urls), timeout=30.0)
        collect_settings = dataclasses.replace(config.collect, per_host=config.collect.concurrency)
        config = dataclasses.replace(config, collect=collect_settings)
        store = open_store(config.store.url)

        with store.session() as session:
            near = near_duplicate_index(session)
        started = time.perf_counter()
        first = collect_feeds(store, config, near, progress=False)
        seconds = time.perf_counter() - started
        requests, pages = web.hits()
        print(f"pass 1, new: {len(urls)} feeds, {first.new} articles; {requests} requests, "
              f"{pages} article pages fetched")  # fmt: skip
        print(
            f"  collection (fetch, parse, extract, store): {seconds:.1f} s = "
            f"{len(urls) / seconds:.1f} feeds/s, {first.new / seconds:.0f} articles/s"
        )
        started = time.perf_counter()
        analysed = analyse_pending(store, analyser, progress=False)
        seconds = time.perf_counter() - started
        print(
            f"  analysis: {analysed.analysed} analysed, {analysed.skipped} skipped in "
            f"{seconds:.1f} s = {analysed.analysed / seconds:.1f} articles/s"
        )

        for label, conditional in (("304s", True), ("no conditional GET", False)):
            if not conditional:
                web.serve(args.feeds, args.items, False)
            requests_before, pages_before = web.hits()
            started = time.perf_counter()
            report = collect(store, config, analyser=analyser)
            seconds = time.perf_counter() - started
            requests, pages = web.hits()
            i, a = report.ingest, report.analysis
            print(f"pass unchanged ({label}): the whole job in {seconds:.2f} s")
            print(
                f"  {len(urls) / seconds:.0f} feeds/s; {requests - requests_before} requests, "
                f"{pages - pages_before} article pages fetched, {i.new} new, "
                f"{i.unchanged} unchanged items; {a.analysed + a.skipped} analyses"
            )
        store.close()
    web.stop()


if __name__ == "__main__":
    main()
