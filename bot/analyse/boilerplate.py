"""Marks sentences that are page furniture (newsletter plugs, share buttons, cookie notes).

Marked sentences keep their place in the text but never reach a briefing: actors, quotes and
key sentences skip them. The patterns are data: `data/boilerplate.txt`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "boilerplate.txt"


@functools.cache
def _patterns() -> re.Pattern:
    lines = PATTERNS_FILE.read_text(encoding="utf-8").splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return re.compile("|".join(f"(?:{rule})" for rule in rules), re.IGNORECASE)


def is_boilerplate(text: str) -> bool:
    return _patterns().search(text.strip()) is not None


def _is_heading(sentence: Span) -> bool:
    """A short line without final punctuation, like "Holen Sie sich tägliche Nachrichten"."""
    text = sentence.text.strip()
    return bool(text) and len(text.split()) <= 10 and text[-1] not in '.!?:“"»'


@Language.component("morgenlage_boilerplate")
def mark_boilerplate(doc: Doc) -> Doc:
    sentences = list(doc.sents)
    marked = {i for i, sentence in enumerate(sentences) if is_boilerplate(sentence.text)}
    # A heading right before a plug belongs to it.
    for i in sorted(marked):
        if i > 0 and i - 1 not in marked and _is_heading(sentences[i - 1]):
            marked.add(i - 1)
    doc._.boilerplate = frozenset(marked)
    return doc
