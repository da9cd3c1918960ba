"""Sentence boundaries at line breaks: a headline or a newsletter plug without a full stop is a
sentence of its own, never glued to the next paragraph. And sentences without the dateline
that opens a report ("Wien – ", "Berlin (dpa) - "): a summary or a statement quoted alone does
not need it."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from bot.analyse.lexicon import BITS, kind_id
from bot.analyse.views import words

# Places (one to three, "Prag/Wien"), perhaps an agency in brackets, then a dash between spaces.
_PLACE = r"[A-ZÄÖÜ][\w.-]*(?: [A-ZÄÖÜ][\w.-]*)?"
_DATELINE = re.compile(
    rf"^(?P<places>{_PLACE}(?:/{_PLACE}){{0,2}})(?: \([^()]{{1,30}}\))? +[–—-] +(?=\S)"
)


def without_dateline(sentence: str) -> str:
    """The sentence without its opening dateline, when every place in it is a listed place."""
    found = _DATELINE.match(sentence)
    if found is None:
        return sentence
    for place in found["places"].split("/"):
        if not all(kind_id(_title_case(word)) & BITS["place"] for word in place.split()):
            return sentence
    return sentence[found.end() :]


def _title_case(word: str) -> str:
    """Datelines are often in capitals: "BERLIN" → "Berlin"."""
    return word.capitalize() if word.isupper() and len(word) > 1 else word


@Language.component("morgenlage_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    for i, word in enumerate(words(doc)[:-1]):  # the texts the model's features read too
        if "\n" in word:
            doc[i + 1].is_sent_start = True
    return doc
