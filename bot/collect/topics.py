"""Topics of an article from a fixed German set, from the signals a real feed carries: the
item's <category>, the section in its URL ("/sport/", "/politik/ausland/"), the section feed it
came from, and — for items without those — its words (a hand-written lexicon,
data/topic_words.txt: no trained artefact, so nothing licensed for evaluation only is in it)."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

TOPICS = (
    "inland",
    "ausland",
    "wirtschaft",
    "sport",
    "kultur",
    "wissenschaft",
    "digital",
    "panorama",
)
LABELS = {
    "inland": "Politik Inland",
    "ausland": "Politik Ausland",
    "wirtschaft": "Wirtschaft",
    "sport": "Sport",
    "kultur": "Kultur",
    "wissenschaft": "Wissenschaft",
    "digital": "Digital",
    "panorama": "Panorama",
}
LEXICON_FILE = Path(__file__).parent / "data" / "topic_words.txt"
MIN_INFIX = 5  # a stem this long matches inside a compound, a shorter one only at its start
TITLE_WEIGHT = 3.0  # a word in the headline counts as much as three in the text
TEXT_LIMIT = 20_000  # characters of text read (about 3,000 words)
TITLE_LIMIT = 1_000
PLACE_SHARE = 0.3  # chosen on 10kGNAD's dev half (bench/topics.py)
# How much each topic's evidence counts against the others. Topics with many strong,
# unambiguous words (Sport, Wissenschaft) would otherwise win on a few of them. Chosen on
# 10kGNAD's dev half (a coarse grid, one factor at a time); fitted on one half of dev and
# scored on the other they gave +0.02 accuracy, about what to expect on unseen text.
TOPIC_WEIGHT = {
    "politik": 0.7,
    "wirtschaft": 0.8,
    "sport": 0.7,
    "kultur": 0.9,
    "wissenschaft": 0.6,
    "digital": 1.1,
    "panorama": 0.6,
}
# Political, but where? Domestic words against foreign ones; a tie is domestic.
_SIDES = ("inland", "ausland")

# Section names in URLs, <category> and feed addresses (folded, see `fold`), by topic.
# "politik" alone leaves the side to the text.
_SECTIONS = {
    "inland": "inland innenpolitik deutschland oesterreich osterreich schweiz bundestag "
    "bundespolitik landespolitik",
    "ausland": "ausland aussenpolitik international internationales welt world europa eu "
    "usa amerika asien afrika nahost",
    "wirtschaft": "wirtschaft economy business finanzen finanz boerse borse geld unternehmen "
    "konjunktur verbraucher immobilien karriere job arbeitsmarkt",
    "sport": "sport sports fussball bundesliga formel1 formel-1 tennis wintersport "
    "ski eishockey handball basketball olympia motorsport radsport",
    "kultur": "kultur culture kino film musik buecher bucher literatur feuilleton kunst "
    "theater medien etat tv fernsehen serien stars leute-kultur",
    "wissenschaft": "wissenschaft wissen science forschung gesundheit medizin klima umwelt "
    "natur weltraum",
    "digital": "digital netzwelt technik tech technology web internet computer games "
    "it netzpolitik multimedia mobil developer",
    "panorama": "panorama vermischtes gesellschaft leute people kriminalitat kriminalitaet "
    "justiz unglueck ungluck wetter regional lokales reise",
}
# Outlets that cover one topic, by web address: their items need no other signal.
_OUTLETS = {
    "kicker.de": "sport",
    "sportschau.de": "sport",
    "laola1.at": "sport",
    "heise.de": "digital",
    "golem.de": "digital",
    "netzpolitik.org": "digital",
    "t3n.de": "digital",
    "handelsblatt.com": "wirtschaft",
    "finanzen.net": "wirtschaft",
    "spektrum.de": "wissenschaft",
}
_POLITICS = frozenset({"politik", "politics", "inlandausland"})


def fold(text: str) -> str:
    """Casefolded, without accents, ß as ss: "Fußball-Straße" → "fussball-strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    marks = [char for char in set(decomposed) if unicodedata.combining(char)]
    if len(marks) > 16:  # many different ones (Vietnamese, "Zalgo" text): one pass for all
        return decomposed.translate(dict.fromkeys(map(ord, marks)))
    for mark in marks:  # a German text's few: a fast pass each, not a look-up per character
        decomposed = decomposed.replace(mark, "")
    return decomposed


_WORD = re.compile(r"[^\W_]+", re.U)


