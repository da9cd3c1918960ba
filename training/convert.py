#!/usr/bin/env python
"""Convert GermEval 2014 + WikiNER (de) into spaCy DocBin files.

Outputs (under training/corpus/, git-ignored):
  train.spacy    GermEval dev + GermEval test (minus heldout/dev), both x3, + all WikiNER
  dev.spacy      500 fixed GermEval test sentences (early stopping / model-best)
  heldout.spacy  every 5th GermEval test sentence (index % 5 == 0), never trained on

Labels trained: PER, ORG, LOC (MISC — GermEval OTH — is read, for known_names.py, but left
out of the corpora: the bot has no use for it, and a model that learns only the three labels
the analysis needs scores better on them, see training/README.md).  *deriv / *part -> O,
inner (nested) GermEval tags are ignored.  WikiNER IOB1 is converted to spans;
single-word adjective MISC spans ("deutscher") are dropped and leading articles
are stripped to match GermEval conventions (see harmonize_wikiner).
The split is fully deterministic (no randomness).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

DATA = Path("/work/shared/data/ner")
GERMEVAL_DIR = DATA / "germeval2014"
WIKINER = DATA / "wikiner-de" / "wikiner-de-14k.conll"
OUT = Path(__file__).resolve().parent / "corpus"

GERMEVAL_UPSAMPLE = 3  # GermEval (in-domain, news-like) train sentences are added three times
HELDOUT_EVERY = 5  # test sentence i with i % 5 == 0 -> heldout (~1020 sents)
DEV_SIZE = 500  # dev = test sentences with i % 5 == 1, first 500 of them
LABELS = ("PER", "ORG", "LOC")

# --- whitespace guessing ----------------------------------------------------
NO_SPACE_BEFORE = {
    ",",
    ".",
    ":",
    ";",
    ")",
    "]",
    "}",
    "!",
    "?",
    "“",
    "‘",
    "»",
    "%",
    "...",
    "…",
    "'s",
}
NO_SPACE_AFTER = {"(", "[", "{", "„", "‚", "«"}
STRAIGHT_QUOTES = {'"', "''", "``", "'"}


def guess_spaces(words: list[str]) -> list[bool]:
    """Guess trailing whitespace so the Doc text looks like normal German prose."""
    n = len(words)
    spaces = [True] * n
    quote_open = False
    for i, w in enumerate(words):
        if w in STRAIGHT_QUOTES:
            if not quote_open:  # opening quote: glue to following token
                spaces[i] = False
            elif i > 0:  # closing quote: glue to previous token
                spaces[i - 1] = False
            quote_open = not quote_open
            continue
        if w in NO_SPACE_AFTER:
            spaces[i] = False
        if w in NO_SPACE_BEFORE and i > 0:
            spaces[i - 1] = False
    if n:
        spaces[-1] = False
    return spaces


# --- readers ----------------------------------------------------------------
def read_germeval(path: Path) -> list[tuple[list[str], list[str]]]:
    """Return [(words, bio_tags)] with tags mapped to PER/ORG/LOC/MISC."""
    sents, words, tags = [], [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                if words:
                    sents.append((words, tags))
                    words, tags = [], []
                continue
            parts = line.split("\t")
            words.append(parts[1])
            tags.append(map_germeval_tag(parts[2]))
    if words:
        sents.append((words, tags))
    return sents


def map_germeval_tag(tag: str) -> str:
    if tag == "O" or tag.endswith("deriv") or tag.endswith("part"):
        return "O"
    prefix, label = tag.split("-", 1)
    label = {"OTH": "MISC"}.get(label, label)
    assert label in {"PER", "ORG", "LOC", "MISC"}, tag
    return f"{prefix}-{label}"


def read_wikiner(path: Path) -> list[tuple[list[str], list[str]]]:
    """WikiNER: `token<TAB>tag`, blank line between sentences, IOB1 tags."""
    sents, words, tags = [], [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sents.append((words, harmonize_wikiner(words, iob1_to_bio(tags))))
                    words, tags = [], []
                continue
            tok, tag = line.split("\t")
            words.append(tok)
            tags.append(tag)
    if words:
        sents.append((words, harmonize_wikiner(words, iob1_to_bio(tags))))
    return sents


def iob1_to_bio(tags: list[str]) -> list[str]:
    """IOB1 (B- only between adjacent same-type entities) -> IOB2/BIO."""
    out = []
    prev = "O"
    for tag in tags:
        if tag == "O":
            out.append("O")
        else:
            prefix, label = tag.split("-", 1)
            prev_label = prev.split("-", 1)[1] if prev != "O" else None
            if prefix == "B" or prev_label != label:
                out.append(f"B-{label}")
            else:
                out.append(f"I-{label}")
        prev = tag
    return out


ARTICLES = {
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einen",
    "einem",
    "eines",
    "einer",
}
ADJ_RE = re.compile(r"isch(e|en|er|es|em)?$", re.I)


def harmonize_wikiner(words: list[str], tags: list[str]) -> list[str]:
    """Bring WikiNER closer to the GermEval guidelines.

    GermEval tags derived adjectives ("deutschen", "russischer") as *deriv,
    which we map to O; WikiNER tags them MISC.  We therefore drop MISC spans
    that are a single adjective, and strip leading articles ("den USA").
    """
    tags = list(tags)
    i = 0
    while i < len(tags):
        if not tags[i].startswith("B-"):
            i += 1
            continue
        label = tags[i][2:]
        j = i + 1
        while j < len(tags) and tags[j] == f"I-{label}":
            j += 1
        # strip leading lowercase articles
        k = i
        while k < j - 1 and words[k] in ARTICLES:
            tags[k] = "O"
            k += 1
        if k != i:
            tags[k] = f"B-{label}"
        span = words[k:j]
        if label == "MISC" and len(span) == 1 and (span[0][:1].islower() or ADJ_RE.search(span[0])):
            tags[k] = "O"
        i = j
    return tags


def make_doc(nlp, words: list[str], tags: list[str]) -> Doc:
    doc = Doc(nlp.vocab, words=words, spaces=guess_spaces(words))
    ents = []
    start = label = None
    for i, tag in enumerate(tags + ["O"]):
        if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != label):
            ents.append(Span(doc, start, i, label=label))
            start = label = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, label = i, tag[2:]
    doc.ents = ents
    return doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    nlp = spacy.blank("de")
    ge_dev = read_germeval(GERMEVAL_DIR / "NER-de-dev.tsv")
    ge_test = read_germeval(GERMEVAL_DIR / "NER-de-test.tsv")
    wiki = read_wikiner(WIKINER)

    heldout, dev, train = [], [], []
    n_dev = 0
    for i, sent in enumerate(ge_test):
        if i % HELDOUT_EVERY == 0:
            heldout.append(sent)
        elif i % HELDOUT_EVERY == 1 and n_dev < DEV_SIZE:
            dev.append(sent)
            n_dev += 1
        else:
            train.append(sent)
    train = (ge_dev + train) * GERMEVAL_UPSAMPLE + wiki

    for name, sents in (("train", train), ("dev", dev), ("heldout", heldout)):
        db = DocBin(store_user_data=False)
        n_ents = 0
        n_words = 0
        for words, tags in sents:
            doc = make_doc(nlp, words, tags)
            doc.ents = [e for e in doc.ents if e.label_ in LABELS]
            n_ents += len(doc.ents)
            n_words += len(doc)
            db.add(doc)
        path = args.out / f"{name}.spacy"
        db.to_disk(path)
        print(f"{name:8s} {len(sents):6d} sents {n_words:7d} words {n_ents:6d} ents -> {path}")


if __name__ == "__main__":
    main()
