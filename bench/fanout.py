"""Fan-out of the morning briefing to many readers by several `morgenlage deliver` processes on
one store, against a local Bot API server that enforces Telegram's limits (30 messages/s
overall, 1/s per chat) — with one sender SIGKILLed mid-way, as in a crash.

    .ci/with-postgres .venv/bin/python bench/fanout.py          # PostgreSQL (the issue's setup)
    .venv/bin/python bench/fanout.py --subscribers 2000         # SQLite

Reports the combined sending rate (while every process runs, and over the whole run), the 429s,
and per reader: lost (fewer messages than the briefing's parts) and duplicated (more) deliveries.
After the survivors finish, one more `deliver` runs once the dead sender's leases have run out —
the next minute's tick of a real deployment — and sends what the dead one had claimed.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.config import Config, SourcesConfig, StoreConfig  # noqa: E402
from bot.store import open_store  # noqa: E402

TELEGRAM_RATE = 30.0


def fresh_store_url(tmp: str) -> str:
    """A new database on MORGENLAGE_TEST_STORE_URL's server, else an SQLite file."""
    server = os.environ.get("MORGENLAGE_TEST_STORE_URL", "")
    if not server:
        return f"sqlite:///{tmp}/fanout.sqlite"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"fanout_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def prepare(store_url: str, subscribers: int) -> None:
    """The seed, collected ten minutes ago, and `subscribers` readers whose slot is this
    minute (Berlin)."""
    import time_machine
    from sqlalchemy import insert

    from bot.jobs import collect
    from bot.store.schema import Subscriber

    config = Config(
        store=StoreConfig(url=store_url), sources=SourcesConfig(paths=(str(REPO / "seeds"),))
    )
    store = open_store(store_url)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10), tick=True):
        collect(store, config)
    slot = dt.datetime.now(config.zone).strftime("%H:%M")
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
    store.close()


def parts_per_briefing(store_url: str) -> int:
    from sqlalchemy import select

    from bot.store.schema import Edition

    store = open_store(store_url)
    with store.session() as session:
        counts = {len(parts) for parts in session.scalars(select(Edition.parts))}
    store.close()
    assert len(counts) == 1, f"editions with different part counts: {counts}"
    return counts.pop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=3)
    parser.add_argument("--kill-after", type=float, default=60.0, help="seconds; 0: no kill")
    parser.add_argument("--rate", type=float, default=28.0, help="delivery.messages_per_second")
    parser.add_argument("--lease", type=int, default=60, help="delivery.lease_seconds")
    args = parser.parse_args()

    from tests.botapi import FakeTelegramServer, RateLimits
    from tests.fixtures.processes import deployment_config, morgenlage

    with tempfile.TemporaryDirectory() as tmp:
        store_url = fresh_store_url(tmp)
        prepare(store_url, args.subscribers)
        backend = store_url.split(":", 1)[0]
        print(f"store: {backend}; readers: {args.subscribers}; senders: {args.senders}")
        with FakeTelegramServer(rate_limits=RateLimits(), record_requests=False) as server:
            config = deployment_config(
                Path(tmp),
                store_url,
                server.base_url,
                messages_per_second=args.rate,
                lease_seconds=args.lease,
            )
            started = time.monotonic()
            processes = [
                morgenlage(config, server.token, "deliver", quiet=True) for _ in range(args.senders)
            ]
            killed, kill_time = None, None
            if args.kill_after:
                try:
                    processes[0].wait(timeout=args.kill_after)
                except subprocess.TimeoutExpired:
                    kill_time = time.monotonic()
                    processes[0].kill()
                    processes[0].wait()
                    killed = len(server.messages)
                    print(
                        f"SIGKILL to sender 1 after {args.kill_after:.0f} s, {killed} sent by then"
                    )
            for process in processes:
                process.wait()
            survivors_done = time.monotonic()
            main_messages = len(server.messages)
            main_first = server.messages[0].time if server.messages else started
            main_last = server.messages[-1].time if server.messages else started
            tail = 0
            if killed is not None:
                time.sleep(args.lease + 1)  # the dead sender's leases run out
                restart = morgenlage(config, server.token, "deliver", quiet=True)
                restart.wait()
                tail = len(server.messages) - main_messages
            elapsed = time.monotonic() - started
            parts = parts_per_briefing(store_url)
            per_chat = collections.Counter(m.chat_id for m in server.messages)
            lost = sum(1 for i in range(args.subscribers) if per_chat[1_000_000 + i] < parts)
            duplicated = sum(1 for count in per_chat.values() if count > parts)
            rate = (main_messages - 1) / max(main_last - main_first, 1e-9)
            print(f"parts per briefing: {parts}; messages: {len(server.messages)}")
            print(
                f"while the senders ran: {main_messages} messages, {rate:.1f} msg/s = "
                f"{rate / TELEGRAM_RATE:.1%} of Telegram's {TELEGRAM_RATE:.0f} msg/s "
                f"(first to last message; {survivors_done - started:.0f} s with start-up)"
            )
            if killed is not None:
                print(f"after the leases ran out, a restart sent the rest: {tail} messages")
            print(f"whole run: {elapsed:.0f} s, 429s: {sum(server.rate_limited.values())}")
            print(f"lost deliveries: {lost}, duplicated deliveries: {duplicated}")
            if duplicated and kill_time is not None:
                # A message Telegram accepted while its sender was being killed, before the
                # store recorded it, goes out again: the one gap no client can close.
                first_copy = {}
                for message in server.messages:
                    if per_chat[message.chat_id] > parts:
                        first_copy.setdefault(message.chat_id, message.time)
                offsets = sorted(f"{at - kill_time:+.3f} s" for at in first_copy.values())
                print(f"  first copies of the duplicated, relative to the SIGKILL: {offsets}")


if __name__ == "__main__":
    main()
