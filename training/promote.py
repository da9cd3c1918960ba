#!/usr/bin/env python
"""Ship a packaged candidate model only when it beats the shipped one on the held-out split.

    .venv/bin/python training/promote.py training/output/de_morgenlage [--force]

Both models carry their held-out scores in meta.json["performance"] (training/evaluate.py
--write-meta); the candidate replaces bot/models/de_morgenlage when its ents_f is higher and
its size stays within the 25 MB budget.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "bot" / "models" / "de_morgenlage"
MAX_BYTES = 25 * 1024 * 1024


def f1(model: Path) -> float:
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    return float(meta.get("performance", {}).get("ents_f", 0.0))


def size(model: Path) -> int:
    return sum(p.stat().st_size for p in model.rglob("*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("candidate", type=Path)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    new, bytes_ = f1(args.candidate), size(args.candidate)
    old = f1(SHIPPED) if SHIPPED.exists() else 0.0
    print(f"candidate F1 {new:.4f} ({bytes_ / 1e6:.1f} MB), shipped F1 {old:.4f}")
    if bytes_ > MAX_BYTES:
        print("candidate is too large to ship; keeping the shipped model")
        return 0
    if not args.force and new <= old:
        print("not better; keeping the shipped model")
        return 0
    tmp = SHIPPED.with_name(SHIPPED.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(args.candidate, tmp)
    if SHIPPED.exists():
        shutil.rmtree(SHIPPED)
    tmp.rename(SHIPPED)
    print(f"shipped {args.candidate} -> {SHIPPED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
