#!/usr/bin/env bash
# Reproducible training recipe for bot/models/de_morgenlage (German tok2vec+ner).
#
#   bash training/train.sh            # convert -> train -> package -> evaluate -> promote
#
# The candidate is packaged into training/output/de_morgenlage; it replaces the shipped
# bot/models/de_morgenlage only when its dev F1 is higher (FORCE=1: always). The held-out
# sentences are read once, after that decision, to report the shipped model's score.
#
# Env overrides: PYTHON (default .venv/bin/python), extra `spacy train`
# overrides can be passed as arguments, e.g.
#   bash training/train.sh --training.max_steps=2000
set -euo pipefail

cd "$(dirname "$0")/.."          # repo root
PYTHON="${PYTHON:-.venv/bin/python}"
OUT=training/output
# deterministic-ish single-threaded BLAS (2-core box; spaCy CNN is numpy-based)
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"

echo "== 1/4 convert corpora"
"$PYTHON" training/convert.py

echo "== 2/4 spacy train (log: $OUT/train.log)"
mkdir -p "$OUT"
start=$(date +%s)
"$PYTHON" -m spacy train training/config.cfg -o "$OUT" --code bot/analyse/embed.py \
    --paths.train training/corpus/train.spacy \
    --paths.dev training/corpus/dev.spacy \
    "$@" 2>&1 | tee "$OUT/train.log"
echo "training took $(( $(date +%s) - start ))s"

echo "== 3/4 package model-best -> $OUT/de_morgenlage (candidate)"
"$PYTHON" training/package.py "$OUT/model-best" --dest "$OUT/de_morgenlage"

echo "== 4/4 select on dev (ship only when better), then score the shipped model held-out once"
before=$(cat bot/models/de_morgenlage/meta.json 2>/dev/null | md5sum)
"$PYTHON" training/promote.py "$OUT/de_morgenlage" ${FORCE:+--force}
if [ "$before" != "$(md5sum < bot/models/de_morgenlage/meta.json)" ]; then
    "$PYTHON" training/evaluate.py --model bot/models/de_morgenlage --write-meta
fi
du -sh bot/models/de_morgenlage
