"""Sentence boundaries at line breaks: a headline or a newsletter plug without a full stop is a
sentence of its own, never glued to the next paragraph."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("morgenlage_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc
