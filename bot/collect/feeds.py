"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser → `FeedEntry`s, and feed autodiscovery
from a site's homepage (`<link rel="alternate">`).

Real feeds are messy: malformed XML, wrong encodings, HTML in CDATA, relative links, dates in
any format or none. What can be read is read; what cannot raises `NotAFeed` with one line."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html

from bot.collect.text import html_to_text, one_line, parse_date
from bot.collect.types import RawArticle, Skipped
from bot.inputs import MAX_URL

MAX_ENTRIES = 200  # the newest items of a huge feed are enough; bounds the page fetches
MIN_TEXT_CHARS = 80  # the same floor as for local files
TEASER_CHARS = 1000  # a feed text shorter than this is a teaser: the page has the article
_CUT_OFF = re.compile(
    r"(\[?\s*(…|\.\.\.)\s*\]?|weiterlesen|mehr lesen|mehr\s*»|read more|continue reading)\W*$",
    re.I,
)
_FEED_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 0,
    "application/rdf+xml": 1,
    "application/xml": 2,
    "text/xml": 2,
}
_FEED_START = re.compile(rb"<(rss|feed|rdf:rdf|channel)[\s>]", re.I)
_HTML_START = re.compile(rb"<(!doctype\s+html|html)[\s>]", re.I)


class NotAFeed(ValueError):
    """The document is not a feed; the message says what it is instead, in one line."""


@dataclass(frozen=True)
class FeedEntry:
    key: str  # identity of the item in its feed: guid, else link, else title and date
    digest: str  # what the item says; another digest for a known key means it was edited
    article: RawArticle | Skipped
    teaser: bool  # only a teaser: the linked page should have the article


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    language: str | None  # the feed's declared language, a hint for detection
    entries: list[FeedEntry]
    problem: str | None = None  # e.g. malformed XML that was still read


