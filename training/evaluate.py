#!/usr/bin/env python
"""Evaluate the shipped NER model on the held-out GermEval split.

Prints per-label (PER/ORG/LOC) and overall precision/recall/F1 on
training/corpus/heldout.spacy, plus nlp.pipe throughput (words/s) on a single
core.  Usage:

    .venv/bin/python training/evaluate.py [--model bot/models/de_morgenlage]
                                          [--data training/corpus/heldout.spacy]
                                          [--write-meta]

--write-meta stores the held-out scores in the model's meta.json ("performance").
"""

from __future__ import annotations

import os

# Pin BLAS / OpenMP to one thread *before* numpy is imported: single-core speed.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example

import bot.analyse.embed  # noqa: F401  (registers the model's feature layer)

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("PER", "ORG", "LOC")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "bot" / "models" / "de_morgenlage")
    ap.add_argument("--data", type=Path, default=ROOT / "training" / "corpus" / "heldout.spacy")
    ap.add_argument(
        "--speed-repeats",
        type=int,
        default=5,
        help="how many passes over the held-out texts for the speed test",
    )
    ap.add_argument("--write-meta", action="store_true")
    args = ap.parse_args()

    try:  # irrelevant for a pure-numpy pipeline, but harmless if torch exists
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass

    nlp = spacy.load(args.model)
    refs = list(DocBin().from_disk(args.data).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in refs]
    scores = nlp.evaluate(examples)

    print(f"model: {args.model}  ({nlp.meta.get('name')} {nlp.meta.get('version')})")
    print(
        f"data:  {args.data}  ({len(refs)} sentences, "
        f"{sum(len(d) for d in refs)} tokens, {sum(len(d.ents) for d in refs)} entities)"
    )
    print()
    print(f"{'label':8s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    per_type = scores.get("ents_per_type") or {}
    for label in LABELS:
        s = per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        print(f"{label:8s} {s['p'] * 100:6.2f} {s['r'] * 100:6.2f} {s['f'] * 100:6.2f}")
    print(
        f"{'OVERALL':8s} {scores['ents_p'] * 100:6.2f} {scores['ents_r'] * 100:6.2f} "
        f"{scores['ents_f'] * 100:6.2f}"
    )

    # ---- speed: nlp.pipe over raw texts, single process, one BLAS thread ----
    texts = [d.text for d in refs]
    list(nlp.pipe(texts[:200]))  # warm-up
    n_words = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(args.speed_repeats):
        for doc in nlp.pipe(texts, batch_size=256):
            n_words += len(doc)
    dt = time.perf_counter() - t0
    dc = time.process_time() - c0
    wps = n_words / dc  # CPU-time based: robust against other load on the box
    print()
    print(
        f"speed: {n_words} words, {dt:.2f}s wall / {dc:.2f}s CPU -> "
        f"{n_words / dt:,.0f} words/s wall, {wps:,.0f} words/s per core (CPU time) "
        f"(nlp.pipe, 1 thread)"
    )

    if args.write_meta:
        meta_path = args.model / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        perf = {
            "ents_p": round(scores["ents_p"], 4),
            "ents_r": round(scores["ents_r"], 4),
            "ents_f": round(scores["ents_f"], 4),
            "ents_per_type": {
                k: {m: round(v, 4) for m, v in per_type[k].items()} for k in per_type
            },
            "words_per_second_1core": int(wps),
            "evaluated_on": (
                f"GermEval 2014 test, every 5th sentence (held out, {len(refs)} sents)"
            ),
        }
        meta["performance"] = perf
        meta_path.write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote performance to {meta_path}")


if __name__ == "__main__":
    main()
