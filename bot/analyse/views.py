"""What several components read from one Doc, taken once per Doc: its text, its tokens' texts
and lexical flags, its sentences' texts.

Each Token or Span spaCy hands out is a new Python object, and `Doc.text` and `Span.text` join
every token's text again on each call: the components read these views instead, made on first
use and kept in `doc.user_data`. They run after the sentence
boundaries are set and never retokenise, so the views stay true; entity labels are not kept
here, since components change them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from spacy.attrs import IDX, IS_ALPHA, IS_LOWER, IS_PUNCT, IS_STOP, IS_TITLE
from spacy.tokens import Doc

T = TypeVar("T")
_KEY = "morgenlage.views."


def _kept(doc: Doc, name: str, make: Callable[[Doc], T]) -> T:
    key = _KEY + name
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = make(doc)
    return value


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once."""
    return _kept(doc, "text", lambda d: d.text)


def words(doc: Doc) -> list[str]:
    """Each token's text (`token.text`), in order."""
    return _kept(doc, "words", lambda d: [token.text for token in d])


def lowers(doc: Doc) -> list[str]:
    """Each token's `lower_` (the vocabulary's LOWER is `str.lower` of the text)."""
    return _kept(doc, "lowers", lambda d: [word.lower() for word in words(d)])


def span_text(doc: Doc, start: int, end: int) -> str:
    """`doc[start:end].text` without making the Span (0 <= start, end <= len(doc))."""
    if end <= start:
        return ""
    offsets, texts = _kept(doc, "offsets", lambda d: d.to_array(IDX).tolist()), words(doc)
    return doc_text(doc)[offsets[start] : offsets[end - 1] + len(texts[end - 1])]


class Flags:
    """Lexical flags of every token, as lists of bools by token index."""

    __slots__ = ("is_title", "is_stop", "is_punct", "is_lower", "is_alpha")

    def __init__(self, doc: Doc) -> None:
        array = doc.to_array([IS_TITLE, IS_STOP, IS_PUNCT, IS_LOWER, IS_ALPHA]).astype(bool)
        columns = array.reshape((len(doc), 5)).T.tolist()
        self.is_title, self.is_stop, self.is_punct, self.is_lower, self.is_alpha = columns


def flags(doc: Doc) -> Flags:
    return _kept(doc, "flags", Flags)


def sentence_starts(doc: Doc) -> list[int]:
    """The first token of each sentence."""
    return _kept(doc, "starts", lambda d: [sentence.start for sentence in d.sents])


def sentence_texts(doc: Doc) -> list[str]:
    """Each sentence's `Span.text`, cut from the text once joined."""

    def cut(d: Doc) -> list[str]:
        full = doc_text(d)
        return [full[sentence.start_char : sentence.end_char] for sentence in d.sents]

    return _kept(doc, "sentence_texts", cut)
