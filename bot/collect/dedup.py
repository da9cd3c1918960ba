"""Identity of articles: canonical URLs and content hashes."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import courlan

_SPACE = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or host case."""
    if url.startswith("file:"):
        return url
    try:
        return courlan.normalize_url(url, strict=True)
    except Exception:  # courlan raises on malformed URLs; keep them as given
        return url.strip()


def content_hash(text: str) -> str:
    """Same words, same hash: case, Unicode form and white space do not count."""
    normal = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
