"""Fan-out of one briefing to many subscribers against a local Bot API server that enforces
Telegram's limits (30 messages/s overall, 1/s per chat) — with the sending process killed
mid-way and restarted, as after a crash.

    .venv/bin/python bench/fanout.py [--subscribers 10000] [--kill-after 60]

Reports messages/s, 429s, and lost and duplicated deliveries (per chat: messages received vs
the briefing's parts). The sender runs in a child process (`--child`) so it can be killed with
SIGKILL while the server, in this process, keeps counting.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.chat.reply import Services  # noqa: E402
from bot.config import Config, DeliveryConfig, SourcesConfig, StoreConfig  # noqa: E402
from bot.store import open_store  # noqa: E402


def config_for(store_url: str) -> Config:
    return Config(
        store=StoreConfig(url=store_url),
        sources=SourcesConfig(paths=(str(REPO / "seeds"),)),
        delivery=DeliveryConfig(messages_per_second=28.0),
    )


def child(store_url: str, token: str, base_url: str) -> None:
    """The sending process: one `deliver_due` run, as the scheduler would do it."""
    from bot.chat.telegram import TelegramSender, make_bot
    from bot.deliver import deliver_due

    services = Services(open_store(store_url), config_for(store_url))

    async def run():
        bot = make_bot(token, base_url)
        async with bot:
            return await deliver_due(services, TelegramSender(bot), concurrency=256)

    report = asyncio.run(run())
    print(f"child: {report.summary()}", flush=True)


def prepare(store_url: str, subscribers: int) -> int:
    """A store with the seed analysed and `subscribers` readers due now; returns parts per
    briefing."""
    from sqlalchemy import insert

    from bot.brief.build import build_briefing
    from bot.brief.render import render, split_message
    from bot.jobs import collect
    from bot.store.articles import latest_day
    from bot.store.schema import Subscriber

    config = config_for(store_url)
    store = open_store(store_url)
    collect(store, config)
    zone = config.zone
    now_local = dt.datetime.now(zone)
    slot = (now_local - dt.timedelta(minutes=1)).strftime("%H:%M")
    with store.session() as session:
        session.execute(
            insert(Subscriber),
            [
                {
                    "chat_id": 1_000_000 + i,
                    "chat_type": "private",
                    "language": "de",
                    "timezone": "Europe/Berlin",
                    "delivery_time": slot,
                    "active": True,
                    "subscribed": True,
                }
                for i in range(subscribers)
            ],
        )
        day = latest_day(session, zone)
        assert day == now_local.date(), "the seed must land on today"
        briefing = build_briefing(session, day, zone, config.briefing, "de")
    parts = len(split_message(render("briefing", "telegram", briefing=briefing, lang="de")))
    store.close()
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--kill-after", type=float, default=60.0, help="seconds; 0: no kill")
    parser.add_argument("--child", nargs=3, metavar=("STORE", "TOKEN", "BASE_URL"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from tests.botapi import FakeTelegramServer, RateLimits

    with tempfile.TemporaryDirectory() as tmp:
        store_url = f"sqlite:///{tmp}/fanout.sqlite"
        parts = prepare(store_url, args.subscribers)
        expected = args.subscribers * parts
        print(
            f"subscribers: {args.subscribers}, parts per briefing: {parts}, "
            f"messages expected: {expected}"
        )
        with FakeTelegramServer(rate_limits=RateLimits(), record_requests=False) as server:
            command = [
                sys.executable,
                __file__,
                "--child",
                store_url,
                server.token,
                server.base_url,
            ]
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            started = time.monotonic()
            first = subprocess.Popen(command, env=env)
            killed_at = None
            if args.kill_after:
                try:
                    first.wait(timeout=args.kill_after)
                except subprocess.TimeoutExpired:
                    first.send_signal(signal.SIGKILL)
                    first.wait()
                    killed_at = len(server.messages)
                    print(
                        f"killed the sender after {args.kill_after:.0f} s, {killed_at} messages in"
                    )
            else:
                first.wait()
            if killed_at is not None:
                subprocess.run(command, env=env, check=True)
            elapsed = time.monotonic() - started
            per_chat = collections.Counter(m.chat_id for m in server.messages)
            lost = sum(1 for i in range(args.subscribers) if per_chat[1_000_000 + i] < parts)
            duplicated = sum(1 for count in per_chat.values() if count > parts)
            sent = len(server.messages)
            print(
                f"messages sent: {sent} in {elapsed:.1f} s → {sent / elapsed:.1f} msg/s "
                f"({sent / elapsed / 30:.0%} of Telegram's 30 msg/s), "
                f"429s: {sum(server.rate_limited.values())}"
            )
            print(
                f"lost deliveries: {lost}, duplicated deliveries: {duplicated}, "
                f"extra messages: {sent - expected}"
            )


if __name__ == "__main__":
    main()
