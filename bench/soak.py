"""Soak: 50,000 distinct users each sending commands to the running bot, with 5 collection
rounds in between — does the bot's resident memory stay flat once warm?

    .venv/bin/python bench/soak.py [--users 50000] [--rounds 5] [--articles 100]
        [--baseline /work/main]

The bot is the real PTB Application (`build_application`) against the local fake Bot API in a
process of its own, with rate limits off (Telegram's limits would stretch 50,000 answers over
half an hour; they are not what is measured). Users send /help, /today, /search, /actor and a
plain sentence in turn, 32 at a time; each collection round adds `--articles` new 10kGNAD
texts (CC BY-NC-SA, read in place) through `services.collect`, as the scheduled job does. The
flood guard's window is shortened to 10 s so that forgetting users happens within the run.

Reported: RSS (VmRSS) of the bot's process after warm-up (the first round and 10 % of the
users) and at the end, the growth, and the sizes of the per-user maps; the collection worker's
RSS where collections run in a process of their own. `--baseline DIR` runs the same with DIR's
code (e.g. main) in a second process.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import ctypes
import ctypes.util
import datetime as dt
import itertools
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "news" / "10kgnad-test" / "test.csv"


def _code_path() -> Path:
    if "--code" in sys.argv:
        return Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
    return REPO


sys.path.insert(0, str(_code_path()))
sys.path.insert(1, str(REPO))  # tests.botapi

from bot_start import limit_heaps, start_like_the_bot  # noqa: E402  (bench/)

SERVER = """
import sys
from tests.botapi import FakeTelegramServer, RateLimits
server = FakeTelegramServer(rate_limits=RateLimits.disabled(), record_requests=False).start()
print(server.base_url, server.token, flush=True)
sys.stdin.read()
"""
TEXTS = ["/help", "/today", "/search Regierung", "/actor Rubio", "Guten Morgen"]


_MALLINFO2 = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2.split()]


def native_mb() -> dict[str, float]:
    """Where the memory outside Python's objects is: SQLite's own allocations (page caches,
    prepared statements) and glibc's heap — in use, and free but kept by the allocator."""
    found: dict[str, float] = {}
    try:
        sqlite = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
        found["sqlite_mb"] = sqlite.sqlite3_memory_used() / 2**20
    except (OSError, AttributeError):
        pass
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
        found["malloc_used_mb"] = (info.uordblks + info.hblkhd) / 2**20
        found["malloc_free_mb"] = info.fordblks / 2**20
    except (OSError, AttributeError):
        pass
    return found


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def trimmed_rss_mb() -> float:
    """The resident size once glibc's free heap pages went back to the system — what the bot
    does after each collection anyway (bot/memory.py), so the next round starts the same."""
    try:
        from bot.memory import release_freed_memory
    except ImportError:
        return 0.0
    release_freed_memory()
    return rss_mb()


def texts(count: int, offset: int) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with DATA.open(encoding="utf-8") as handle:
        rows = [r[1] for r in csv.reader(handle, delimiter=";", quotechar="'") if len(r) > 1]
    return [rows[(offset + i) % len(rows)] for i in range(count)]


def update(chat_id: int, text: str, update_id: int, bot):
    from telegram import Update

    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Leser"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Update.de_json({"update_id": update_id, "message": message}, bot)


