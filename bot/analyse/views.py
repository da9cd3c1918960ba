"""What several components read from one Doc, taken once per Doc: its text, its tokens' texts
and lexical flags, its sentences and their texts.

Each Token or Span spaCy hands out is a new Python object, and `Doc.text` and `Span.text` join
every token's text again on each call: the components (and the model's lexicon feature) read
these views instead, made on first use and kept in `doc.user_data` (not meant to be
serialised). Tokens never change after the tokenizer, and the sentence views are first read by
the Morgenlage components, which run after the sentence boundaries are set; entity labels are
not kept here, since components change them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from spacy.attrs import IDX, IS_ALPHA, IS_LOWER, IS_PUNCT, IS_STOP, IS_TITLE, ORTH, SPACY
from spacy.tokens import Doc

T = TypeVar("T")
_KEY = "morgenlage.views."
# Word id (ORTH) → its text, across Docs: one string per word rather than one per token (the
# StringStore decodes a new one on each look-up). Started afresh when it grows past the cap.
_TEXTS: dict[int, str] = {}
_MAX_TEXTS = 200_000


def _kept(doc: Doc, key: str, make: Callable[[Doc], T]) -> T:
    """`make(doc)`, made once per Doc (`key`: one of the keys below; asked thousands of times
    per Doc, so neither the key nor the maker is built on each call)."""
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = make(doc)
    return value


_TEXT, _WORDS, _LOWERS, _OFFSETS, _FLAGS, _STARTS, _SENTENCE_TEXTS = (
    _KEY + name
    for name in ("text", "words", "lowers", "offsets", "flags", "starts", "sentence_texts")
)


def doc_text(doc: Doc) -> str:
    """`doc.text`: each token's text and its trailing space, joined once."""

    return _kept(doc, _TEXT, _join)


def _join(doc: Doc) -> str:
    spaces = doc.to_array(SPACY).tolist()
    return "".join([w + " " if space else w for w, space in zip(words(doc), spaces, strict=True)])


def words(doc: Doc) -> list[str]:
    """Each token's text (`token.text`), in order."""
    return _kept(doc, _WORDS, _read_words)


def _read_words(doc: Doc) -> list[str]:
    global _TEXTS
    if len(_TEXTS) > _MAX_TEXTS:
        _TEXTS = {}  # a new dict: a reader in another thread keeps the one it holds
    known, strings = _TEXTS, doc.vocab.strings
    orths = doc.to_array(ORTH).tolist()
    for orth in set(orths).difference(known):
        known[orth] = strings[orth]
    return list(map(known.__getitem__, orths))


def lowers(doc: Doc) -> list[str]:
    """Each token's `lower_` (the vocabulary's LOWER is `str.lower` of the text)."""
    return _kept(doc, _LOWERS, _lower_words)


def _lower_words(doc: Doc) -> list[str]:
    return [word.lower() for word in words(doc)]


def span_text(doc: Doc, start: int, end: int) -> str:
    """`doc[start:end].text` without making the Span (0 <= start, end <= len(doc))."""
    if end <= start:
        return ""
    text, offsets, texts = _kept(doc, _OFFSETS, _offsets)
    return text[offsets[start] : offsets[end - 1] + len(texts[end - 1])]


def span_chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """`(doc[start:end].start_char, doc[start:end].end_char)` without making the Span
    (0 <= start < end <= len(doc))."""
    _text, offsets, texts = _kept(doc, _OFFSETS, _offsets)
    return offsets[start], offsets[end - 1] + len(texts[end - 1])


def _offsets(doc: Doc) -> tuple[str, list[int], list[str]]:
    """The text, each token's character offset (`token.idx`) and the tokens' texts."""
    return doc_text(doc), doc.to_array(IDX).tolist(), words(doc)


class Flags:
    """Lexical flags of every token, as lists of bools by token index."""

    __slots__ = ("is_title", "is_stop", "is_punct", "is_lower", "is_alpha")

    def __init__(self, doc: Doc) -> None:
        array = doc.to_array([IS_TITLE, IS_STOP, IS_PUNCT, IS_LOWER, IS_ALPHA]).astype(bool)
        columns = array.reshape((len(doc), 5)).T.tolist()
        self.is_title, self.is_stop, self.is_punct, self.is_lower, self.is_alpha = columns


def flags(doc: Doc) -> Flags:
    return _kept(doc, _FLAGS, Flags)


def sentence_starts(doc: Doc) -> list[int]:
    """The first token of each sentence."""
    return _kept(doc, _STARTS, _sentence_starts)


def _sentence_starts(doc: Doc) -> list[int]:
    return [sentence.start for sentence in doc.sents]


def sentence_texts(doc: Doc) -> list[str]:
    """Each sentence's `Span.text`, cut from the text once joined."""

    return _kept(doc, _SENTENCE_TEXTS, _cut_sentences)


def _cut_sentences(doc: Doc) -> list[str]:
    full = doc_text(doc)
    return [full[sentence.start_char : sentence.end_char] for sentence in doc.sents]
