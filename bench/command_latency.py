"""Command latency with 10,000 articles stored: p50/p99 of /actor, /today and /search, from
the text a user sends to the rendered Telegram HTML (network excluded).

    .venv/bin/python bench/command_latency.py [--articles 10000] [--store PATH] [--calls 300]

The articles are built from the 10kGNAD test set (DER STANDARD, CC BY-NC-SA, read in place):
each synthetic article mixes sentences of real articles of one topic, so the 10,000 are
distinct and analysed by the real pipeline, spread over the last ten days. `--store` keeps
the built SQLite file for later runs.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import random
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.chat.handlers import dispatch  # noqa: E402
from bot.chat.reply import Chat, Services  # noqa: E402
from bot.collect.ingest import ingest  # noqa: E402
from bot.collect.types import RawArticle  # noqa: E402
from bot.config import Config, StoreConfig  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.schema import Actor, Article, ArticleActor  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "news" / "10kgnad-test" / "test.csv"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])")


def synthetic_articles(count: int, seed: int = 7) -> list[RawArticle]:
    csv.field_size_limit(sys.maxsize)
    by_topic: dict[str, list[str]] = collections.defaultdict(list)
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter=";", quotechar="'"):
            if len(row) > 1:
                by_topic[row[0]].extend(s for s in _SENTENCE.split(row[1]) if len(s) > 40)
    rng = random.Random(seed)
    topics = sorted(by_topic)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    articles = []
    for i in range(count):
        sentences = rng.sample(by_topic[topics[i % len(topics)]], rng.randint(8, 14))
        published = now - dt.timedelta(minutes=rng.randint(0, 10 * 24 * 60))
        articles.append(
            RawArticle(
                url=f"https://bench.example/{i}",
                title=sentences[0][:120],
                text="\n".join(sentences),
                published_at=published,
                outlet=f"Quelle {i % 40}",
            )
        )
    return articles


def build(store_path: Path, count: int) -> None:
    store = open_store(f"sqlite:///{store_path}")
    with store.session() as session:
        have = session.scalar(select(func.count()).select_from(Article)) or 0
    if have < count:
        started = time.perf_counter()
        ingest(store, synthetic_articles(count), "files", "bench:10kgnad")
        report = analyse_pending(store, Analyser(), progress=sys.stderr.isatty())
        print(
            f"built: {report.analysed} articles analysed in {time.perf_counter() - started:.0f} s"
        )
    store.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=Path("/tmp/morgenlage-bench-10k.sqlite"))
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    build(args.store, args.articles)
    config = Config(store=StoreConfig(url=f"sqlite:///{args.store}"))
    services = Services(open_store(config.store.url), config)
    with services.store.session() as session:
        articles = session.scalar(select(func.count()).select_from(Article))
        names = list(
            session.scalars(
                select(Actor.name)
                .join(ArticleActor, ArticleActor.actor_id == Actor.id)
                .where(Actor.kind == "PER")
                .group_by(Actor.id)
                .order_by(func.count().desc())
                .limit(200)
            )
        )
    rng = random.Random(3)
    chat = Chat(chat_id=1)
    commands = {
        "/actor": lambda: f"/actor {rng.choice(names).split()[-1]}",
        "/today": lambda: "/today",
        "/search": lambda: f"/search {rng.choice(['Regierung', 'Wien', 'Polizei', 'Euro'])}",
    }
    print(f"articles stored: {articles}; {args.calls} calls per command")
    for name, make in commands.items():
        dispatch(services, chat, make())  # warm caches once
        timings = []
        for _ in range(args.calls):
            text = make()
            start = time.perf_counter()
            for reply in dispatch(services, chat, text):
                reply.render("telegram", "de")
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:8s} p50 {statistics.median(timings):7.1f} ms   "
            f"p99 {percentile(timings, 0.99):7.1f} ms   max {max(timings):7.1f} ms"
        )


if __name__ == "__main__":
    main()
