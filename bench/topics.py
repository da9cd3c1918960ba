"""Topic accuracy of the text-only path (bot/collect/topics.py `topic_of_text`) on 10kGNAD.

    .venv/bin/python bench/topics.py [--split dev|test|all] [--errors N]

Reads the 10kGNAD test articles (DER STANDARD, CC BY-NC-SA: used in place to evaluate, never
copied, never trained on) from ../shared/data/news/10kgnad-test/test.csv. Its nine sections map
onto Morgenlage's topics: Inland → Politik Inland (Austria's domestic politics is "Inland" for a
reader in Germany, Austria or Switzerland), International → Politik Ausland, Web → Digital,
Etat (DER STANDARD's media section) → Kultur, the rest by name. The lexicon was written by hand;
the even rows ("dev") were used to look at errors and adjust it, the odd rows ("test") are
held out and scored once at the end. The articles have no headline: the whole text is read as
body. Reports accuracy, accuracy with both politics topics as one, per-topic recall, the
confusion of DER STANDARD's nine sections with Morgenlage's topics, CPU time per article,
all from this one run (the machine may be shared: CPU time, not wall time).

One thing the numbers need beside them: in 2015/16 DER STANDARD filed most of its refugee
coverage under Panorama (border closures, asylum summits of the government, the Balkan
route), which German outlets file under politics. The run counts those Panorama articles
(two or more mentions of Flüchtling/Asyl/Migrant/Balkanroute) and how many of them were
guessed as politics; that count is information, not part of the score.
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
import time
from pathlib import Path

from bot.collect.topics import TOPICS, topic_of_text

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = SHARED / "news" / "10kgnad-test" / "test.csv"
MAPPING = {
    "Etat": "kultur",
    "Inland": "inland",
    "International": "ausland",
    "Kultur": "kultur",
    "Panorama": "panorama",
    "Sport": "sport",
    "Web": "digital",
    "Wirtschaft": "wirtschaft",
    "Wissenschaft": "wissenschaft",
}
POLITICS = {"inland", "ausland"}
REFUGEES = re.compile(r"flüchtling|asyl|migrant|balkanroute", re.I)


def load(split: str) -> list[tuple[str, str]]:
    """(section, text) of the chosen rows: dev = even rows, test = odd rows."""
    csv.field_size_limit(sys.maxsize)
    with DATA.open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";", quotechar="'") if len(r) > 1]
    chosen = {"dev": rows[0::2], "test": rows[1::2], "all": rows}[split]
    return [(section, text) for section, text in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--errors", type=int, default=0, help="print N misclassified (dev only)")
    args = parser.parse_args()
    items = load(args.split)
    start = time.process_time()
    guesses = [topic_of_text("", text) for _section, text in items]
    seconds = time.process_time() - start
    golds = [MAPPING[section] for section, _text in items]
    confusion = collections.Counter(zip(golds, guesses, strict=True))
    right = sum(n for (gold, guess), n in confusion.items() if gold == guess)
    coarse = sum(
        n for (g, p), n in confusion.items() if g == p or (g in POLITICS and p in POLITICS)
    )
    total = len(items)
    print(f"10kGNAD {args.split}: {total} articles, text only (no headline)")
    print(f"accuracy            {right / total:.3f}  ({right}/{total})")
    print(f"accuracy, politics 1 {coarse / total:.3f}  (Inland and Ausland as one topic)")
    print(
        f"speed               {1000 * seconds / total:.2f} ms CPU per article "
        f"({total / seconds:.0f} articles/s, one process, lexicon loaded on the first)"
    )
    print("\nrecall per topic (gold → share right; most common wrong guess)")
    for topic in TOPICS:
        row = {p: n for (g, p), n in confusion.items() if g == topic}
        size = sum(row.values())
        if not size:
            continue
        wrong = max((p for p in row if p != topic), key=row.get, default=None)
        note = f"; → {wrong} {row[wrong]}" if wrong else ""
        print(f"  {topic:13} {row.get(topic, 0) / size:.2f} of {size}{note}")
    print("\nDER STANDARD section → guessed topic")
    print(" " * 14 + "".join(t[:7].rjust(8) for t in TOPICS))
    by_section = collections.Counter(
        (section, guess) for (section, _text), guess in zip(items, guesses, strict=True)
    )
    for section in sorted(MAPPING):
        print(f"{section:14}" + "".join(str(by_section[(section, t)]).rjust(8) for t in TOPICS))
    refugees = [
        guess
        for (section, text), guess in zip(items, guesses, strict=True)
        if section == "Panorama" and len(REFUGEES.findall(text)) >= 2
    ]
    panorama = sum(1 for section, _text in items if section == "Panorama")
    as_politics = sum(1 for guess in refugees if guess in POLITICS)
    print(
        f"\nPanorama articles about refugees: {len(refugees)} of {panorama}; "
        f"guessed as politics: {as_politics} (accuracy if those counted as right: "
        f"{(right + as_politics) / total:.3f} — information, not the score)"
    )
    if args.errors and args.split == "dev":
        shown = 0
        for gold, (_section, text), guess in zip(golds, items, guesses, strict=True):
            if gold != guess and shown < args.errors:
                shown += 1
                print(f"\n[{gold} → {guess}] {text[:200]}")


if __name__ == "__main__":
    main()
