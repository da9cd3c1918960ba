"""Actor identity across articles: do two mentions in two headlines end up as one stored actor
exactly when they name one person?

    .venv/bin/python bench/actor_identity.py            # pair precision/recall of the merge
    .venv/bin/python bench/actor_identity.py draw        # candidate pairs to label (to stdout)

Reads the 7,395 migration headlines (40 outlets, 2019–2021; CC BY-NC-SA 4.0: read in place from
../shared/data/news/migration-headlines/, never copied) — many outlets writing the same people
their own way: "Erdoğan"/"Erdogan"/"Erdogans", "Seehofer"/"Horst Seehofer", "Lukaschenko",
two Trumps. Every headline becomes a stored article in time order and goes through the real
analysis stage (`analyse_pending`): what `morgenlage collect` does.

The labelled pairs hold only row numbers, character offsets of the two mentions and the label
(1 = same person, 0 = different people): no text. bench/data/actor_pairs.tsv (119 pairs) is the
development set — the rules changed after reading its errors (`--errors`); actor_pairs_2.tsv
(55 pairs) was drawn later, labelled without looking at the output and scored after the
rules were done (twice in fact: once more after a rewrite of the store lookups for speed, which
moved its recall from 0.902 to 0.922): the numbers to report. They were
drawn by `draw` — pairs of person mentions in different headlines whose names share a spelling
key, a surname, or differ by a genitive ending — and labelled by reading the two headlines
(with the outlet and date, and what the news of those days says). Precision: of the pairs the
store puts on one actor, how many are one person; recall: of the pairs that are one person, how
many the store puts on one actor. A mention the analysis does not find as a person counts as
not merged.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from clustering import load_rows, store_headlines  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.schema import Actor, Article, Mention  # noqa: E402

PAIRS = HERE / "data" / "actor_pairs.tsv"  # development: the rules were changed after them
HELDOUT = HERE / "data" / "actor_pairs_2.tsv"  # labelled blind to the output, scored once
Span = tuple[int, int, int]  # row, start char, end char


def load_pairs(path: Path = PAIRS) -> list[tuple[Span, Span, str, bool]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "row_a")):
            continue
        ra, sa, ea, rb, sb, eb, kind, label = line.split("\t")
        pairs.append(((int(ra), int(sa), int(ea)), (int(rb), int(sb), int(eb)), kind, label == "1"))
    return pairs


def mention_actors(store) -> dict[Span, int]:
    """(row, start, end) of every stored mention → its actor."""
    with store.session() as session:
        rows = session.execute(
            select(Article.url, Mention.start_char, Mention.end_char, Mention.actor_id).join(
                Article, Article.id == Mention.article_id
            )
        ).all()
    return {(int(url.rsplit(":", 1)[1]), s, e): actor for url, s, e, actor in rows}


def actor_at(mentions: dict[Span, int], by_row: dict[int, list[Span]], span: Span) -> int | None:
    """The actor of the stored mention overlapping the labelled span, if any."""
    row, start, end = span
    for key in by_row.get(row, ()):
        if key[1] < end and start < key[2]:
            return mentions[key]
    return None


def score(pairs, mentions: dict[Span, int], errors: list | None = None) -> None:
    by_row: dict[int, list[Span]] = collections.defaultdict(list)
    for key in mentions:
        by_row[key[0]].append(key)
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for a, b, kind, same in pairs:
        actor_a, actor_b = actor_at(mentions, by_row, a), actor_at(mentions, by_row, b)
        merged = actor_a is not None and actor_a == actor_b
        if errors is not None and merged != same:
            errors.append((a, b, kind, same, actor_a, actor_b))
        for group in ("all", kind):
            counts[group][
                "tp" if same and merged else "fp" if merged else "fn" if same else "tn"
            ] += 1
            counts[group]["missed"] += actor_a is None or actor_b is None
    print(
        f"{'pairs':22s} {'n':>4s} {'same':>5s} {'P':>6s} {'R':>6s}  (tp fp fn; mention not found)"
    )
    for group, c in sorted(counts.items(), key=lambda kv: kv[0] != "all"):
        n = sum(c[k] for k in ("tp", "fp", "fn", "tn"))
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        print(
            f"{group:22s} {n:4d} {c['tp'] + c['fn']:5d} {precision:6.3f} {recall:6.3f}  "
            f"({c['tp']} {c['fp']} {c['fn']}; {c['missed']})"
        )


def draw(rows: list[dict], per_kind: int, seed: int, exclude: list[Path]) -> None:
    """Candidate pairs of person mentions in different headlines, as TSV to label; name pairs
    of the `exclude` sets are not drawn again."""
    from bot.analyse.names import genitive_stems, last_word_key, name_key, name_words

    analyser = Analyser()
    nlp = analyser.pipeline("de")
    found: list[tuple[int, int, int, str]] = []
    for i, doc in enumerate(nlp.pipe((r["title"] for r in rows), batch_size=64)):
        for m in doc._.mentions or []:
            if m.label == "PER":
                found.append((i, m.start_char, m.end_char, m.text))
    by_spelling: dict[str, list] = collections.defaultdict(list)
    for mention in found:
        by_spelling[mention[3]].append(mention)
    spellings = sorted(by_spelling)
    candidates: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    by_key: dict[str, list[str]] = collections.defaultdict(list)
    by_last: dict[str, list[str]] = collections.defaultdict(list)
    for s in spellings:
        by_key[name_key(s)].append(s)
        by_last[last_word_key(s)].append(s)
    for group in by_key.values():
        for x in group:
            for y in group:
                if x < y:
                    candidates["spelling"].add((x, y))
    for s in spellings:
        for stem in genitive_stems(s):
            for other in by_key.get(name_key(stem), []) + by_last.get(last_word_key(stem), []):
                if other != s:
                    candidates["genitive"].add((s, other))
    for group in by_last.values():
        for x in group:
            for y in group:
                if x >= y or name_key(x) == name_key(y):
                    continue
                bare = (len(name_words(x)) == 1) != (len(name_words(y)) == 1)
                candidates["surname" if bare else "full_names"].add((x, y))
    seen = set()
    for path in exclude:
        for a, b, _kind, _label in load_pairs(path):
            names = (rows[a[0]]["title"][a[1] : a[2]], rows[b[0]]["title"][b[1] : b[2]])
            seen.update({names, names[::-1]})
    rng = random.Random(seed)
    print("row_a\tstart_a\tend_a\trow_b\tstart_b\tend_b\tkind\tlabel")
    for kind in ("spelling", "genitive", "surname", "full_names"):
        chosen = sorted(candidates[kind] - seen)
        rng.shuffle(chosen)
        for x, y in chosen[:per_kind]:
            a, b = rng.choice(by_spelling[x]), rng.choice(by_spelling[y])
            if a[0] == b[0]:
                continue
            print(f"{a[0]}\t{a[1]}\t{a[2]}\t{b[0]}\t{b[1]}\t{b[2]}\t{kind}\t?")
            print(
                f"#   {x!r} [{rows[a[0]]['news_outlet']} {rows[a[0]]['creation_date']}] "
                f"{rows[a[0]]['title']!r}\n#   {y!r} [{rows[b[0]]['news_outlet']} "
                f"{rows[b[0]]['creation_date']}] {rows[b[0]]['title']!r}",
                file=sys.stderr,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", nargs="?", default="score", choices=("score", "draw"))
    parser.add_argument("--per-kind", type=int, default=60)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--errors", action="store_true", help="the development pairs' mistakes")
    args = parser.parse_args()
    rows = load_rows()
    if args.mode == "draw":
        draw(rows, args.per_kind, args.seed, [PAIRS, HELDOUT])
        return
    pairs = load_pairs()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        store_headlines(store, rows)
        start = time.perf_counter()
        analyse_pending(store, Analyser(), progress=False)
        seconds = time.perf_counter() - start
        mentions = mention_actors(store)
        with store.session() as session:
            names = dict(session.execute(select(Actor.id, Actor.name)).all())
        store.close()
    print(f"headlines: {len(rows)}, analysed and stored in {seconds:.1f} s")
    print(f"development pairs: {len(pairs)} ({PAIRS.name})")
    errors: list = []
    score(pairs, mentions, errors)
    heldout = load_pairs(HELDOUT)
    print(f"\nheld-out pairs: {len(heldout)} ({HELDOUT.name})")
    score(heldout, mentions)
    for a, b, kind, same, actor_a, actor_b in errors if args.errors else []:
        print(
            f"[{'missed' if same else 'wrong'} {kind}] "
            f"{rows[a[0]]['title'][a[1] : a[2]]!r} → {names.get(actor_a)!r} / "
            f"{rows[b[0]]['title'][b[1] : b[2]]!r} → {names.get(actor_b)!r}"
        )


if __name__ == "__main__":
    main()
