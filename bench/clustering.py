"""Story clustering on real headlines: clusters per day, sampled days, labelled pair P/R.

    .venv/bin/python bench/clustering.py [--days 5] [--seed 7] [--sweep] [--errors]

Reads the 7,395 migration headlines (40 outlets, 2019–2021; CC BY-NC-SA: used in place, never
copied) from ../shared/data/news/migration-headlines/. Every headline becomes a stored article
(title = text, dated its day) and goes through the real analysis stage, which assigns stories
incrementally chunk by chunk — the code path of `morgenlage collect`. Then:

- clusters per day over the 649 days with at least 5 outlets;
- the multi-headline clusters of a few sampled days, as text;
- pair precision and recall on headline pairs labelled by reading them: the development sets
  bench/data/headline_pairs.tsv (404 pairs) and headline_pairs_2.tsv (212; settings are chosen
  on these) and the held-out set headline_pairs_3.tsv (264, labelled blind by two annotators
  after the settings were fixed: the numbers to report), each also by how many content words
  the two headlines share (1, 2, 3 or more): pairs sharing one word are the hard ones;
- with --sweep: the development set for other thresholds (pure `Clusterer` on the same items);
- with --errors: the development set's false positives and negatives, to study (never the
  held-out set's: looking at those would make it a second development set).
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from sqlalchemy import select  # noqa: E402

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.schema import Article, StoryArticle  # noqa: E402
from bot.stories.cluster import (  # noqa: E402
    CONFIRM_MARGIN,
    RARE_SHARE,
    THRESHOLD,
    Clusterer,
    article_items,
)
from bot.stories.terms import content_terms  # noqa: E402

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
DATA = SHARED / "news" / "migration-headlines" / "refugees_migration_processed.csv"
DEVELOPMENT = [HERE / "data" / "headline_pairs.tsv", HERE / "data" / "headline_pairs_2.tsv"]
HELDOUT = HERE / "data" / "headline_pairs_3.tsv"


def load_rows() -> list[dict]:
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def day_of(row: dict) -> dt.date:
    return dt.datetime.strptime(row["creation_date"], "%d.%m.%Y").date()


def load_pairs(path: Path) -> list[tuple[int, int, bool]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "row_a")):
            continue
        a, b, label = line.split("\t")
        pairs.append((int(a), int(b), label == "1"))
    return pairs


def store_headlines(store, rows: list[dict]) -> None:
    """Each headline as an article, in time order (ids follow time, as collecting would)."""
    order = sorted(range(len(rows)), key=lambda i: (day_of(rows[i]), i))
    with store.session() as session:
        for i in order:
            row = rows[i]
            session.add(
                Article(
                    url=f"bench:headline:{i}",
                    title=row["title"][:500],
                    text=row["title"],
                    outlet=row["news_outlet"],
                    published_at=dt.datetime.combine(day_of(row), dt.time(10)),
                    content_hash=f"bench-headline-{i}",
                )
            )


def pair_scores(same, pairs) -> tuple[float, float, int, int, int]:
    tp = sum(1 for a, b, label in pairs if label and same(a, b))
    fp = sum(1 for a, b, label in pairs if not label and same(a, b))
    fn = sum(1 for a, b, label in pairs if label and not same(a, b))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=5, help="sampled days to print")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sweep", action="store_true", help="P/R for other thresholds")
    parser.add_argument("--errors", action="store_true", help="the development set's mistakes")
    args = parser.parse_args()
    rows = load_rows()
    pairs = [pair for path in DEVELOPMENT for pair in load_pairs(path)]
    heldout = load_pairs(HELDOUT)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        store_headlines(store, rows)
        analyser = Analyser()
        start = time.perf_counter()
        analyse_pending(store, analyser, progress=False)
        seconds = time.perf_counter() - start
        with store.session() as session:
            links = session.execute(
                select(Article.url, StoryArticle.story_id).join(
                    StoryArticle, StoryArticle.article_id == Article.id
                )
            ).all()
            story = {int(url.rsplit(":", 1)[1]): story_id for url, story_id in links}
            items = []
            if args.sweep:
                articles = list(session.scalars(select(Article).order_by(Article.id)))
                items = sorted(article_items(session, articles), key=lambda i: (i.when, i.key))
                keys = {a.id: int(a.url.rsplit(":", 1)[1]) for a in articles}
        store.close()

    print(f"headlines: {len(rows)}, with a story: {len(story)}")
    print(f"analysis + incremental story assignment: {seconds:.1f} s ({len(rows) / seconds:.0f}/s)")

    days: dict[dt.date, list[int]] = collections.defaultdict(list)
    for i, row in enumerate(rows):
        days[day_of(row)].append(i)
    busy = sorted(d for d, ids in days.items() if len({rows[i]["news_outlet"] for i in ids}) >= 5)
    per_day, multi_per_day, sizes = [], [], []
    for day in busy:
        clusters = collections.Counter(story.get(i) for i in days[day])
        per_day.append(len(clusters))
        multi_per_day.append(sum(1 for n in clusters.values() if n > 1))
        sizes.extend(clusters.values())
    headlines = [len(days[d]) for d in busy]
    print(f"\ndays with >= 5 outlets: {len(busy)}")
    print(
        f"headlines per day: mean {statistics.mean(headlines):.1f}, "
        f"median {statistics.median(headlines)}"
    )
    print(
        f"clusters per day:  mean {statistics.mean(per_day):.1f}, "
        f"median {statistics.median(per_day)}, max {max(per_day)}"
    )
    print(
        f"clusters with >= 2 headlines per day: mean {statistics.mean(multi_per_day):.2f}; "
        f"headlines in such clusters: {sum(n for n in sizes if n > 1) / sum(sizes):.1%}"
    )
    multi_day = collections.defaultdict(set)
    for i, story_id in story.items():
        multi_day[story_id].add(day_of(rows[i]))
    spanning = sum(1 for ds in multi_day.values() if len(ds) > 1)
    print(f"stories over more than one day: {spanning} of {len(multi_day)}")

    rng = random.Random(args.seed)
    sample = sorted(rng.sample([d for d in busy if len(days[d]) >= 8], args.days))
    for day in sample:
        groups = collections.defaultdict(list)
        for i in days[day]:
            groups[story.get(i)].append(i)
        single = sum(1 for g in groups.values() if len(g) == 1)
        print(
            f"\n=== {day.isoformat()}: {len(days[day])} headlines, {len(groups)} clusters "
            f"({single} single)"
        )
        for members in sorted(groups.values(), key=len, reverse=True):
            if len(members) < 2:
                continue
            print(f"  [{len(members)}]")
            for i in members:
                print(f"     {rows[i]['news_outlet']:>22}: {rows[i]['title']}")

    same = lambda a, b: story.get(a) is not None and story.get(a) == story.get(b)  # noqa: E731
    print()
    terms = {i: set(content_terms(rows[i]["title"])) for p in pairs + heldout for i in p[:2]}
    for name, chosen in (("development", pairs), ("held-out", heldout)):
        precision, recall, tp, fp, fn = pair_scores(same, chosen)
        print(
            f"{name:>11} pairs: {len(chosen)} ({sum(p[2] for p in chosen)} same story): "
            f"pair precision {precision:.3f}, recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"
        )
        for shared in (1, 2, 3):
            part = [p for p in chosen if min(len(terms[p[0]] & terms[p[1]]), 3) == shared]
            precision, recall, tp, fp, fn = pair_scores(same, part)
            print(
                f"{'':>13}{shared}{'+' if shared == 3 else ' '} shared words: {len(part)} "
                f"({sum(p[2] for p in part)} same): precision {precision:.3f}, "
                f"recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"
            )
    print(
        f"(threshold {THRESHOLD}, below {THRESHOLD + CONFIRM_MARGIN:.2f} only with a shared actor, "
        f"figure or term in <= {RARE_SHARE:.0%} of the background)"
    )

    if args.errors:
        print("\ndevelopment set, wrong pairs (FP: one story, labelled different; FN: reverse):")
        for a, b, label in pairs:
            if same(a, b) != label:
                print(f"  {'FN' if label else 'FP'} {a} {b}")
                for i in (a, b):
                    print(f"     {day_of(rows[i])} {rows[i]['title']}")

    if args.sweep:
        print("\nthreshold sweep on the development set (pure Clusterer, one pass in time order):")
        for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
            clusterer = Clusterer(threshold=threshold)
            assigned = {}
            for item in items:
                found, _score = clusterer.assign(item)
                assigned[keys[item.key]] = id(found)
            p, r, *_ = pair_scores(lambda a, b, s=assigned: s.get(a) == s.get(b), pairs)
            print(f"  {threshold:.2f}: precision {p:.3f}, recall {r:.3f}")


if __name__ == "__main__":
    main()
