"""Command latency at a newsroom's scale: 100,000 analysed articles, 1,000 distinct subscribed
readers each asking /today, /actor NAME and /search WORDS once, cold (the briefing cache is
emptied before every call, and every reader's /today covers a window of its own). p50/p99 from
the text a user sends to the rendered Telegram HTML (network excluded), wall time and the
command's CPU time (fair on a shared machine). As in the running bot,
what a data version's news reads the same for every reader is shared between readers (the
developments written, the people each article names): the first reader after news arrived pays
for it — the `max` column.

    .venv/bin/python bench/command_latency.py [--articles 100000] [--readers 1000]
        [--baseline /work/main]          # the same calls, same store, with another tree's code

How the store is made: analysing 100,000 articles through the real pipeline takes hours here,
so `--base` (500) real 10kGNAD articles (DER STANDARD, CC BY-NC-SA, read in place) are
collected and analysed by the real pipeline once, and their stored rows — article, sentences,
mentions, actors with roles, quotes, topics, stories — are copied until there are `--articles`,
each copy with its own URL, hash, outlet and times (ids in order of arrival, as in a real
store): one story's copies are published within 12 hours of each other, the stories spread
evenly over `--days` (100: 1,000 articles a day), analysed 5 to 60 minutes after publication.
Texts and their sizes are the real ones; actors and their spellings are shared between copies
(the same people recur in the news).

Readers: each has a briefing sent at its own minute of the last day (so /today's windows
differ), asks /actor with one of the 200 most mentioned people, /search with one or two words
drawn from the stored headlines. `--baseline DIR` runs the very same calls (of the first
`--baseline-readers`, 100), on the very same store, with the code in DIR (e.g. main before this
change) in a second process.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "news" / "10kgnad-test" / "test.csv"
COMMANDS = ("/today", "/actor", "/search")


def _code_path() -> Path:
    """The tree whose `bot` package is measured: this one, or `--code DIR`."""
    if "--code" in sys.argv:
        return Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
    return REPO


sys.path.insert(0, str(_code_path()))

from bot_start import start_like_the_bot  # noqa: E402  (bench/, after the measured tree)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- the store ----------------------------------------------------------------------------------


def real_articles(count: int):
    from bot.collect.types import RawArticle

    csv.field_size_limit(sys.maxsize)
    articles = []
    with DATA.open(encoding="utf-8") as handle:
        for i, row in enumerate(csv.reader(handle, delimiter=";", quotechar="'")):
            if len(row) < 2 or len(articles) >= count:
                continue
            text = row[1].strip()
            title = text.split(". ")[0][:120]
            articles.append(RawArticle(url=f"https://bench.example/{i}", title=title, text=text))
    return articles


def base_store(path: Path, count: int) -> None:
    """`count` real articles collected and analysed by the real pipeline (kept for later runs)."""
    from bot.analyse.analyser import Analyser
    from bot.analyse.stage import analyse_pending
    from bot.collect.ingest import ingest
    from bot.store import open_store

    if path.exists():
        return
    store = open_store(f"sqlite:///{path}")
    started = time.perf_counter()
    ingest(store, real_articles(count), "files", "bench:10kgnad")
    report = analyse_pending(store, Analyser(), progress=sys.stderr.isatty())
    print(
        f"base: {report.analysed} real articles analysed in {time.perf_counter() - started:.0f} s"
    )
    store.close()


COPIED = (  # tables copied per article, keyed by article id
    "article_aliases",
    "sentences",
    "mentions",
    "article_actors",
    "quotes",
    "article_topics",
)


STATIC = ("sources", "actors", "actor_aliases")  # copied once


def synthesise(base: Path, url: str, total: int, days: int, seed: int = 11) -> None:
    """Copy the base store's analysed rows into `url` until it holds `total` articles."""
    from sqlalchemy import create_engine, func, insert, select

    from bot.store import open_store
    from bot.store.schema import Article, Base

    target = open_store(url)
    with target.session() as session:
        have = session.scalar(select(func.count()).select_from(Article)) or 0
    if have >= total:
        target.close()
        return
    started = time.perf_counter()
    source = create_engine(f"sqlite:///{base}")
    tables = Base.metadata.tables
    with source.connect() as connection:

        def rows(name: str) -> list[dict]:
            return [dict(r._mapping) for r in connection.execute(select(tables[name]))]

        articles = [a for a in rows("articles") if a["status"] == "analysed"]
        kept = {a["id"] for a in articles}
        per_article = {name: [r for r in rows(name) if r["article_id"] in kept] for name in COPIED}
        stories = {s["id"]: s for s in rows("stories")}
        story_of = {r["article_id"]: r for r in rows("story_articles") if r["article_id"] in kept}
        static = {name: rows(name) for name in STATIC}
    story_members: dict[int, list[int]] = {}
    for article_id, link in story_of.items():
        story_members.setdefault(link["story_id"], []).append(article_id)
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    copies = -(-total // len(articles))
    story_stride = max(stories, default=0) + 1
    # Stories (and articles without one) placed evenly over `days`, in random order.
    groups = sorted({story_of[a]["story_id"] if a in story_of else -a for a in kept})
    slots = list(range(copies * len(groups)))
    rng.shuffle(slots)
    span = dt.timedelta(days=days).total_seconds()
    center = {}
    for index, (copy, group) in enumerate((c, g) for c in range(copies) for g in groups):
        center[copy, group] = now - dt.timedelta(seconds=span * (slots[index] + 0.5) / len(slots))
    # Every copy's times first, so article ids grow with arrival as in a real store (search
    # and retention rely on it): the n-th article to arrive gets id n.
    planned: dict[tuple[int, int], dt.datetime] = {}
    made = 0
    for copy in range(copies):
        for article in articles:
            if made >= total:
                break
            made += 1
            link = story_of.get(article["id"])
            group = link["story_id"] if link else -article["id"]
            published = center[copy, group] + dt.timedelta(minutes=rng.randint(-720, 720))
            planned[copy, article["id"]] = min(published, now - dt.timedelta(minutes=61))
    arrival = sorted(planned, key=lambda key: (planned[key], key))
    by_article = {
        name: {a: [r for r in per_article[name] if r["article_id"] == a] for a in kept}
        for name in COPIED
    }
    story_rows = []
    for copy in range(copies):
        for story_id, story in stories.items():
            members = [
                planned[copy, a] for a in story_members.get(story_id, ()) if (copy, a) in planned
            ]
            if members:
                story_rows.append(
                    {
                        **story,
                        "id": copy * story_stride + story_id,
                        "first_seen_at": min(members),
                        "last_seen_at": max(members),
                    }
                )
    articles_by_id = {a["id"]: a for a in articles}

    def insert_rows(connection, name: str, values: list[dict]) -> None:
        if values and values[0].get("id", 0) is None:
            values = [{k: v for k, v in row.items() if k != "id"} for row in values]
        for start in range(0, len(values), 5000):
            connection.execute(insert(tables[name]), values[start : start + 5000])

    with target.engine.begin() as connection:
        for name in STATIC:
            insert_rows(connection, name, static[name])
        insert_rows(connection, "stories", story_rows)
        made = 0
        # In order of arrival, as a real store fills: each batch appends to the tables' ends.
        for first in range(0, len(arrival), 500):
            batch = {name: [] for name in (*COPIED, "articles", "story_articles")}
            for new_id, (copy, old_id) in enumerate(arrival[first : first + 500], first + 1):
                made += 1
                article = articles_by_id[old_id]
                link = story_of.get(old_id)
                group = link["story_id"] if link else -old_id
                published = planned[copy, old_id]
                values = {k: v for k, v in article.items() if k != "day_time"}
                values.update(
                    id=new_id,
                    url=f"{article['url']}/{copy}",
                    content_hash=hashlib.sha256(
                        f"{article['content_hash']}{copy}".encode()
                    ).hexdigest(),
                    outlet=f"Quelle {rng.randint(1, 40)}",
                    published_at=published,
                    ingested_at=published + dt.timedelta(minutes=2),
                    analysed_at=published + dt.timedelta(minutes=rng.randint(5, 60)),
                )
                batch["articles"].append(values)
                if link:
                    batch["story_articles"].append(
                        {**link, "article_id": new_id, "story_id": copy * story_stride + group}
                    )
                for name in COPIED:
                    for row in by_article[name][old_id]:
                        values = {**row, "article_id": new_id}
                        if "id" in values:
                            values["id"] = None
                        batch[name].append(values)
            for name in ("articles", "story_articles", *COPIED):
                insert_rows(connection, name, batch[name])
            if sys.stderr.isatty():
                print(f"\rsynthesised {made} articles", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with target.engine.connect() as connection:
        if target.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("ANALYZE")
    target.close()
    print(f"synthesised {made} articles in {time.perf_counter() - started:.0f} s")


def readers(url: str, count: int, seed: int = 5) -> dict:
    """`count` subscribed readers, each with a briefing sent at a minute of its own in the last
    day, and the actor and words each asks for."""
    from sqlalchemy import delete, func, insert, select

    from bot.store import open_store
    from bot.store.schema import Actor, Article, ArticleActor, Delivery, Subscriber

    rng = random.Random(seed)
    store = open_store(url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0)
    with store.session() as session:
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
        titles = list(session.scalars(select(Article.title).limit(2000)))
        session.execute(delete(Delivery))
        session.execute(delete(Subscriber))
        chat_ids = [3_000_000 + i for i in range(count)]
        session.execute(
            insert(Subscriber),
            [{"chat_id": c, "language": "de", "timezone": "Europe/Berlin"} for c in chat_ids],
        )
        ids = dict(session.execute(select(Subscriber.chat_id, Subscriber.id)).all())
        minutes = rng.sample(range(60, 24 * 60), count)
        session.execute(
            insert(Delivery),
            [
                {
                    "subscriber_id": ids[chat],
                    "day": (now - dt.timedelta(days=1)).date(),
                    "state": "sent",
                    "sent_at": now - dt.timedelta(minutes=m),
                    "window_start": now - dt.timedelta(minutes=m, days=1),
                    "window_end": now - dt.timedelta(minutes=m),
                }
                for chat, m in zip(chat_ids, minutes, strict=True)
            ],
        )
    store.close()
    words = sorted({w.strip(".,:;!?\"'()") for t in titles for w in t.split() if len(w) >= 6})
    words = [w for w in words if w.isalpha()]
    return {
        "chats": chat_ids,
        "actors": [rng.choice(names) for _ in chat_ids],
        "searches": [" ".join(rng.sample(words, rng.choice((1, 1, 2)))) for _ in chat_ids],
    }


# --- measuring -----------------------------------------------------------------------------------


def measure(url: str, asks: dict) -> dict[str, list[float]]:
    """Each reader's three commands, cold; milliseconds per command."""
    import bot.chat  # noqa: F401  (registers every command)
    from bot.chat import handlers
    from bot.chat.reply import Chat, Services
    from bot.config import Config, StoreConfig
    from bot.store.db import Store, create_store_engine

    config = Config(store=StoreConfig(url=url))
    # Store() without migrating: another tree's code reads the same tables.
    services = Services(Store(create_store_engine(url)), config)
    # Wall time is what a reader waits; CPU time (this thread's) is what the command cost,
    # unmoved by other work on a shared machine.
    timings: dict[str, list[float]] = {n: [] for name in COMMANDS for n in (name, f"{name} cpu")}
    texts = {
        "/today": lambda i: "/today",
        "/actor": lambda i: f"/actor {asks['actors'][i]}",
        "/search": lambda i: f"/search {asks['searches'][i]}",
    }
    handlers.dispatch(services, Chat(chat_id=1), "/help")  # templates and connections warm
    start_like_the_bot()
    cache = getattr(handlers, "BRIEFINGS", None)  # older trees: a module-level dict
    forget_briefings = cache.clear if cache is not None else handlers._BRIEFINGS.clear
    for name in COMMANDS:
        for i, chat_id in enumerate(asks["chats"]):
            forget_briefings()  # cold: no cached briefing from an earlier reader
            chat = Chat(chat_id=chat_id, language="de")
            start, cpu = time.perf_counter(), time.thread_time()
            for reply in handlers.dispatch(services, chat, texts[name](i)):
                reply.render("telegram", "de")
            timings[name].append((time.perf_counter() - start) * 1000)
            timings[f"{name} cpu"].append((time.thread_time() - cpu) * 1000)
    services.store.close()
    return timings


def report(label: str, timings: dict[str, list[float]]) -> None:
    for name in COMMANDS:
        for kind in (name, f"{name} cpu"):
            values = timings.get(kind)
            if not values:  # an older tree's bench output has no CPU times
                continue
            print(
                f"{label:9s} {kind:12s} p50 {statistics.median(values):7.1f} ms   "
                f"p99 {percentile(values, 0.99):7.1f} ms   max {max(values):7.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--base", type=int, default=500)
    parser.add_argument("--store", type=Path, default=Path("/tmp/morgenlage-bench-100k.sqlite"))
    parser.add_argument("--baseline", type=Path, help="a tree whose code to measure as well")
    parser.add_argument(
        "--baseline-readers", type=int, default=100, help="the first N readers, for the baseline"
    )
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)  # set by --baseline
    parser.add_argument("--asks", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"sqlite:///{args.store}"
    if args.code:  # the baseline's process: measure only, print JSON
        print(json.dumps(measure(url, json.loads(args.asks.read_text()))))
        return
    base = args.store.with_name(f"morgenlage-bench-base-{args.base}.sqlite")
    base_store(base, args.base)
    synthesise(base, url, args.articles, args.days)
    asks = readers(url, args.readers)
    print(f"articles: {args.articles} over {args.days} days; readers: {args.readers}, cold")
    mine = measure(url, asks)
    report("this tree", mine)
    if args.baseline:
        asks_file = args.store.with_suffix(".asks.json")
        first = {key: values[: args.baseline_readers] for key, values in asks.items()}
        asks_file.write_text(json.dumps(first))
        print(f"baseline: the first {args.baseline_readers} readers, same store and questions")
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--store",
                str(args.store),
                "--code",
                str(args.baseline),
                "--asks",
                str(asks_file),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        report("baseline", json.loads(output.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
