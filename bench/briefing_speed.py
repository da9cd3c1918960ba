"""Briefing speed: building the briefing of a day with 1,000 articles from the store.

    .venv/bin/python bench/briefing_speed.py [--articles 1000] [--rounds 3]

Takes the 10kGNAD test articles (DER STANDARD, CC BY-NC-SA: used in place, never copied) from
../shared/data/news/10kgnad-test/test.csv, spreads them over one day across 25 outlets, and
runs them through the analysis stage (which assigns stories) into a fresh SQLite store. Then
times `build_briefing` for that day — ranking every story, summarising the top ones, the
numbers of the day and the key actors — as `/today` would. The stage's story assignment is
timed too, by assigning all the day's articles again from scratch in one call.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("OMP_NUM_THREADS", "1")

from sqlalchemy import delete, select  # noqa: E402

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.brief.build import build_briefing  # noqa: E402
from bot.brief.window import day_window  # noqa: E402
from bot.config import BriefingConfig  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.schema import Article, Story, StoryArticle  # noqa: E402
from bot.stories.cluster import assign_stories  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = SHARED / "news" / "10kgnad-test" / "test.csv"
DAY = dt.date(2025, 2, 18)
ZONE = ZoneInfo("Europe/Berlin")
WINDOW = day_window(DAY, "Europe/Berlin")  # the calendar day, as /briefing DATE asks it


def load_texts(limit: int) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with DATA.open(encoding="utf-8") as handle:
        rows = [row[1] for row in csv.reader(handle, delimiter=";", quotechar="'") if len(row) > 1]
    return rows[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = load_texts(args.articles)
    start = dt.datetime.combine(DAY, dt.time(0, 30), tzinfo=ZONE).astimezone(dt.UTC)
    step = dt.timedelta(hours=23) / len(texts)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        with store.session() as session:
            for i, text in enumerate(texts):
                title = text.split(". ", 1)[0][:200]
                session.add(
                    Article(
                        url=f"https://outlet{i % 25}.example/{i}",
                        title=title,
                        text=text,
                        outlet=f"Outlet {i % 25}",
                        published_at=(start + i * step).replace(tzinfo=None),
                        content_hash=f"bench-{i}",
                    )
                )
        began = time.perf_counter()
        analyse_pending(store, Analyser(), progress=False)
        analysis = time.perf_counter() - began
        with store.session() as session:
            ids = list(session.scalars(select(Article.id).where(Article.status == "analysed")))
            session.execute(delete(StoryArticle))
            session.execute(delete(Story))
        with store.session() as session:
            began = time.perf_counter()
            assign_stories(session, ids)
            clustering = time.perf_counter() - began
        times = []
        for _ in range(args.rounds):
            with store.session() as session:
                began = time.perf_counter()
                briefing = build_briefing(session, WINDOW, BriefingConfig(), "de")
                times.append(time.perf_counter() - began)
        store.close()
    print(f"articles of the day: {briefing.article_count}, stories: {briefing.story_count}")
    print(f"analysis stage incl. story assignment: {analysis:.1f} s")
    print(f"story assignment of all {len(ids)} articles in one call: {clustering:.2f} s")
    print(f"build_briefing: first {times[0]:.2f} s, best {min(times):.2f} s ({args.rounds} rounds)")
    for number, development in enumerate(briefing.developments, 1):
        print(
            f"  {number}. [{len(development.article_ids)} articles, {development.score}] "
            f"{development.title[:90]}"
        )


if __name__ == "__main__":
    main()