def parse_feed(content: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """The entries of a feed document fetched from `url` (relative links resolve against it)."""
    # The declared type carries the charset; without one feedparser sniffs the bytes.
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    try:
        # A stream, never the bytes themselves: feedparser would open bytes as a file path.
        # Its HTML sanitizer is off: html_to_text drops scripts and styles itself, and the
        # sanitizer's SGML parser takes most of the time on content-rich feeds.
        parsed = feedparser.parse(
            io.BytesIO(content),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as error:  # feedparser rarely raises, but bad input must not crash
        raise NotAFeed(f"unreadable feed: {one_line(error)}") from None
    if not parsed.entries and not parsed.get("version"):
        if looks_like_html(content):
            raise NotAFeed("not a feed but an HTML page")
        reason = one_line(parsed.get("bozo_exception") or "no RSS or Atom elements")
        raise NotAFeed(f"not a feed: {reason}")
    feed = parsed.feed
    title = html_to_text(feed.get("title", "")) or None
    outlet = _outlet(title, feed.get("link") or url)
    entries, keys = [], set()
    for index, raw in enumerate(parsed.entries[:MAX_ENTRIES]):
        try:
            entry = _entry(raw, url, outlet)
        except Exception as error:  # one odd item costs itself, not the feed
            entry = _broken_entry(url, index, error)
        if entry.key not in keys:  # a feed listing an item twice means it once
            keys.add(entry.key)
            entries.append(entry)
    problem = None
    if parsed.bozo and parsed.get("bozo_exception") is not None:
        error = parsed.bozo_exception
        # A wrong declared charset or content type is the server's slip, not the feed's.
        harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
        if not isinstance(error, harmless):
            problem = f"malformed feed, read anyway: {one_line(error, 120)}"
    return ParsedFeed(title, feed.get("language") or None, entries, problem)


def looks_like_html(content: bytes) -> bool:
    head = content[:2048]
    return bool(_HTML_START.search(head)) and not _FEED_START.search(head)


def discover_feeds(html: str, base_url: str) -> list[str]:
    """The feed URLs a page announces with <link rel="alternate">, RSS and Atom first,
    comment feeds last."""
    try:
        root = lxml.html.fromstring(html)
        root.make_links_absolute(base_url, resolve_base_href=True)
    except (lxml.etree.ParserError, ValueError):
        return []
    found: list[tuple[int, int, str]] = []
    for position, link in enumerate(root.iter("link")):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in _FEED_TYPES or not href:
            continue
        if urlsplit(href).scheme not in ("http", "https"):
            continue
        comments = any(w in (link.get("title") or "").lower() for w in ("comment", "kommentar"))
        found.append((_FEED_TYPES[kind] + 10 * comments, position, href))
    seen, urls = set(), []
    for _rank, _position, href in sorted(found):
        if href not in seen:
            seen.add(href)
            urls.append(href)
    return urls


def is_teaser(text: str) -> bool:
    return len(text) < TEASER_CHARS or bool(_CUT_OFF.search(text[-80:]))


def _entry(raw: feedparser.FeedParserDict, base: str, outlet: str | None) -> FeedEntry:
    link = _link(raw, base)
    # Aggregators (Google News) name each item's publisher in <source>.
    outlet = html_to_text(raw.get("source", {}).get("title", "")) or outlet
    title = html_to_text(raw.get("title", ""))
    texts = [html_to_text(c.get("value", "")) for c in raw.get("content", []) if c.get("value")]
    texts.append(html_to_text(raw.get("summary", "")))
    text = max(texts, key=len)
    published = _entry_date(
        raw,
        ("published_parsed", "updated_parsed", "created_parsed"),
        ("published", "updated", "created", "dc_date", "date"),
    )
    identity = raw.get("id") or link or (title and f"{title}|{raw.get('published', '')}") or text
    key = _sha(identity)
    digest = _sha("\x1f".join((title, link or "", text, str(_field(raw, "updated") or ""))))
    url = link or f"urn:morgenlage:feed-item:{key}"  # no link: a stable name of its own
    author = raw.get("author_detail", {}).get("name") or raw.get("author") or ""
    teaser = bool(link) and is_teaser(text)
    if not teaser and len(text) < MIN_TEXT_CHARS:
        reason = "feed item without text" if not text else f"only {len(text)} characters"
        return FeedEntry(key, digest, Skipped(url, reason), teaser=False)
    article = RawArticle(
        url=url,
        title=title or text[:120],
        text=text,
        published_at=published,
        author=html_to_text(author) or None,
        outlet=outlet,
        categories=_categories(raw),
    )
    return FeedEntry(key, digest, article, teaser)


def _broken_entry(url: str, index: int, error: Exception) -> FeedEntry:
    where = f"{url}#item-{index + 1}"
    reason = f"unreadable item: {type(error).__name__}: {one_line(error, 120)}"
    return FeedEntry(_sha(where), _sha(reason), Skipped(where, reason), teaser=False)


def _categories(raw: feedparser.FeedParserDict) -> tuple[str, ...]:
    """The item's <category> / <dc:subject> terms, at most a few, each short."""
    terms = (html_to_text(tag.get("term") or "") for tag in raw.get("tags") or [])
    return tuple(dict.fromkeys(term[:80] for term in terms if term))[:8]


def _link(raw: feedparser.FeedParserDict, base: str) -> str | None:
    """The item's web page, absolute; None when it has none we could fetch."""
    candidates = [raw.get("link")]
    candidates += [
        link.get("href") for link in raw.get("links", []) if link.get("rel") == "alternate"
    ]
    if raw.get("guidislink") or str(raw.get("id", "")).startswith(("http://", "https://")):
        candidates.append(raw.get("id"))
    for candidate in candidates:
        if candidate and isinstance(candidate, str) and len(candidate) <= MAX_URL:
            absolute = urljoin(base, candidate.strip())
            if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
                return absolute
    return None


def _entry_date(raw, parsed_keys: tuple[str, ...], text_keys: tuple[str, ...]):
    """The first sane date: feedparser's parsed ones, then our parser on the raw strings.
    None when there is none: the store then places the article at the time it was collected."""
    latest = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=2)
    for key in parsed_keys:
        value = _field(raw, key)
        if isinstance(value, time.struct_time):
            try:
                moment = dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
            except (OverflowError, ValueError, OSError):
                continue
            moment = moment.replace(tzinfo=None)
            if dt.datetime(1990, 1, 1) <= moment <= latest:
                return moment
    for key in text_keys:
        moment = parse_date(_field(raw, key))
        if moment is not None and moment <= latest:
            return moment
    return None


def _outlet(title: str | None, link: str) -> str | None:
    """A short publisher name: "n-tv.de - Startseite" → "n-tv.de", else the site's host."""
    if title:
        name = re.split(r"\s+[-|–—:]\s+", title, maxsplit=1)[0].strip()
        if 2 <= len(name) <= 60:
            return name
    host = urlsplit(link).hostname or ""
    return host.removeprefix("www.") or None


def _field(raw: dict, key: str) -> object:
    # Plain dict access: feedparser's own maps a missing "updated" to "published", with a
    # deprecation warning each time.
    return dict.get(raw, key)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
