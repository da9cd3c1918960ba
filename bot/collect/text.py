"""Decoding and cleaning of article text from any source."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import charset_normalizer
from dateutil import parser as date_parser

# Control characters except tab and newline; zero-width and bidi marks that break matching.
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


class NotText(ValueError):
    """The bytes are not text (binary) or cannot be decoded."""


def decode(data: bytes) -> str:
    """Bytes to str: UTF-8 (with or without BOM), else the detected encoding."""
    if b"\x00" in data[:8192]:
        # UTF-16 text has NUL bytes too; it starts with a BOM when it is text.
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise NotText("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None:
        raise NotText("not text in any known encoding")
    return data.decode(best.encoding, errors="replace")


def clean_text(text: str) -> str:
    """Normalise Unicode (NFC), line ends and blanks; drop control characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _JUNK.sub("", text)
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def looks_binary(text: str) -> bool:
    """Decoded text that is mostly replacement or private-use characters is not prose."""
    sample = text[:20_000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cs"))
    return bad / len(sample) > 0.05


def parse_date(value: object) -> dt.datetime | None:
    """A date from front matter, JSON or metadata, as naive UTC; None when unreadable."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = date_parser.parse(value.strip(), dayfirst=True)
        except (ValueError, OverflowError):
            return None
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    if not 1990 <= moment.year <= 2100:
        return None
    return moment


def title_from_text(text: str, limit: int = 200) -> str:
    """First line as title; a long first line gives its first sentence, cut at a word."""
    first = text.split("\n", 1)[0].strip()
    if len(first) > limit:
        sentence = re.split(r"(?<=[.!?])\s+", first, maxsplit=1)[0]
        first = sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"
    return first