async def soak(url: str, folder: Path, users: int, rounds: int, per_round: int) -> dict:
    from bot.chat.flood import FloodGuard
    from bot.chat.reply import Services
    from bot.chat.telegram import build_application
    from bot.config import Config, SourcesConfig, StoreConfig, TelegramConfig
    from bot.ratelimit import RateLimiter
    from bot.store import open_store

    limit_heaps()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict = {"rss": []}
    try:
        base_url, token = server.stdout.readline().split()
        config = Config(
            store=StoreConfig(url=url),
            sources=SourcesConfig(paths=(str(REPO / "seeds"), str(folder))),
            telegram=TelegramConfig(token=token, base_url=base_url),
        )
        try:
            from bot.jobs import CollectProcess

            services = Services(open_store(url), config, collector=CollectProcess())
        except ImportError:
            services = Services(open_store(url), config)
        application = build_application(services, jobs=())
        parts = application.bot_data["morgenlage"]
        parts.limiter = RateLimiter(100_000.0)  # limits off: memory is measured, not pacing
        parts.flood = FloodGuard(limit=20, window=10.0)
        await asyncio.to_thread(start_like_the_bot)
        counter = itertools.count(1)
        per_round_users = users // rounds
        async with application:
            for round_ in range(rounds):
                for i, text in enumerate(texts(per_round, round_ * per_round)):
                    title = text.split(". ")[0][:120]
                    (folder / f"r{round_}_{i:04d}.txt").write_text(f"{title}\n\n{text}")
                report = await asyncio.to_thread(services.collect)
                first = round_ * per_round_users
                chats = range(10_000_000 + first, 10_000_000 + first + per_round_users)
                queue = iter(enumerate(chats))

                async def worker(queue=queue) -> None:
                    for index, chat_id in queue:
                        text = TEXTS[index % len(TEXTS)]
                        await application.process_update(
                            update(chat_id, text, next(counter), parts.sender.bot)
                        )

                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(32)))
                seconds = time.perf_counter() - started
                workers = [rss_mb(p.pid) for p in multiprocessing.active_children()]
                result["rss"].append(
                    {
                        "round": round_ + 1,
                        "analysed": report.analysis.analysed,
                        "users": first + per_round_users,
                        "commands_per_s": per_round_users / seconds,
                        "bot_mb": rss_mb(),
                        "worker_mb": max(workers, default=0.0),
                        "flood_users": len(parts.flood._seen),
                        "limiter_chats": len(parts.limiter._next_chat),
                        "anon_mb": rss_mb(field="RssAnon"),
                        "file_mb": rss_mb(field="RssFile") + rss_mb(field="RssShmem"),
                        **native_mb(),
                        "trimmed_mb": trimmed_rss_mb(),
                    }
                )
                print(json.dumps(result["rss"][-1]), file=sys.stderr)
        if getattr(services, "collector", None) is not None:
            services.collector.close()
        services.store.close()
    finally:
        server.stdin.close()
        server.wait()
    return result


def summary(label: str, result: dict) -> None:
    rounds = result["rss"]
    warm, last = rounds[0], rounds[-1]
    growth = (last["bot_mb"] - warm["bot_mb"]) / warm["bot_mb"]
    print(f"{label}:")
    for r in rounds:
        print(
            f"  round {r['round']}: {r['users']:6d} users, {r['analysed']:4d} analysed, "
            f"{r['commands_per_s']:5.0f} commands/s, bot RSS {r['bot_mb']:6.0f} MB, "
            f"collection worker {r['worker_mb']:5.0f} MB, flood map {r['flood_users']:6d}, "
            f"limiter map {r['limiter_chats']:6d}"
        )
        if "malloc_used_mb" in r:
            print(
                f"           SQLite {r.get('sqlite_mb', 0):5.1f} MB, malloc in use "
                f"{r['malloc_used_mb']:5.1f} MB, malloc free {r['malloc_free_mb']:5.1f} MB, "
                f"RSS anonymous {r['anon_mb']:5.1f} MB, file {r['file_mb']:5.1f} MB, "
                f"after malloc_trim {r['trimmed_mb']:5.1f} MB"
            )
    print(
        f"  bot RSS after warm-up (round 1) → end: {warm['bot_mb']:.0f} → {last['bot_mb']:.0f} MB "
        f"({growth:+.1%})"
    )


def run(users: int, rounds: int, per_round: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "news"
        folder.mkdir()
        url = f"sqlite:///{tmp}/soak.sqlite"
        return asyncio.run(soak(url, folder, users, rounds, per_round))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=100, help="new articles per round")
    parser.add_argument("--baseline", type=Path, help="a tree whose code to measure as well")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    started = dt.datetime.now()
    result = run(args.users, args.rounds, args.articles)
    if args.code:
        print(json.dumps(result))
        return
    summary("this tree", result)
    print(f"  ({(dt.datetime.now() - started).total_seconds():.0f} s)")
    if args.baseline:
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--users",
                str(args.users),
                "--rounds",
                str(args.rounds),
                "--articles",
                str(args.articles),
                "--code",
                str(args.baseline),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        summary("baseline", json.loads(output.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
