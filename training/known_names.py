"""Build bot/analyse/data/known_names.tsv: entity names in the NER corpora, with label and count.

The analysis uses the list to undo German genitives it cannot resolve inside one article
("Riads" → "Riad") and as a gazetteer. Built from the training part only: the held-out
GermEval test sentences (index % 5 == 0, see training/README.md) are left out.
Sources: GermEval 2014 (CC BY 4.0) and WikiNER-de (CC BY); see README.md.

    python training/known_names.py
"""

from __future__ import annotations

import collections
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ner"
OUT = Path(__file__).resolve().parents[1] / "bot" / "analyse" / "data" / "known_names.tsv"
LABELS = {"PER", "ORG", "LOC"}


HELDOUT_EVERY = 5  # as training/convert.py: test sentence i with i % 5 == 0 is held out


def germeval_entities(path: Path, skip_heldout: bool = False):
    words: list[str] = []
    tags: list[str] = []
    index = 0
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if words and not (skip_heldout and index % HELDOUT_EVERY == 0):
                yield from _spans(words, tags)
            index += 1 if words else 0
            words, tags = [], []
            continue
        parts = line.split("\t")
        words.append(parts[1])
        tags.append(parts[2])


def wikiner_entities(path: Path):
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            yield from _spans(words, tags, iob1=True)
            words, tags = [], []
            continue
        word, tag = line.rsplit(maxsplit=1)
        words.append(word)
        tags.append(tag)


def _spans(words, tags, iob1=False):
    current: list[str] = []
    label = None
    for word, tag in zip(words, tags, strict=True):
        prefix, _, kind = tag.partition("-")
        begins = prefix == "B" or (iob1 and kind != label)
        if tag == "O" or begins or kind != label:
            if current and label in LABELS:
                yield label, " ".join(current)
            current, label = [], None
        if tag != "O":
            current.append(word)
            label = kind
    if current and label in LABELS:
        yield label, " ".join(current)


def main() -> None:
    counts: collections.Counter = collections.Counter()
    # Never the held-out sentences (every 5th test sentence): the list feeds the analysis'
    # gazetteer, and the held-out NER score must not see its own answers.
    counts.update(germeval_entities(SHARED / "germeval2014" / "NER-de-dev.tsv"))
    counts.update(germeval_entities(SHARED / "germeval2014" / "NER-de-test.tsv", True))
    counts.update(wikiner_entities(SHARED / "wikiner-de" / "wikiner-de-14k.conll"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        out.write("# name\tlabel\tcount — from GermEval 2014 (CC BY 4.0) and WikiNER-de (CC BY)\n")
        for (label, name), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if len(name) > 1:
                out.write(f"{name}\t{label}\t{count}\n")
    print(f"{len(counts)} names → {OUT}")


if __name__ == "__main__":
    main()
