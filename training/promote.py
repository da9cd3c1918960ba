#!/usr/bin/env python
"""Ship a packaged candidate model only when it beats the shipped one on the dev sentences.

    .venv/bin/python training/promote.py training/output/de_morgenlage [--force]

Selection reads training/corpus/dev.spacy (500 GermEval test sentences, i % 5 == 1; the set
`spacy train` picks model-best on) and nothing else: the held-out sentences (i % 5 == 0) are
never read here, so the held-out score that training/evaluate.py reports for the shipped model
afterwards is not a selected number. Both models are scored on dev now, with the same code, so
no stored figure is trusted. The candidate replaces bot/models/de_morgenlage when its dev
PER/ORG/LOC F1 is higher and its size stays within the 25 MB budget.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHIPPED = ROOT / "bot" / "models" / "de_morgenlage"
DEV = ROOT / "training" / "corpus" / "dev.spacy"
MAX_BYTES = 25 * 1024 * 1024
LABELS = ("PER", "ORG", "LOC")


def dev_f1(model: Path, data: Path | None = None) -> float:
    """PER/ORG/LOC F1 of the model's entities on the dev sentences (DEV unless given)."""
    data = data or DEV
    import spacy
    from spacy.scorer import Scorer
    from spacy.tokens import DocBin
    from spacy.training import Example

    import bot.analyse.embed  # noqa: F401  (registers the model's feature layer)

    if "heldout" in data.name:
        raise ValueError("model selection never reads the held-out sentences")
    nlp = spacy.load(model)
    refs = list(DocBin().from_disk(data).get_docs(nlp.vocab))
    examples = []
    for doc, ref in zip(nlp.pipe(r.text for r in refs), refs, strict=True):
        doc.ents = [e for e in doc.ents if e.label_ in LABELS]
        ref.ents = [e for e in ref.ents if e.label_ in LABELS]
        examples.append(Example(doc, ref))
    return float(Scorer.score_spans(examples, "ents")["ents_f"] or 0.0)


def size(model: Path) -> int:
    return sum(p.stat().st_size for p in model.rglob("*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("candidate", type=Path)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    if not DEV.exists():
        print(f"{DEV} is missing: run training/convert.py first")
        return 1
    new, bytes_ = dev_f1(args.candidate), size(args.candidate)
    old = dev_f1(SHIPPED) if SHIPPED.exists() else 0.0
    print(f"dev F1: candidate {new:.4f} ({bytes_ / 1e6:.1f} MB), shipped {old:.4f}")
    if bytes_ > MAX_BYTES:
        print("candidate is too large to ship; keeping the shipped model")
        return 0
    if not args.force and new <= old:
        print("not better on dev; keeping the shipped model")
        return 0
    tmp = SHIPPED.with_name(SHIPPED.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(args.candidate, tmp)
    if SHIPPED.exists():
        shutil.rmtree(SHIPPED)
    tmp.rename(SHIPPED)
    print(f"shipped {args.candidate} -> {SHIPPED}")
    print("score it once on the held-out sentences: training/evaluate.py --write-meta")
    return 0


if __name__ == "__main__":
    sys.exit(main())
