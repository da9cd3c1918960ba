"""Identity of articles: canonical URLs, content hashes and near-duplicate signatures."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan
import numpy as np

# Trackers German publishers add to feed links, beyond the utm_/fbclid/… courlan knows.
_MORE_TRACKERS = re.compile(r"^(wt_\w+|wtmc|cmpid|icid|ocid|ito|ns_\w+|at_\w+|rss_\w+)$", re.I)


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or host case.

    courlan's non-strict mode: it drops known trackers only. Its strict mode drops every
    parameter it does not know, and `article.php?nr=1` and `?nr=2` would become one URL."""
    if not url.strip().lower().startswith(("http://", "https://")):
        return url.strip()  # file: URIs of local files, urn: names of link-less feed items
    try:
        normal = courlan.normalize_url(url.strip(), strict=False)
    except Exception:  # courlan raises on malformed URLs; keep them as given
        return url.strip()
    parts = urlsplit(normal)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _MORE_TRACKERS.match(key)
    ]
    # A fragment names a place in the page, not another article ("#!/…" routes do).
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit(parts._replace(query=urlencode(query), fragment=fragment))


def content_hash(text: str) -> str:
    """Same words, same hash: case, Unicode form and white space do not count."""
    # str.split() and \s agree on what white space is (str.isspace): the runs become one space.
    normal = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


# --- near-duplicates ---------------------------------------------------------------------------
# The same agency story on several sites differs in a headline, a sentence or a cut paragraph.
# Texts are compared as sets of word 4-grams (shingles); Jaccard similarity is estimated with
# MinHash signatures, and LSH bands find the candidates without comparing every pair.

NEAR_THRESHOLD = 0.6  # estimated Jaccard similarity from which two texts are one story
NEAR_WINDOW_DAYS = 3  # a story is retold within days; older articles are not compared
SHINGLE_WORDS = 4
MIN_SHINGLES = 40  # shorter texts (teasers) share too little to judge
_PERMUTATIONS = 128
_BANDS = 32  # 32 bands of 4 rows: pairs from about 0.42 similarity become candidates
_ROWS = _PERMUTATIONS // _BANDS
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_rng = np.random.default_rng(20250218)  # fixed: signatures must stay comparable across runs
_A = _rng.integers(1, (1 << 61) - 1, size=_PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=_PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")


def minhash(text: str) -> bytes | None:
    """The text's MinHash signature (512 bytes), or None when the text is too short to judge."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) - (SHINGLE_WORDS - 1) < MIN_SHINGLES:  # too few windows, let alone shingles
        return None
    windows = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)
    shingles = set(map(" ".join, windows))
    if len(shingles) < MIN_SHINGLES:
        return None
    hashes = np.fromiter(
        map(zlib.crc32, map(str.encode, shingles)), dtype=np.uint64, count=len(shingles)
    )
    return _permuted_minima(hashes).astype("<u4").tobytes()


def _permuted_minima(hashes: np.ndarray) -> np.ndarray:
    """Per permutation, the least (a·x + b) mod p, truncated to 32 bits, over the hashes x.
    a·x + b wraps at 2^64, as in datasketch."""
    permuted = np.multiply.outer(hashes, _A)
    permuted += _B
    permuted = _mod_mersenne(permuted)
    permuted &= _MAX_HASH
    return permuted.min(axis=0)


def _mod_mersenne(values: np.ndarray) -> np.ndarray:
    """`values % (2^61 - 1)`, in place, without a division: 2^61 is 1 modulo 2^61 - 1, so the
    bits above the 61st add to the low ones; the sum is below 2·p, one subtraction is left."""
    high = values >> np.uint64(61)
    values &= _MERSENNE
    values += high
    if values.max(initial=0) >= _MERSENNE:  # one value in about 2^58: rare, but exact
        np.subtract(values, _MERSENNE, out=values, where=values >= _MERSENNE)
    return values


def similarity(left: bytes, right: bytes) -> float:
    """Estimated Jaccard similarity of the two texts behind two signatures."""
    a, b = np.frombuffer(left, dtype="<u4"), np.frombuffer(right, dtype="<u4")
    return float(np.count_nonzero(a == b)) / len(a)


class NearDuplicates:
    """An in-memory LSH index of recent articles' signatures; one per collection run."""

    def __init__(self) -> None:
        self._signatures: dict[int, bytes] = {}
        self._bands: dict[tuple[int, bytes], list[int]] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, article_id: int, signature: bytes) -> None:
        self._signatures[article_id] = signature
        for band in self._band_keys(signature):
            self._bands.setdefault(band, []).append(article_id)

    def discard(self, article_ids: Iterable[int]) -> None:
        """Forget these articles (a batch that was not stored after all)."""
        for article_id in article_ids:
            signature = self._signatures.pop(article_id, None)
            if signature is None:
                continue
            for band in self._band_keys(signature):
                members = self._bands.get(band, [])
                if article_id in members:
                    members.remove(article_id)

    def find(self, signature: bytes) -> int | None:
        """The most similar indexed article at or above NEAR_THRESHOLD, if any."""
        candidates = {i for band in self._band_keys(signature) for i in self._bands.get(band, ())}
        best, best_score = None, NEAR_THRESHOLD
        for article_id in sorted(candidates):
            score = similarity(signature, self._signatures[article_id])
            if score >= best_score:
                best, best_score = article_id, score
        return best

    @staticmethod
    def _band_keys(signature: bytes) -> list[tuple[int, bytes]]:
        width = _ROWS * 4
        return [(band, signature[band * width : (band + 1) * width]) for band in range(_BANDS)]