def words(text: str) -> list[str]:
    """The folded words of a text; hyphenated compounds give their parts."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class _Lexicon:
    exact: dict[str, dict[str, float]]  # word → topic → weight
    prefix: dict[str, dict[str, float]]  # short stem → topic → weight
    infix: dict[str, dict[str, float]]  # stem of MIN_INFIX+ letters → topic → weight
    phrases: dict[str, dict[str, float]]  # "champions league" → topic → weight
    # Words and word parts inside which a shorter stem does not count ("regie" in "regierung").
    not_inside: tuple[str, ...] = ()
    # The infix stems by their first MIN_INFIX letters, shortest first: a position in a word is
    # one look-up, not one per length up to the longest stem.
    infix_by_head: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The short stems of 2+ letters by their first two, shortest first: one look-up a word.
    prefix_by_head: dict[str, tuple[str, ...]] = field(default_factory=dict)


@functools.cache
def _lexicon() -> _Lexicon:
    tables: dict[str, dict[str, dict[str, float]]] = {
        k: defaultdict(dict) for k in ("exact", "prefix", "infix", "phrases")
    }
    topic = None
    not_inside: list[str] = []
    for line in LEXICON_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            topic = line.strip("[]")
            continue
        if topic == "not":
            not_inside.append(fold(line))
            continue
        entry, _, weight = line.rpartition(" ")
        if not entry or not _is_number(weight):
            entry, weight = line, "1"
        exact = entry.startswith("=")
        key = fold(entry.lstrip("="))
        if " " in key:
            kind = "phrases"
        elif exact:
            kind = "exact"
        else:
            kind = "infix" if len(key) >= MIN_INFIX else "prefix"
        table = tables[kind][key]
        table[topic] = max(table.get(topic, 0.0), float(weight))
    return _Lexicon(
        **{k: dict(v) for k, v in tables.items()},
        not_inside=tuple(not_inside),
        infix_by_head=_by_head(tables["infix"], MIN_INFIX),
        prefix_by_head=_by_head((stem for stem in tables["prefix"] if len(stem) >= 2), 2),
    )


def _by_head(stems: Iterable[str], length: int) -> dict[str, tuple[str, ...]]:
    """The stems by their first `length` letters, shortest first."""
    table: dict[str, list[str]] = defaultdict(list)
    for stem in sorted(stems, key=len):
        table[stem[:length]].append(stem)
    return {head: tuple(group) for head, group in table.items()}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=50_000)
def _word_topics(word: str) -> tuple[tuple[str, float], ...]:
    """Each topic's weight for one folded word: the strongest entry of the topic it matches."""
    lexicon = _lexicon()
    stems: list[tuple[int, int, dict[str, float]]] = []  # (start, end, weights) of each match
    for stem in lexicon.prefix_by_head.get(word[:2], ()):
        if word.startswith(stem):
            stems.append((0, len(stem), lexicon.prefix[stem]))
    by_head = lexicon.infix_by_head
    for start in range(len(word) - MIN_INFIX + 1):
        for stem in by_head.get(word[start : start + MIN_INFIX], ()):
            if word.startswith(stem, start):
                stems.append((start, start + len(stem), lexicon.infix[stem]))
    exact = lexicon.exact.get(word)
    if exact is None and not stems:  # most words
        return ()
    found: dict[str, float] = {}
    matched = [exact] if exact is not None else []
    if stems:
        inside = _not_inside(word, lexicon.not_inside)
        matched += [
            weights
            for start, end, weights in stems
            if not any(a <= start and end <= b and end - start < b - a for a, b in inside)
        ]
    for weights in matched:
        for topic, weight in weights.items():
            found[topic] = max(found.get(topic, 0.0), weight)
    return tuple(found.items())


