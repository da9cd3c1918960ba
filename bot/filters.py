"""What a reader wants left out of their briefing and pushes: topics switched off, muted words,
or "only" words. A `ReaderFilter` is a hashable value: deliveries render one edition per
distinct filter, however many readers share it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.collect.topics import LABELS, TOPICS, fold

MAX_MUTES = 50  # per reader
MAX_WORDS = 3  # in one muted or "only" phrase
MAX_LETTERS = 40  # in one muted word
MIN_COMPOUND = 4  # a muted word this long also mutes compounds it starts or ends
# Endings of an inflected word: "Fußballs", "Fußballer", "Wahlen".
_ENDINGS = ("", "s", "es", "e", "en", "n", "er", "ern", "ers")
_WORD = re.compile(r"[^\W_]+")
_TOPIC_NAMES = {fold(name): topic for topic, name in LABELS.items()} | {
    "politik inland": "inland",
    "politik ausland": "ausland",
    "inland": "inland",
    "ausland": "ausland",
    "innenpolitik": "inland",
    "aussenpolitik": "ausland",
    "wissen": "wissenschaft",
    "technik": "digital",
    "vermischtes": "panorama",
}


class FilterError(ValueError):
    """A word a reader cannot mute (or limit to); the message key says why."""


def topic_named(text: str) -> str | None:
    """The topic a reader means: "Sport", "politik-ausland", "Wissen" → its key, else None."""
    key = " ".join(_WORD.findall(fold(text)))
    return key if key in TOPICS else _TOPIC_NAMES.get(key)


def muted_phrase(text: str) -> str:
    """A reader's word or phrase as it is stored: folded words joined by a space. Raises
    FilterError("empty" | "too_many_words" | "markup" | "too_long") on what cannot be one."""
    if "<" in text or ">" in text or "&" in text:
        raise FilterError("markup")
    found = _WORD.findall(fold(text))
    if not found:
        raise FilterError("empty")
    if len(found) > MAX_WORDS:
        raise FilterError("too_many_words")
    if any(len(word) > MAX_LETTERS for word in found):
        raise FilterError("too_long")
    return " ".join(found)


def _word_matches(muted: str, word: str) -> bool:
    """Whether a folded text word is the muted word: inflected, or — for words of
    MIN_COMPOUND letters or more — the first or last part of a compound ("fussball" in
    "fussballbundesliga", "frauenfussball"; hyphenated ones are separate words anyway)."""
    if word == muted or any(word == muted + ending for ending in _ENDINGS[1:]):
        return True
    if len(muted) < MIN_COMPOUND:
        return False
    if word.startswith(muted) and len(word) - len(muted) >= MIN_COMPOUND:
        return True
    return any(
        word.endswith(muted + ending) and len(word) - len(muted + ending) >= MIN_COMPOUND - 1
        for ending in _ENDINGS
    )


def mentions(phrase: str, text: str) -> bool:
    """Whether `text` contains the stored phrase, word by word (see `_word_matches`)."""
    wanted = phrase.split()
    words = _WORD.findall(fold(text))
    for start in range(len(words) - len(wanted) + 1):
        if all(_word_matches(w, words[start + i]) for i, w in enumerate(wanted)):
            return True
    return False


@dataclass(frozen=True)
class ReaderFilter:
    """Topics switched off, muted phrases, and the phrases a briefing is limited to (none:
    everything); phrases as `muted_phrase` stores them."""

    topics_off: frozenset[str] = frozenset()
    mutes: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.topics_off or self.mutes or self.only)

    def hides(self, topic: str | None, texts: Iterable[str]) -> bool:
        """Whether something of this topic, saying these texts, is left out of a briefing."""
        texts = list(texts)
        if self.mutes_out(topic, texts):
            return True
        text = "\n".join(texts)
        return bool(self.only) and not any(mentions(phrase, text) for phrase in self.only)

    def mutes_out(self, topic: str | None, texts: Iterable[str]) -> bool:
        """Whether its topic is switched off or it names a muted word ("only" aside: a push
        about a followed actor is wanted whatever the briefing is limited to)."""
        if topic in self.topics_off:
            return True
        text = "\n".join(texts)
        return any(mentions(phrase, text) for phrase in self.mutes)

    def hides_topic(self, topic: str | None) -> bool:
        return topic in self.topics_off


NO_FILTER = ReaderFilter()
