"""Model selection reads the dev sentences only (training/promote.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "training"))

import convert  # noqa: E402
import promote  # noqa: E402


def _dev_sample(path: Path, count: int = 40) -> Path:
    """The first dev sentences of the split (test sentence i with i % 5 == 1)."""
    sentences = convert.read_germeval(convert.GERMEVAL_DIR / "NER-de-test.tsv")
    blank = spacy.blank("de")
    docs = [
        convert.make_doc(blank, words, tags)
        for i, (words, tags) in enumerate(sentences)
        if i % convert.HELDOUT_EVERY == 1
    ][:count]
    DocBin(docs=docs).to_disk(path)
    return path


def test_promote_never_scores_the_held_out_sentences():
    with pytest.raises(ValueError, match="held-out"):
        promote.dev_f1(promote.SHIPPED, REPO / "training" / "corpus" / "heldout.spacy")


def test_promote_keeps_the_shipped_model_when_the_candidate_is_no_better_on_dev(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(promote, "DEV", _dev_sample(tmp_path / "dev.spacy"))
    before = (promote.SHIPPED / "meta.json").read_bytes()
    monkeypatch.setattr(sys, "argv", ["promote.py", str(promote.SHIPPED)])
    assert promote.main() == 0
    out = capsys.readouterr().out
    assert "dev F1: candidate" in out and "not better on dev" in out
    assert (promote.SHIPPED / "meta.json").read_bytes() == before
