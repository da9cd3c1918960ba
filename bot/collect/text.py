"""Decoding and cleaning of article text from any source."""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

import charset_normalizer
import lxml.etree
import lxml.html
from dateutil import parser as date_parser
from dateutil import tz as date_tz

# Control characters except tab and newline; zero-width and bidi marks that break matching.
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_TAGS = re.compile(r"<[^>]*>")
# Elements that end a line when HTML becomes text; the rest flow into their neighbours.
_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header "
    "footer aside dd dt figcaption hr".split()
)
_DROPPED = ("script", "style", "iframe", "noscript", "object", "embed", "svg", "form", "button")


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ])")
_FILLERS = (dt.datetime(2001, 1, 1), dt.datetime(2002, 2, 2))


class NotText(ValueError):
    """The bytes are not text (binary) or cannot be decoded."""


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to str: the declared encoding (an HTTP header's charset) when it fits, else UTF-8
    (with or without BOM), else the detected encoding."""
    if declared and data[:3] != b"\xef\xbb\xbf":
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: the bytes decide
    if b"\x00" in data[:8192]:
        # UTF-16 text has NUL bytes too; it starts with a BOM when it is text.
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise NotText("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if (mostly := _mostly_utf8(data)) is not None:
        return mostly
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None:
        raise NotText("not text in any known encoding")
    return data.decode(best.encoding, errors="replace")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray bytes, decoded as UTF-8 (the strays replaced): one broken
    byte must not turn every umlaut of a file into mojibake. None when the bytes are mostly
    not UTF-8 (a Latin-1 file's umlauts are each an invalid byte, and rarely a valid sequence)."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    strays = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - strays
    return text if valid > 0 and strays <= max(1, valid // 10) else None


def decode_html(data: bytes, content_type: str = "") -> str:
    """An HTML page's bytes to str: the HTTP header's charset, else the page's <meta> one."""
    match = _HEADER_CHARSET.search(content_type) or _META_CHARSET.search(data[:4096])
    declared = match.group(1) if match else None
    if isinstance(declared, bytes):
        declared = declared.decode("ascii", "replace")
    return decode(data, declared)


def html_to_text(fragment: str) -> str:
    """An HTML fragment (a feed item's description or content) as clean text: scripts and
    styles dropped, block elements on lines of their own, entities resolved."""
    if "<" not in fragment:
        return clean_text(html.unescape(fragment))
    fragment = _JUNK.sub("", fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):  # hopeless markup: drop the tags, keep words
        return clean_text(html.unescape(_TAGS.sub(" ", fragment)))
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() not in ("br", "hr"):
                element.text = "\n" + (element.text or "")
    return clean_text(root.text_content())


def clean_text(text: str) -> str:
    """Normalise Unicode (NFC), line ends and blanks; drop control characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _JUNK.sub("", text)
    text = "\n".join(_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    if "\n\n\n" in text:  # a substring test is much cheaper than the regex's scan
        text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def one_line(text: object, limit: int = 200) -> str:
    """Any message as one line of at most `limit` characters (for recorded states)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# The replacement character, surrogates (category Cs) and private-use characters (Co): one
# regex pass instead of a category look-up per character.
_NOT_PROSE = re.compile(
    "[\ufffd\ud800-\udfff\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


def looks_binary(text: str) -> bool:
    """Decoded text that is mostly replacement or private-use characters is not prose."""
    sample = text[:20_000]
    if not sample:
        return False
    return len(_NOT_PROSE.findall(sample)) / len(sample) > 0.05


def parse_date(value: object) -> dt.datetime | None:
    """A date from front matter, JSON or metadata, as naive UTC; None when unreadable."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        moment = _parse_date_text(value.strip()[:100])
        if moment is None:
            return None
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    if not 1990 <= moment.year <= 2100:
        return None
    return moment


def _parse_date_text(text: str) -> dt.datetime | None:
    """ISO 8601 as ISO (year, month, day); other forms day first, as in Germany ("04.03.2025"
    is 4 March). A text without a full date ("-1", "März") is no date: dateutil would fill the
    gaps from today."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    if _ISO_DAY.match(text):
        try:
            return date_parser.isoparse(text)
        except (ValueError, OverflowError):
            return None
    try:
        moments = [
            date_parser.parse(text, dayfirst=True, default=d, tzinfos=_zone) for d in _FILLERS
        ]
    except (ValueError, OverflowError):
        return None
    # Two different fillers give two different dates when a part of the date was missing.
    return moments[0] if moments[0].date() == moments[1].date() else None


def _zone(name: str | None, offset: int | None) -> dt.tzinfo | None:
    """A numeric offset as a zone; an unknown zone name ("T", "CET") is none — read as UTC
    without dateutil's warning."""
    return date_tz.tzoffset(name, offset) if offset is not None else None


def title_from_text(text: str, limit: int = 200) -> str:
    """First line as title; a long first line gives its first sentence, cut at a word."""
    first = text.split("\n", 1)[0].strip()
    if len(first) > limit:
        sentence = re.split(r"(?<=[.!?])\s+", first, maxsplit=1)[0]
        first = sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"
    return first
