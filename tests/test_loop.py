"""The event loop never waits on the store or on CPU-heavy work: every such call from a PTB
handler or job goes through `asyncio.to_thread`."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.chat.telegram import TelegramSender, respond
from bot.deliver import RateLimiter
from bot.follows import push_follows
from bot.jobs import collect
from bot.ratelimit import LocalBudget, StoreBudget
from bot.store import open_store
from bot.store.leases import take_send_slot
from tests.botapi import FakeTelegramServer, RateLimits
from tests.conftest import REPO, make_config, sqlite_only
from tests.test_follow import STORY

# Calls that block: the store, commands, templates, briefings, collection, retention.
BLOCKING = {
    "session",
    "dispatch",
    "respond",
    "render",
    "render_replies",
    "build_briefing",
    "pending_pushes",
    "plan_deliveries",
    "collect",
    "prune_old",
}
# Coroutines on a loop of their own in a worker thread (the feed collector), not PTB's loop.
OWN_LOOP = {"bot/collect"}


def _blocking_calls(function: ast.AsyncFunctionDef) -> list[str]:
    """Names of blocking calls made directly in `function`'s body (not in nested sync defs,
    which run where they are handed to, e.g. asyncio.to_thread)."""
    found, todo = [], list(function.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            callee = node.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if name in BLOCKING:
                found.append(f"{name}() line {node.lineno}")
        todo.extend(ast.iter_child_nodes(node))
    return found


def test_no_coroutine_calls_the_store_or_renders_on_the_loop():
    offenders = []
    for path in sorted((REPO / "bot").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if any(relative.startswith(prefix) for prefix in OWN_LOOP):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef):
                offenders += [f"{relative} {node.name}: {c}" for c in _blocking_calls(node)]
    assert offenders == []


def test_the_check_finds_a_store_call_on_the_loop():
    tree = ast.parse(
        "async def bad(services):\n"
        "    with services.store.session() as s:\n"
        "        pass\n"
        "    def fine():\n"
        "        return dispatch(1)\n"
        "    await asyncio.to_thread(fine)\n"
    )
    [function] = tree.body
    assert _blocking_calls(function) == ["session() line 2"]


def test_respond_renders_what_dispatch_answers(seeded, chat):
    [rendered] = respond(seeded, chat, "/help", None)
    assert rendered.parts and "/today" in rendered.parts[0]
    [flood] = respond(seeded, chat, "/help", None, flooded=True)
    assert flood.parts and "/today" not in flood.parts[0]


@sqlite_only("SQLite's write lock held by another connection")
async def test_follow_pushes_wait_for_the_store_off_the_loop(tmp_path, analyser):
    """Another connection holds the write lock; only a coroutine on the loop releases it. A
    push job that waited on the loop would keep it from running and fail after busy_timeout."""
    config = make_config(tmp_path)
    services = Services(open_store(config.store.url), config)
    collect(services.store, config, analyser=analyser)
    dispatch(services, Chat(8), "/follow Rubio")
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    news = tmp_path / "news"
    news.mkdir()
    (news / "rubio.txt").write_text(STORY, encoding="utf-8")
    collect(services.store, config, extra_paths=[news], analyser=analyser)
    holder = sqlite3.connect(Path(make_url(config.store.url).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a committing collection holds it
    released = []

    async def release_soon() -> None:
        await asyncio.sleep(0.2)
        holder.execute("ROLLBACK")
        released.append(True)

    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        bot = server.make_bot()
        async with bot:
            pushing = push_follows(services, TelegramSender(bot), RateLimiter(30), started)
            sent, _ = await asyncio.gather(pushing, release_soon())
    holder.close()
    assert released and sent == 1
    assert server.messages_for(8)[0].visible_text.startswith("Neu zu Marco Rubio")
    services.store.close()


async def test_an_answer_goes_before_the_queued_briefings_and_costs_a_slot():
    """A fan-out reserved the next moments; a command's answer goes now and the briefings not
    yet reserved move back by one interval, so the overall rate still holds."""
    now = [100.0]
    budget = LocalBudget(per_second=1.0, clock=lambda: now[0])
    assert [await budget.take() for _ in range(5)] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert await budget.take(first=True) == 0.0
    assert await budget.take() == 6.0  # not 5.0: the answer used a slot


def test_the_shared_budget_lets_an_answer_go_first(store):
    """On the store's clock-free slots (a fixed `now`: no timing in the test)."""
    now = 1_000_000.0
    with store.session() as session:
        queued = [take_send_slot(session, "budget", now, 0.1) for _ in range(20)]
        assert queued[-1] == pytest.approx(now + 1.9)  # twenty briefings: two seconds reserved
        assert take_send_slot(session, "budget", now, 0.1, first=True) == now  # goes at once
        # ... and costs a slot: the next briefing waits one interval longer.
        assert take_send_slot(session, "budget", now, 0.1) == pytest.approx(now + 2.1)
    budget = StoreBudget(store, per_second=10.0)
    assert budget._take(first=True) == 0.0


