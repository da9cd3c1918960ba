"""Event-loop lag while the bot works: a 1,000-article collection (the real pipeline) and a
1,000-reader delivery run at once on the running bot's loop, while readers send commands.

    .venv/bin/python bench/loop_lag.py [--articles 1000] [--readers 1000] [--baseline /work/main]

The bot is the real PTB Application (`build_application`) against the local fake Bot API
(tests/botapi, Telegram's real limits: 30 messages/s, one per chat per second). The collection
runs as the scheduled job runs it (`services.collect` in a worker thread, articles from a
folder: 10kGNAD texts, CC BY-NC-SA, read in place and written to a temporary folder), the
delivery as the minute tick does (`deliver_due`). Meanwhile a probe sleeps 10 ms again and again
and records by how much it overslept (the lag), and every 200 ms a new reader sends a command
(/today, /actor, /search, /help in turn), answered through the Application's handlers; the
latency is from the update to the answer's first message accepted by the Bot API (what the
reader waits for), and to its last: a briefing longer than one message goes out in parts one
second apart, Telegram's limit per chat, so its last part comes a second or more later.

Reported: lag p50/p99/max and command p50/p99 during the load, beside the lag of the idle loop
measured first (same process). `--baseline DIR` runs the same scenario with DIR's code (e.g.
main before this change) in a second process.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import gc
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def write_articles(folder: Path, count: int) -> None:
    """`count` article files: 10kGNAD texts (cycled, numbered, so each one is new)."""
    csv.field_size_limit(sys.maxsize)
    with DATA.open(encoding="utf-8") as handle:
        texts = [r[1] for r in csv.reader(handle, delimiter=";", quotechar="'") if len(r) > 1]
    for i in range(count):
        text = texts[i % len(texts)]
        title = text.split(". ")[0][:120]
        body = text if i < len(texts) else f"{text}\n\n(Fassung {i // len(texts)})"
        (folder / f"{i:05d}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")


def prepare(url: str, readers: int):
    """The seed collected ten minutes ago; `readers` readers whose slot is this minute."""
    import time_machine
    from sqlalchemy import insert

    from bot.config import Config, SourcesConfig, StoreConfig
    from bot.jobs import collect
    from bot.store import open_store
    from bot.store.schema import Subscriber

    config = Config(store=StoreConfig(url=url), sources=SourcesConfig(paths=(str(REPO / "seeds"),)))
    store = open_store(url)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10), tick=True):
        collect(store, config)
    slot = dt.datetime.now(config.zone).strftime("%H:%M")
    with store.session() as session:
        session.execute(
            insert(Subscriber),
            [
                {"chat_id": 1_000_000 + i, "timezone": "Europe/Berlin", "delivery_time": slot}
                for i in range(readers)
            ],
        )
    store.close()


def update(chat_id: int, text: str, update_id: int, bot):
    from telegram import Update

    entity = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Leserin"},
                "text": text,
                "entities": entity,
            },
        },
        bot,
    )


async def probe(stop: asyncio.Event, lags: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.010)
        lags.append((time.perf_counter() - start - 0.010) * 1000)


# The fake Bot API in a process of its own: its work is not the bot's, and must not take the
# bot's interpreter lock.
SERVER = """
import sys
from tests.botapi import FakeTelegramServer, RateLimits
server = FakeTelegramServer(rate_limits=RateLimits(), record_requests=False).start()
print(server.base_url, server.token, flush=True)
sys.stdin.read()
"""


def _watch_full_collections() -> tuple[list[float], Callable[[], None]]:
    """Milliseconds of each full garbage collection from now on (they stop every thread), and
    how to stop watching."""
    pauses: list[float] = []
    started = [0.0]

    def watch(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(watch)
    return pauses, lambda: gc.callbacks.remove(watch)


async def scenario(url: str, folder: Path, articles: int, idle_seconds: float) -> dict:
    from bot.chat.reply import Services
    from bot.chat.telegram import build_application
    from bot.config import Config, SourcesConfig, StoreConfig, TelegramConfig
    from bot.deliver import deliver_due
    from bot.store import open_store

    result: dict = {}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url, token = server.stdout.readline().split()
        config = Config(
            store=StoreConfig(url=url),
            sources=SourcesConfig(paths=(str(folder),)),
            telegram=TelegramConfig(token=token, base_url=base_url),
        )
        # A running bot collected at start, so its pipeline is loaded: in a process of its own
        # where the code has one (bot/jobs.py CollectProcess), else in this one.
        try:
            from bot.jobs import CollectProcess

            services = Services(open_store(url), config, collector=CollectProcess())
        except ImportError:
            services = Services(open_store(url), config)
        services.collect()  # the folder is still empty: this loads the pipeline
        write_articles(folder, articles)
        application = build_application(services, jobs=())
        parts = application.bot_data["morgenlage"]
        start_like_the_bot()
        async with application:
            # The idle loop first: what the probe sees with nothing else running.
            stop, idle = asyncio.Event(), []
            task = asyncio.create_task(probe(stop, idle))
            await asyncio.sleep(idle_seconds)
            stop.set()
            await task
            result["idle"] = idle

            stop, lags, answers = asyncio.Event(), [], []
            pauses, stop_watching = _watch_full_collections()
            task = asyncio.create_task(probe(stop, lags))
            counter = itertools.count(1)
            names = ["/today", "/actor Rubio", "/search Riad", "/help"]

            first_sent: dict[int, float] = {}  # asking chat → when its answer's first part went
            send = parts.sender.send

            async def noting_first(chat_id: int, *args) -> None:
                await send(chat_id, *args)
                first_sent.setdefault(chat_id, time.perf_counter())

            parts.sender.send = noting_first

            async def ask(chat_id: int, text: str) -> None:
                start = time.perf_counter()
                await application.process_update(
                    update(chat_id, text, next(counter), parts.sender.bot)
                )
                done = time.perf_counter()
                first = first_sent.get(chat_id, done)
                answers.append(((first - start) * 1000, (done - start) * 1000, text.split()[0]))

            async def commands() -> None:
                asking = []
                for i in itertools.count():
                    if stop.is_set():
                        break
                    asking.append(asyncio.create_task(ask(5_000_000 + i, names[i % 4])))
                    await asyncio.sleep(0.2)
                await asyncio.gather(*asking)

            talking = asyncio.create_task(commands())
            started = time.perf_counter()

            async def collecting() -> None:
                report = await asyncio.to_thread(services.collect)
                result["collect_s"] = time.perf_counter() - started
                result["analysed"] = report.analysis.analysed

            async def delivering() -> None:
                report = await deliver_due(services, parts.sender, limiter=parts.limiter)
                result["deliver_s"] = time.perf_counter() - started
                result["delivered"] = report.sent

            await asyncio.gather(collecting(), delivering())
            stop.set()
            await asyncio.gather(task, talking)
            result["lags"], result["answers"] = lags, answers
            stop_watching()
            result["gc_pauses"] = list(pauses)
        if getattr(services, "collector", None) is not None:
            services.collector.close()
        services.store.close()
    finally:
        server.stdin.close()
        server.wait()
    return result


def summary(label: str, result: dict) -> None:
    idle, lags = result["idle"], result["lags"]
    # Older runs recorded (last part, command); now (first part, last part, command).
    rows = [a if len(a) == 3 else (a[0], a[0], a[1]) for a in result["answers"]]
    answers = [first for first, _last, _name in rows]
    lasts = [last for _first, last, _name in rows]
    print(
        f"{label}: collection {result['analysed']} articles in {result['collect_s']:.0f} s, "
        f"delivery {result['delivered']} readers in {result['deliver_s']:.0f} s"
    )
    print(
        f"  loop lag idle   p50 {statistics.median(idle):6.1f} ms  p99 "
        f"{percentile(idle, 0.99):6.1f} ms  max {max(idle):6.1f} ms  ({len(idle)} probes)"
    )
    print(
        f"  loop lag loaded p50 {statistics.median(lags):6.1f} ms  p99 "
        f"{percentile(lags, 0.99):6.1f} ms  max {max(lags):6.1f} ms  ({len(lags)} probes)"
    )
    print(
        f"  commands        p50 {statistics.median(answers):6.1f} ms  p99 "
        f"{percentile(answers, 0.99):6.1f} ms  max {max(answers):6.1f} ms  ({len(answers)}; "
        "until the answer's first message)"
    )
    print(
        f"    last part     p50 {statistics.median(lasts):6.1f} ms  p99 "
        f"{percentile(lasts, 0.99):6.1f} ms  (a long answer's parts go 1 s apart: Telegram's "
        "limit per chat)"
    )
    pauses = result.get("gc_pauses", [])
    print(
        f"  full garbage collections during the load: {len(pauses)}"
        + (f", longest {max(pauses):.0f} ms" if pauses else "")
    )
    for name in ("/today", "/actor", "/search", "/help"):
        mine = [(first, last) for first, last, command in rows if command == name]
        if mine:
            firsts, ends = [f for f, _ in mine], [e for _, e in mine]
            print(
                f"    {name:8s} p50 {statistics.median(firsts):6.1f} ms  p99 "
                f"{percentile(firsts, 0.99):6.1f} ms   last part p50 "
                f"{statistics.median(ends):6.1f} ms  p99 {percentile(ends, 0.99):6.1f} ms"
            )


def run(articles: int, readers: int, idle: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/lag.sqlite"
        folder = Path(tmp) / "news"
        folder.mkdir()
        prepare(url, readers)
        return asyncio.run(scenario(url, folder, articles, idle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle probing")
    parser.add_argument("--baseline", type=Path, help="a tree whose code to measure as well")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline-python",
        default=sys.executable,
        help="the interpreter (venv) for the baseline, when its dependencies differ",
    )
    args = parser.parse_args()
    limit_heaps()  # as `morgenlage run` does, before the first thread
    result = run(args.articles, args.readers, args.idle)
    if args.code:
        print(json.dumps(result))
        return
    summary("this tree", result)
    if args.baseline:
        output = subprocess.run(
            [
                args.baseline_python,
                __file__,
                "--articles",
                str(args.articles),
                "--readers",
                str(args.readers),
                "--idle",
                str(args.idle),
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
