"""Whole days of headlines to sort into stories, for bench/clustering.py's natural pair set.

    .venv/bin/python bench/sample_days.py draw --windows 12 --seed 21 > days.tsv
    .venv/bin/python bench/sample_days.py merge days.tsv stories_A.tsv stories_B.tsv \
        > bench/data/headline_days_4.tsv

The pair sets of bench/sample_pairs.py draw equal numbers of pairs sharing 1, 2 and 3+ words:
good for finding hard cases, but not the mix a briefing meets. Here an annotator reads every
headline of a window of two consecutive days (both with at least 5 outlets; CC BY-NC-SA data,
read in place) and sorts them into stories; every pair of headlines in the window is then
labelled, the way pairwise precision and recall of a clustering are usually measured.

`draw` writes the windows' headlines (window, row, day, outlet, title) for the annotators; the
days that bench/clustering.py prints as samples are left out, since their clusters were read, and
so are the days of the sets given with --exclude.
`merge` takes two annotators' sortings (tab-separated `row`, `story` with any story names) and
writes them side by side (`row, window, story_a, story_b`: row numbers and each annotator's
stories numbered, no text of the data), with Cohen's kappa over all pairs and the agreement on
same-story pairs on stderr. bench/clustering.py scores the pairs both annotators agree on, and
B-cubed precision and recall against each annotator's sorting.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import random
import sys
from pathlib import Path

from clustering import (
    day_of,
    load_rows,
    load_sortings,
    sorted_pairs,
)  # bench/, the script's own folder

# Days bench/clustering.py prints with its default seed; their clusters have been looked at.
PRINTED_DAYS = {
    dt.date(2019, 3, 11),
    dt.date(2019, 6, 28),
    dt.date(2020, 3, 8),
    dt.date(2020, 7, 30),
    dt.date(2021, 10, 29),
}


def draw(windows: int, seed: int, exclude: list[Path]) -> None:
    rows = load_rows()
    by_day: dict[dt.date, list[int]] = collections.defaultdict(list)
    for i, row in enumerate(rows):
        by_day[day_of(row)].append(i)
    # Days of earlier sets (and the day on either side, so no pair spans old and new) are out.
    used = {day_of(rows[row]) for path in exclude for row in load_sortings(path)}
    out_days = PRINTED_DAYS | {d + dt.timedelta(days=n) for d in used for n in (-1, 0, 1)}
    busy = {d for d, ids in by_day.items() if len({rows[i]["news_outlet"] for i in ids}) >= 5}
    starts = sorted(
        d
        for d in busy
        if d + dt.timedelta(days=1) in busy and not {d, d + dt.timedelta(days=1)} & out_days
    )
    rng = random.Random(seed)
    chosen: list[dt.date] = []
    for start in rng.sample(starts, len(starts)):
        # Windows must not overlap, or a pair would be labelled twice.
        if all(abs((start - other).days) > 1 for other in chosen):
            chosen.append(start)
        if len(chosen) == windows:
            break
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["window", "row", "day", "outlet", "title"])
    for number, start in enumerate(sorted(chosen), 1):
        for day in (start, start + dt.timedelta(days=1)):
            for i in by_day[day]:
                out.writerow([number, i, day, rows[i]["news_outlet"], rows[i]["title"]])


def read_stories(path: Path) -> dict[int, str]:
    with path.open(encoding="utf-8") as handle:
        return {int(r["row"]): r["story"].strip() for r in csv.DictReader(handle, delimiter="\t")}


def merge(days: Path, first: Path, second: Path) -> None:
    with days.open(encoding="utf-8") as handle:
        window = {int(r["row"]): int(r["window"]) for r in csv.DictReader(handle, delimiter="\t")}
    a, b = read_stories(first), read_stories(second)
    missing = set(window) - (set(a) & set(b))
    if missing:
        sys.exit(f"rows without a story in one of the sortings: {sorted(missing)[:10]} …")
    sortings = {row: (window[row], a[row], b[row]) for row in window}
    counts = collections.Counter(
        (same_a, same_b) for _x, _y, same_a, same_b in sorted_pairs(sortings)
    )
    total = sum(counts.values())
    observed = (counts[True, True] + counts[False, False]) / total
    yes_a = (counts[True, True] + counts[True, False]) / total
    yes_b = (counts[True, True] + counts[False, True]) / total
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    kappa = (observed - expected) / (1 - expected)
    both, either = counts[True, True], counts[True, False] + counts[False, True]
    print(
        f"pairs: {total}, agreed: {total - either} ({both} same story); kappa {kappa:.3f}; "
        f"agreement on same-story pairs (F1) {2 * both / (2 * both + either):.3f}",
        file=sys.stderr,
    )
    # The annotators' tags echo the headlines: only numbers (per annotator) are kept.
    numbers: tuple[dict[str, int], dict[str, int]] = ({}, {})
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["row", "window", "story_a", "story_b"])
    for row, (number, *stories) in sorted(sortings.items(), key=lambda kv: (kv[1][0], kv[0])):
        ids = [
            known.setdefault(tag, len(known) + 1)
            for known, tag in zip(numbers, stories, strict=True)
        ]
        out.writerow([row, number, *ids])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    drawing = commands.add_parser("draw", help="windows of headlines to sort into stories")
    drawing.add_argument("--windows", type=int, default=12)
    drawing.add_argument("--seed", type=int, default=21)
    drawing.add_argument("--exclude", type=Path, action="append", default=[], help="a set's file")
    merging = commands.add_parser("merge", help="two sortings into agreed labelled pairs")
    merging.add_argument("days", type=Path)
    merging.add_argument("first", type=Path)
    merging.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "draw":
        draw(args.windows, args.seed, args.exclude)
    else:
        merge(args.days, args.first, args.second)


if __name__ == "__main__":
    main()