def test_stems_are_right_when_threads_stem_at_once():
    """The stemmer keeps state while it works: threads sharing one mixed their words up."""
    import sys
    import threading

    from bot.stories.terms import _term

    words = [f"Verhandlungen{'x' * (i % 7)}ungen{i}" for i in range(3000)]
    words = [w.rstrip("0123456789") + "en" * (i % 3) for i, w in enumerate(words)]
    expected = {}
    failures = []

    def stem(part: list[str]) -> None:
        try:
            for word in part:
                expected.setdefault(word, []).append(_term.__wrapped__(word))
        except Exception as error:  # noqa: BLE001 — what a shared stemmer raised
            failures.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=stem, args=(words,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert all(len(set(stems)) == 1 for stems in expected.values())


def test_a_collection_runs_in_a_process_of_its_own(store, config):
    """The running bot's collections load the pipeline in a worker process, never in the bot's
    (whose event loop would share the interpreter lock with the model); the worker is replaced
    after `collections_per_worker` collections."""
    from sqlalchemy import func, select

    from bot.jobs import CollectProcess
    from bot.store.schema import Article

    collector = CollectProcess(collections_per_worker=2)
    services = Services(store, config, collector=collector)
    try:
        report = services.collect()
        assert report.analysis.analysed > 0
        first_worker = set(collector._pool._processes)
        assert services.collect().analysis.analysed == 0  # the same worker, nothing new
        # After two collections a fresh worker (spaCy's vocabulary only grows), which works.
        assert services.collect().analysis.analysed == 0
        assert first_worker.isdisjoint(collector._pool._processes)
    finally:
        collector.close()
    assert services._analyser is None  # no pipeline loaded here
    with store.session() as session:
        analysed = session.scalar(
            select(func.count()).select_from(Article).where(Article.status == "analysed")
        )
    assert analysed == report.analysis.analysed


async def test_the_application_forgets_the_chats_it_answered(seeded):
    """PTB kept every chat and user id for a persistence the bot does not have."""
    import dataclasses

    from telegram import Update

    from bot.chat.telegram import build_application

    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        config = dataclasses.replace(
            seeded.config,
            telegram=dataclasses.replace(
                seeded.config.telegram, token=server.token, base_url=server.base_url
            ),
        )
        application = build_application(Services(seeded.store, config), jobs=())
        async with application:
            for chat_id in range(900_000, 900_020):
                message = {
                    "message_id": chat_id,
                    "date": 0,
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": chat_id, "is_bot": False, "first_name": "L"},
                    "text": "/help",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                }
                update = Update.de_json({"update_id": chat_id, "message": message}, application.bot)
                await application.process_update(update)
        assert len(server.messages) == 20
        assert not application._chat_ids_to_be_updated_in_persistence
        assert not application._user_ids_to_be_updated_in_persistence


async def test_sending_a_message_imports_nothing_on_the_loop():
    """httpcore asks `import sniffio` on every request and falls back when it is missing; a
    failed import is not cached, so each message searched sys.path again on the event loop (6 %
    of the bot's CPU in a 1,000-reader fan-out; encode/httpcore#1103). sniffio is a dependency."""
    import sys

    looked_up: list[str] = []

    class Watch:
        def find_spec(self, name, path=None, target=None):
            looked_up.append(name)
            return None  # only watching: the next finder finds it

    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        bot = server.make_bot()
        async with bot:
            await bot.send_message(1, "warm")  # the first request may import lazily
            sys.meta_path.insert(0, Watch())
            try:
                for i in range(5):
                    await bot.send_message(1, f"Nachricht {i}")
            finally:
                sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, Watch)]
    assert looked_up == []
