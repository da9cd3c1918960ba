"""Draw headline pairs to label for bench/clustering.py, reproducibly.

    .venv/bin/python bench/sample_pairs.py --count 300 --seed 11 \
        --exclude bench/data/headline_pairs.tsv > pairs.tsv

Candidates are pairs of the migration headlines (../shared/data/news/migration-headlines/,
CC BY-NC-SA: read in place) from different outlets, on the same or the next day, sharing at
least one content term (`bot.stories.terms`, compound heads not counted); drawn in equal numbers
with 1, 2 and 3 or more shared terms, so the set holds many hard negatives and enough positives.
Rows that appear in an --exclude file are not used again, so a new set is unseen by whatever was
tuned on the old one; with --reuse-rows only its pairs are left out (the rows of a few hundred
pairs use up most of the pairs sharing three or more words). The output has both headlines for
the labeller; only the row numbers and labels go into the repository.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import random
import sys
from pathlib import Path

from clustering import day_of, load_pairs, load_rows  # bench/, the script's own folder

from bot.stories.terms import content_terms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("--reuse-rows", action="store_true")
    args = parser.parse_args()
    rows = load_rows()
    known = {
        pair
        for path in args.exclude
        for a, b, _same in load_pairs(path)
        for pair in ((a, b), (b, a))
    }
    excluded = set() if args.reuse_rows else {row for pair in known for row in pair}
    day = [day_of(row) for row in rows]
    terms = [set(content_terms(r["title"])) for r in rows]
    by_day: dict[dt.date, list[int]] = collections.defaultdict(list)
    for i in range(len(rows)):
        if i not in excluded:
            by_day[day[i]].append(i)
    strata: dict[int, list[tuple[int, int]]] = collections.defaultdict(list)
    seen_titles = set()
    for today, ids in sorted(by_day.items()):
        later = ids + by_day.get(today + dt.timedelta(days=1), [])
        for a in ids:
            for b in later:
                if b <= a and day[b] == today:
                    continue
                if rows[a]["news_outlet"] == rows[b]["news_outlet"] or (a, b) in known:
                    continue
                titles = tuple(sorted((rows[a]["title"], rows[b]["title"])))
                shared = len(terms[a] & terms[b])
                if shared and titles not in seen_titles:
                    seen_titles.add(titles)
                    strata[min(shared, 3)].append((a, b))
    rng = random.Random(args.seed)
    chosen = []
    for shared in (1, 2, 3):
        chosen += rng.sample(strata[shared], min(args.count // 3, len(strata[shared])))
    rng.shuffle(chosen)
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["row_a", "row_b", "day_a", "day_b", "title_a", "title_b"])
    for a, b in chosen:
        out.writerow([a, b, day[a], day[b], rows[a]["title"], rows[b]["title"]])
    print(
        f"candidates: {', '.join(f'{k} shared: {len(v)}' for k, v in sorted(strata.items()))}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
