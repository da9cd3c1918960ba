"""Which kind of word a capitalised German word is: common noun, place, first name, surname.

German capitalises every noun, so capital letters say little; a dictionary says more. The list
is `data/lexicon.tsv.gz` (German Wiktionary via `german-nouns`, CC BY-SA 4.0, and the names of
Faker's locales, MIT; built by training/lexicon.py). The NER model reads each word's kinds as a
feature (bot/analyse/embed.py); story clustering reads compounds' heads (bot/stories/terms.py).
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.tsv.gz"
KINDS = ("noun", "place", "first", "surname", "name")
GENDERS = ("female", "male")  # of first names; not part of the model's feature
BITS = {kind: 1 << i for i, kind in enumerate(KINDS + GENDERS)}
NER_BITS = (1 << len(KINDS)) - 1
COMPOUND = NER_BITS + 1  # not listed, but ends in a common noun ("Quarz|sand", "Online-Handel")
KIND_IDS = COMPOUND << 1  # kind ids are bit sets of KINDS, or COMPOUND; 0 = unknown
MIN_PART = 3  # shortest compound part ("Amt|haus", "Bio|gas")
# Linking elements between a compound's parts ("Flüchtling|s|lager", "Migrant|en|quote"); a
# first part may also drop its final e ("Grenz|fluss").
LINKS = ("", "s", "es", "n", "en", "e", "er")
HEAD_PART = 4  # shortest part of a compound that `compound_head` splits
# Listed nouns that end words as suffixes, not as heads ("Wirt|schaft", "Miss|ionen").
NOT_HEADS = frozenset({"Schaft", "Schaften", "Ionen"})


@functools.cache
def _kind_ids() -> dict[str, int]:
    ids = {}
    with gzip.open(LEXICON_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                word, kinds = line.rstrip("\n").split("\t")
                ids[word] = sum(BITS[kind] for kind in kinds.split(","))
    return ids


@functools.lru_cache(maxsize=200_000)
def kind_id(word: str) -> int:
    """The word's kinds as a bit set of KINDS' BITS, or COMPOUND, or 0 when the lexicon does not
    know it."""
    ids = _kind_ids()
    if word in ids:
        return ids[word] & NER_BITS
    noun = BITS["noun"]
    head = word.rpartition("-")[2]
    if head != word and ids.get(head) == noun:
        return COMPOUND
    if word[:1].isupper() and len(word) >= 2 * MIN_PART + 1:
        for start in range(MIN_PART, len(word) - MIN_PART):
            if word[start].islower() and ids.get(word[start].upper() + word[start + 1 :]) == noun:
                return COMPOUND
    return 0


@functools.lru_cache(maxsize=200_000)
def compound_head(word: str) -> str | None:
    """The head of a compound of two listed nouns, as a capitalised word ("Mordfall" → "Fall",
    "Flüchtlingslager" → "Lager"), else None: the longest such head whose first part is a listed
    noun too, with or without a linking element. Both parts have at least HEAD_PART letters, since
    short listed words split lexicalised ones wrongly ("Akt|ion", "Bot|schaft"); names and places
    are not compounds ("Deutschland", "Russlands"). Stricter than `kind_id`'s COMPOUND, which
    stays as the NER model was trained with it."""
    ids, noun = _kind_ids(), BITS["noun"]
    if not word[:1].isupper() or len(word) < 2 * HEAD_PART:
        return None
    if (ids.get(word, 0) | ids.get(word.removesuffix("s"), 0)) & ~noun & NER_BITS:
        return None
    for start in range(HEAD_PART, len(word) - HEAD_PART + 1):
        head = word[start].upper() + word[start + 1 :]
        if not word[start].islower() or not ids.get(head, 0) & noun or head in NOT_HEADS:
            continue
        first = word[:start]
        stems = [first[: len(first) - len(link)] for link in LINKS if first.endswith(link)]
        stems.append(first + "e")  # "Grenz|fluss"
        if any(len(stem) >= HEAD_PART and ids.get(stem, 0) & noun for stem in stems):
            return head
    return None


def first_name_gender(word: str) -> str | None:
    """ "f" or "m" for a first name used for one gender only ("Tammy", "Marco"), else None."""
    bits = _kind_ids().get(word, 0)
    female, male = bool(bits & BITS["female"]), bool(bits & BITS["male"])
    return "f" if female and not male else "m" if male and not female else None
