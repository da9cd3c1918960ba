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
  on these) and the held-out set headline_pairs_3.tsv (264, labelled blind by two annotators),
  each also by how many content words the two headlines share (1, 2, 3 or more): pairs sharing
  one word are the hard ones;
- the same on every pair of headlines of windows of two days, sorted into stories by two
  annotators: the pairs as a day's briefing meets them, sharing 0, 1, 2 or more words in their
  natural proportions (bench/data/headline_days_4.tsv, 12 windows, development since it was
  scored once; headline_days_5.tsv, 16 windows, held out: the numbers to report), and B-cubed
  precision and recall against each annotator's sorting beside those of leaving every headline
  alone;
- with --sweep: the development set for other thresholds (pure `Clusterer` on the same items);
- with --errors: the development set's false positives and negatives, to study (never the
  held-out set's: looking at those would make it a second development set).
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
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
    Item,
    article_items,
)
from bot.stories.terms import content_terms  # noqa: E402

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
DATA = SHARED / "news" / "migration-headlines" / "refugees_migration_processed.csv"
DEVELOPMENT = [HERE / "data" / "headline_pairs.tsv", HERE / "data" / "headline_pairs_2.tsv"]
HELDOUT = HERE / "data" / "headline_pairs_3.tsv"
# Every pair of headlines in two-day windows, sorted into stories by two annotators
# (bench/sample_days.py): the natural mix of pairs. Set 4 (12 windows) was scored blind once and
# is development since; set 5 (16 windows) is held out.
WHOLE_DAYS = [HERE / "data" / "headline_days_4.tsv", HERE / "data" / "headline_days_5.tsv"]


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


def sorted_pairs(
    sortings: dict[int, tuple[int, str, str]],
) -> Iterator[tuple[int, int, bool, bool]]:
    """Every pair of rows in one window, with whether each annotator put them in one story."""
    windows = collections.defaultdict(list)
    for row, (number, _a, _b) in sortings.items():
        windows[number].append(row)
    for rows in windows.values():
        for x, y in itertools.combinations(sorted(rows), 2):
            (_, a_x, b_x), (_, a_y, b_y) = sortings[x], sortings[y]
            yield x, y, a_x == a_y, b_x == b_y


def load_sortings(path: Path) -> dict[int, tuple[int, str, str]]:
    """row → (window, story by annotator A, story by annotator B), as `merge` wrote them."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return {
        int(r["row"]): (int(r["window"]), r["story_a"], r["story_b"])
        for r in csv.DictReader(lines, delimiter="\t")
    }


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


def items_by_row(session) -> list[tuple[int, Item]]:
    """The stored headlines as clustering items in time order, each with its data row."""
    articles = list(session.scalars(select(Article).order_by(Article.id)))
    items = sorted(article_items(session, articles), key=lambda i: (i.when, i.key))
    rows = {a.id: int(a.url.rsplit(":", 1)[1]) for a in articles}
    return [(rows[item.key], item) for item in items]


def pair_scores(same, pairs) -> tuple[float, float, int, int, int]:
    tp = sum(1 for a, b, label in pairs if label and same(a, b))
    fp = sum(1 for a, b, label in pairs if not label and same(a, b))
    fn = sum(1 for a, b, label in pairs if label and not same(a, b))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def b_cubed(predicted: dict[int, object], gold: dict[int, object]) -> tuple[float, float]:
    """B-cubed precision and recall (Bagga & Baldwin 1998) of a clustering of `gold`'s items:
    per item, the share of its predicted cluster in its gold cluster and the reverse, averaged.
    Unlike pair counts, one big story does not outweigh the rest."""
    predicted_groups, gold_groups = collections.defaultdict(set), collections.defaultdict(set)
    for item, label in gold.items():
        predicted_groups[predicted[item]].add(item)
        gold_groups[label].add(item)
    precision = recall = 0.0
    for item, label in gold.items():
        mine, true = predicted_groups[predicted[item]], gold_groups[label]
        precision += len(mine & true) / len(mine)
        recall += len(mine & true) / len(true)
    return precision / len(gold), recall / len(gold)


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
    sortings = [load_sortings(path) for path in WHOLE_DAYS]
    whole_days = [
        [(x, y, a) for x, y, a, b in sorted_pairs(sorting) if a == b] for sorting in sortings
    ]
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
            items = items_by_row(session) if args.sweep else []
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
    terms = {i: set(content_terms(rows[i]["title"])) for i in range(len(rows))}
    # Set 5's pairs that are not in sets 1-3 as well (sets 1 and 2 were studied).
    labelled = {frozenset(p[:2]) for p in pairs + heldout}
    for name, chosen in (
        ("development", pairs),
        ("held-out", heldout),
        ("days, set 4", whole_days[0]),
        ("days, set 5", whole_days[1]),
        ("  new pairs", [p for p in whole_days[1] if frozenset(p[:2]) not in labelled]),
    ):
        precision, recall, tp, fp, fn = pair_scores(same, chosen)
        print(
            f"{name:>11} pairs: {len(chosen)} ({sum(p[2] for p in chosen)} same story): "
            f"pair precision {precision:.3f}, recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"
        )
        for shared in (0, 1, 2, 3):
            part = [p for p in chosen if min(len(terms[p[0]] & terms[p[1]]), 3) == shared]
            if not part:
                continue
            precision, recall, tp, fp, fn = pair_scores(same, part)
            print(
                f"{'':>13}{shared}{'+' if shared == 3 else ' '} shared words: {len(part)} "
                f"({sum(p[2] for p in part)} same): precision {precision:.3f}, "
                f"recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"
            )
    # Items without a story are each their own cluster; stories are only compared in a window.
    for number, sorting in enumerate(sortings, 4):
        predicted = {row: (w, story.get(row, f"-{row}")) for row, (w, *_) in sorting.items()}
        alone = {row: row for row in sorting}  # the baseline: every headline a story of its own
        for annotator in (0, 1):
            gold = {row: (s[0], s[1 + annotator]) for row, s in sorting.items()}
            precision, recall = b_cubed(predicted, gold)
            _one, alone_recall = b_cubed(alone, gold)
            print(
                f"  days, set {number}, B-cubed against annotator {'AB'[annotator]}: "
                f"precision {precision:.3f}, recall {recall:.3f} (each headline alone: "
                f"1.000, {alone_recall:.3f})"
            )
    print(
        f"(threshold {THRESHOLD}; below {THRESHOLD + CONFIRM_MARGIN:.2f} only with two shared "
        f"actors, one beside a shared word, a figure or a term in <= {RARE_SHARE:.0%} of the "
        "background)"
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
            for row, item in items:
                found, _score = clusterer.assign(item)
                assigned[row] = id(found)
            p, r, *_ = pair_scores(lambda a, b, s=assigned: s.get(a) == s.get(b), pairs)
            print(f"  {threshold:.2f}: precision {p:.3f}, recall {r:.3f}")


if __name__ == "__main__":
    main()
