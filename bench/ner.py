"""NER quality on the held-out GermEval 2014 sentences: P/R/F1 for PER, ORG, LOC.

    .venv/bin/python bench/ner.py [--model PATH] [--split dev|heldout]

`--split dev` (the default) scores the 500 dev sentences (i % 5 == 1 of NER-de-test.tsv): the
set to decide rules and models on. `--split heldout` scores the held-out part that
training/README.md defines (every 5th sentence, i % 5 == 0; 1020 sentences) — once, for the
final model, and reported as such. Both are read in place from ../shared/data/ner/
(GermEval 2014, CC BY 4.0). Each sentence's text goes through spaCy's own tokenizer, as at run
time, so tokenization mismatches count as errors. Scored are the entities of the model alone
(`ner`) and of the whole Morgenlage pipeline (model + rule components), plus speed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import convert  # noqa: E402  (training/convert.py: the readers and the split)
import spacy  # noqa: E402
from spacy.scorer import Scorer  # noqa: E402
from spacy.training import Example  # noqa: E402

from bot.analyse.nlp import build_pipeline, load_model  # noqa: E402

LABELS = ("PER", "ORG", "LOC")


def split_docs(vocab, split: str = "heldout") -> list:
    sentences = convert.read_germeval(convert.GERMEVAL_DIR / "NER-de-test.tsv")
    blank = spacy.blank("de", vocab=vocab)
    docs = []
    part = 0 if split == "heldout" else 1
    for i, (words, tags) in enumerate(sentences):
        if split == "dev" and len(docs) == convert.DEV_SIZE:
            break
        if i % convert.HELDOUT_EVERY == part:
            doc = convert.make_doc(blank, words, tags)
            doc.ents = [e for e in doc.ents if e.label_ in LABELS]
            docs.append(doc)
    return docs


def score(nlp, refs) -> tuple[dict, float]:
    start = time.perf_counter()
    predicted = list(nlp.pipe((r.text for r in refs), batch_size=64))
    seconds = time.perf_counter() - start
    examples = []
    for doc, ref in zip(predicted, refs, strict=True):
        doc.ents = [e for e in doc.ents if e.label_ in LABELS]
        examples.append(Example(doc, ref))
    return Scorer.score_spans(examples, "ents"), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="", help="model path or package (default: shipped)")
    parser.add_argument("--split", default="dev", choices=("dev", "heldout"))
    args = parser.parse_args()
    model = load_model(args.model)
    refs = split_docs(model.vocab, args.split)
    print(
        f"{args.split} GermEval 2014: {len(refs)} sentences, "
        f"{sum(len(r.ents) for r in refs)} PER/ORG/LOC entities; model {model.meta.get('name')} "
        f"{model.meta.get('version')}"
    )
    pipeline = build_pipeline(load_model(args.model))
    for title, nlp in (("model (ner)", model), ("Morgenlage pipeline", pipeline)):
        scores, seconds = score(nlp, refs)
        print(f"\n{title}: {len(refs) / seconds:.0f} sentences/s")
        print(f"{'label':8s} {'P':>6s} {'R':>6s} {'F1':>6s}")
        for label in LABELS:
            s = scores["ents_per_type"].get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
            print(f"{label:8s} {s['p'] * 100:6.2f} {s['r'] * 100:6.2f} {s['f'] * 100:6.2f}")
        print(
            f"{'PER+ORG+LOC':8s} {scores['ents_p'] * 100:6.2f} {scores['ents_r'] * 100:6.2f} "
            f"{scores['ents_f'] * 100:6.2f}"
        )
    size = sum(p.stat().st_size for p in Path(model.path).rglob("*") if p.is_file())
    print(f"\nmodel size: {size / 1e6:.1f} MB ({model.path})")


if __name__ == "__main__":
    main()
