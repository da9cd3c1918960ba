"""Quote frames found on the Wikinews train split (CC BY-NC-SA: read in place, never copied)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED

TRAIN = SHARED / "quotes" / "wikinews-de" / "train"


@pytest.mark.parametrize(
    ("prefix", "quote", "speaker"),
    [
        # "Wie der Vorsitzende Richter, Ottmar Breidling, ausführte, hätte es … „…“"
        ("61550 - ", "ein ungeheures Blutbad", "Ottmar Breidling"),
        # "Wie Norman Paech, der als Begleitung des Rechtsanwaltes Eberhardt Schultz …,
        # dazu feststellt, verlangt „…“": the wie-clause's subject, not the person inside it
        ("63418 - ", "der Tatbestand der Verschwörung", "Norman Paech"),
    ],
)
def test_wie_clauses_with_a_reporting_verb_name_the_speaker(analyser, prefix, quote, speaker):
    [path] = TRAIN.glob(f"{prefix}*.json")
    article = json.loads(path.read_text(encoding="utf-8"))
    [(_key, result)] = analyser.analyse([(None, "", article["originalText"])])
    found = [q for q in result.quotes if q.text.startswith(quote)]
    assert [q.speaker for q in found] == [speaker]
