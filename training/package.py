#!/usr/bin/env python
"""Copy a trained pipeline (spacy train's model-best) into the bot package.

Loads the pipeline, sets the shipped metadata (name, version, credits,
license) and writes it with nlp.to_disk to bot/models/de_morgenlage/.
Training-only bits (corpus paths in config.cfg, training output dir) are not
shipped.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import spacy

import bot.analyse.embed  # noqa: F401  (registers the model's feature layer)

ROOT = Path(__file__).resolve().parent.parent
VERSION = "2.0.0"

DESCRIPTION = (
    "Small, fast German named-entity recognizer (tok2vec CNN + transition-based NER, "
    "no static vectors) for the Morgenlage news-briefing bot. Labels: PER, ORG, LOC. "
    "Trained on GermEval 2014 NER (Benikova, Biemann, Reznicek 2014; CC BY 4.0; "
    "OTH, *deriv and *part mapped to O, nested tags ignored) and "
    "WikiNER German (Nothman, Ringland, Radford, Murphy, Curran 2013; CC BY). "
    "Each word's dictionary kind (common noun, place, first name, surname) is a feature, from "
    "german-nouns (Gregor Weichbrodt, German Wiktionary; CC BY-SA 4.0). "
    "Recipe: training/ in the Morgenlage repository."
)

SOURCES = [
    {
        "name": "GermEval 2014 NER Shared Task data",
        "author": (
            "Darina Benikova, Chris Biemann, Marc Reznicek (2014): NoSta-D Named Entity "
            "Annotation for German: Guidelines and Dataset. LREC 2014"
        ),
        "url": "https://sites.google.com/site/germeval2014ner/",
        "license": "CC BY 4.0",
    },
    {
        "name": "WikiNER (German)",
        "author": (
            "Joel Nothman, Nicky Ringland, Will Radford, Tara Murphy, James R. Curran (2013): "
            "Learning multilingual named entity recognition from Wikipedia. "
            "Artificial Intelligence 194"
        ),
        "url": "https://doi.org/10.1016/j.artint.2012.03.006",
        "license": "CC BY",
    },
    {
        "name": "german-nouns (word kinds feature, bot/analyse/data/german_nouns.tsv.gz)",
        "author": "Gregor Weichbrodt, compiled from German Wiktionary (de.wiktionary.org)",
        "url": "https://github.com/gambolputty/german-nouns",
        "license": "CC BY-SA 4.0",
    },
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "src", type=Path, nargs="?", default=ROOT / "training" / "output" / "model-best"
    )
    ap.add_argument("--dest", type=Path, default=ROOT / "bot" / "models" / "de_morgenlage")
    args = ap.parse_args()

    nlp = spacy.load(args.src)
    nlp.meta.update(
        {
            "lang": "de",
            "name": "morgenlage_de",
            "version": VERSION,
            "description": DESCRIPTION,
            "author": "Morgenlage",
            "license": "CC BY-SA 4.0 (trained on CC BY 4.0 / CC BY corpora with a CC BY-SA 4.0 "
            "word list as a feature; credit the sources)",
            "sources": SOURCES,
            "url": "",
            "email": "",
        }
    )
    # drop training-run-only metadata
    for key in ("performance",):
        nlp.meta.pop(key, None)

    tmp = args.dest.with_name(args.dest.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)

    # The shipped config must not point at the (git-ignored) training corpus.
    cfg_path = tmp / "config.cfg"
    cfg = cfg_path.read_text(encoding="utf-8")
    cfg = re.sub(r'^(train|dev) = ".*"$', r"\1 = null", cfg, flags=re.M)
    cfg_path.write_text(cfg, encoding="utf-8")

    if args.dest.exists():
        shutil.rmtree(args.dest)
    tmp.rename(args.dest)
    print(f"packaged {args.src} -> {args.dest}")
    print("labels:", nlp.get_pipe("ner").labels)


if __name__ == "__main__":
    main()
