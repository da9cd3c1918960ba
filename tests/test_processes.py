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
from tests.fixtures.processes import deployment_config, morgenlage


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


def test_a_worker_delivers_and_a_front_end_without_jobs_does_not(tmp_path, analyser):
    """The roles of a two-process deployment: `run --jobs none` answers and never delivers;
    `worker` takes no updates and delivers at its first tick; SIGTERM stops both cleanly."""
    import datetime as dt
    import signal
    from zoneinfo import ZoneInfo

    import time_machine

    from bot.chat.handlers import dispatch
    from bot.chat.reply import Chat, Services
    from bot.jobs import collect
    from tests.botapi import FakeTelegramServer, RateLimits
    from tests.conftest import make_config

    config = make_config(tmp_path)
    store = open_store(config.store.url)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10), tick=True):
        collect(store, config, analyser=analyser)
    now = dt.datetime.now(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    dispatch(Services(store, config), Chat(4242), f"/subscribe {now}")
    store.close()
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        toml = deployment_config(tmp_path, config.store.url, server.base_url, str(SEEDS))
        front = morgenlage(toml, server.token, "run", "--jobs", "none")
        server.wait_for(lambda: server.calls("getUpdates"), 120, "the front end polling")
        server.send_user_message(4243, "/help")
        assert server.wait_for_messages(4243, 1, timeout=60)
        worker = morgenlage(toml, server.token, "worker", "--jobs", "deliver")
        server.wait_for_messages(4242, 1, timeout=120)  # its first tick comes after 5 s
        for process in (front, worker):
            process.send_signal(signal.SIGTERM)
        for process in (front, worker):
            _out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            assert "Traceback" not in err
        assert len(server.messages_for(4242)) == 1  # one briefing, from the worker alone
