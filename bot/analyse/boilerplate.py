"""Marks sentences that are page furniture (newsletter plugs, share buttons, cookie notes).

Marked sentences keep their place in the text but never reach a briefing: actors, quotes and
key sentences skip them. The patterns are data: `data/boilerplate.txt`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from bot.analyse.views import sentence_texts

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "boilerplate.txt"


@functools.cache
def _patterns() -> tuple[re.Pattern, ...]:
    """The rules in two expressions, those anchored at the start apart: where every branch
    starts with `^`, the search tries the first position only instead of each one (a fifth of
    the time per sentence). A sentence matches the rules when it matches either."""
    lines = PATTERNS_FILE.read_text(encoding="utf-8").splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    groups = ([r for r in rules if r.startswith("^")], [r for r in rules if not r.startswith("^")])
    return tuple(
        re.compile("|".join(f"(?:{rule})" for rule in group), re.IGNORECASE)
        for group in groups
        if group
    )


def is_boilerplate(text: str) -> bool:
    text = text.strip()
    return any(pattern.search(text) is not None for pattern in _patterns())


def _is_heading(sentence: str) -> bool:
    """A short line without final punctuation, like "Holen Sie sich tägliche Nachrichten"."""
    text = sentence.strip()
    return bool(text) and len(text.split()) <= 10 and text[-1] not in '.!?:“"»'


@Language.component("morgenlage_boilerplate")
def mark_boilerplate(doc: Doc) -> Doc:
    sentences = sentence_texts(doc)
    marked = {i for i, sentence in enumerate(sentences) if is_boilerplate(sentence)}
    # A heading right before a plug belongs to it.
    for i in sorted(marked):
        if i > 0 and i - 1 not in marked and _is_heading(sentences[i - 1]):
            marked.add(i - 1)
    doc._.boilerplate = frozenset(marked)
    return doc