def _not_inside(word: str, fragments: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the [not] fragments occur in a word, as (start, end) spans."""
    length, by_head = _by_first_letters(fragments)
    spans = []
    for at in range(len(word) - length + 1):
        for fragment in by_head.get(word[at : at + length], ()):
            if word.startswith(fragment, at):
                spans.append((at, at + len(fragment)))
    return spans


@functools.cache
def _by_first_letters(fragments: tuple[str, ...]) -> tuple[int, dict[str, tuple[str, ...]]]:
    """The fragments by their first letters, as many as the shortest one has: a word is
    searched once for all of them, with one look-up a position."""
    unique = [fragment for fragment in dict.fromkeys(fragments) if fragment]
    length = min(map(len, unique), default=1)
    return length, _by_head(unique, length)


def text_scores(title: str, text: str) -> dict[str, float]:
    """Evidence per lexicon topic (politik, inland, ausland and the rest): each matched word's
    weight, growing with the log of how often the word occurs (one word repeated all through
    a text must not outweigh many different ones); headline words count TITLE_WEIGHT times.
    Only the first TEXT_LIMIT characters are read: a news text says its topic early, and a
    huge one must not hold up collection."""
    title, text = title[:TITLE_LIMIT], text[:TEXT_LIMIT]
    counts: dict[str, float] = defaultdict(float)
    parts = ((words(title), TITLE_WEIGHT), (words(text), 1.0))  # each part folded once
    for word, occurrences in _weighted_words(parts).items():
        for topic, weight in _word_topics(word):
            counts[topic] += weight * (1.0 + math.log(occurrences))
    for part_words, factor in parts:
        folded = " ".join(part_words)
        for phrase, weights in _lexicon().phrases.items():
            hits = folded.count(phrase)
            if not hits:
                continue
            for topic, weight in weights.items():
                counts[topic] += weight * factor * min(hits, 1 + math.log1p(hits))
    return dict(counts)


def _weighted_words(parts: Iterable[tuple[list[str], float]]) -> dict[str, float]:
    """Each word's occurrences, times its part's factor, in order of first occurrence."""
    found: dict[str, float] = {}
    for part_words, factor in parts:
        # Counted in C. count × factor is the sum of the factors, exactly for factors such as
        # TITLE_WEIGHT's, which are whole (or halves): the evidence does not change a bit.
        for word, count in Counter(part_words).items():
            found[word] = found.get(word, 0.0) + count * factor
    return found


def topic_of_text(title: str, text: str) -> str:
    """The one topic a text's words point to most; Panorama when nothing does."""
    return topic_of_scores(text_scores(title, text))


def topic_of_scores(scores: dict[str, float]) -> str:
    """The topic `text_scores`' evidence points to (the benches add evidence of their own)."""
    main = {t: scores.get(t, 0.0) for t in TOPICS if t not in _SIDES}
    # Words of places and politicians say "politics" too, just less than "Regierung".
    sides = sum(scores.get(side, 0.0) for side in _SIDES)
    main["politik"] = scores.get("politik", 0.0) + PLACE_SHARE * sides
    main = {t: score * TOPIC_WEIGHT[t] for t, score in main.items()}
    best = max(main, key=lambda t: (main[t], t == "politik"))
    if main[best] == 0.0:
        return "panorama"
    return _side(scores) if best == "politik" else best


def _side(scores: dict[str, float]) -> str:
    return "ausland" if scores.get("ausland", 0.0) > scores.get("inland", 0.0) else "inland"


def section_topics(signals: Iterable[str]) -> tuple[list[str], bool]:
    """Topics named by section signals (categories, URL paths, feed addresses), and whether
    any said "politics" without saying which side."""
    found: list[str] = []
    politics = False
    for signal in signals:
        for word in re.split(r"[^a-z0-9-]+", fold(signal)):
            topic = _SECTION_WORDS.get(word)
            if topic and topic not in found:
                found.append(topic)
            politics = politics or word in _POLITICS
    return found, politics


_SECTION_WORDS = {word: topic for topic, names in _SECTIONS.items() for word in names.split()}


def url_sections(url: str | None) -> list[str]:
    """The path segments of a web address that can name a section: "/politik/ausland/x.html"
    → ["politik", "ausland"] (the last segment is the article's own name)."""
    if not url or not url.startswith(("http://", "https://")):
        return []
    hostname, path = _address(url)
    parts = [p for p in path.split("/") if p]
    host = hostname.split(".")
    # sport.orf.at, wirtschaft.tagesspiegel.de: the subdomain names the section.
    return host[:-2] + parts[:-1] if len(parts) > 1 else host[:-2] + parts[:1] * (url[-1] == "/")


def _address(url: str | None) -> tuple[str, str]:
    """(host, path) of a web address; both empty for none or a malformed one."""
    if not url:
        return "", ""
    try:
        parts = urlsplit(url)
        return parts.hostname or "", parts.path
    except ValueError:  # "http://[::1": a broken address names no section
        return "", ""


def article_topics(
    title: str,
    text: str,
    url: str | None = None,
    categories: Iterable[str] = (),
    feed_url: str | None = None,
) -> list[str]:
    """One or more topics: those the item's categories, its URL's sections and its section
    feed name, else the one its words point to. "Politik" alone gets its side from the text."""
    signals = [*categories, *url_sections(url), *url_sections(feed_url)]
    if feed_url:  # a feed's address names its section in its last part too: /sport.xml
        signals.append(_address(feed_url)[1].rsplit("/", 1)[-1].split(".")[0])
    topics, politics = section_topics(signals)
    for address in (url, feed_url):
        host = _address(address)[0]
        outlet = next((t for h, t in _OUTLETS.items() if host == h or host.endswith("." + h)), None)
        if outlet and outlet not in topics and not topics:
            topics.append(outlet)
    if politics and not any(t in topics for t in _SIDES):
        topics.insert(0, _side(text_scores(title, text)))
    return topics or [topic_of_text(title, text)]


def story_topic(topics_per_article: Iterable[Iterable[str]]) -> str | None:
    """A story's topic: the one most of its articles have (ties: the first in TOPICS)."""
    votes: dict[str, int] = defaultdict(int)
    for topics in topics_per_article:
        for topic in set(topics):
            votes[topic] += 1
    if not votes:
        return None
    return max(TOPICS, key=lambda t: (votes.get(t, 0), -TOPICS.index(t))) if votes else None
