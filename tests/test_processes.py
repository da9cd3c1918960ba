"""Several `morgenlage` processes on one store, as a deployment runs them: real processes, on
SQLite and (in the suite's PostgreSQL pass) PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select

from bot.store import open_store
from bot.store.schema import Article, Source
from tests.conftest import REPO, SEEDS, store_url


def _start(url: str, *args: str) -> subprocess.Popen:
    environment = {**os.environ, "MORGENLAGE_STORE_URL": url}
    for name in ("MORGENLAGE_CONFIG", "MORGENLAGE_TELEGRAM_TOKEN"):
        environment.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(processes: list[subprocess.Popen]) -> list[tuple[str, str]]:
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err
    return outputs


def test_processes_starting_on_a_fresh_store_migrate_once(tmp_path):
    """Three processes open a new, empty store at once: one migrates, the others wait for it."""
    url = store_url(tmp_path, "fresh")
    _finish([_start(url, "sources") for _ in range(3)])


def test_two_collections_at_once_do_the_work_once(tmp_path):
    """The second waits for the first (one collection at a time across processes), then finds
    the seed stored: no unique violation, no 'database is locked', no item twice."""
    url = store_url(tmp_path, "two")
    open_store(url).close()  # migrated, so both start collecting at once
    outputs = _finish([_start(url, "collect", str(SEEDS)) for _ in range(2)])
    summaries = sorted(out.splitlines()[0] for out, _err in outputs)
    assert summaries[0].startswith("0 neu") and summaries[1].startswith("1 neu"), summaries
    store = open_store(url)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        assert session.scalar(select(func.count()).select_from(Source)) == 1
    store.close()
