"""One key per name, whatever the spelling: "Selenskyj", "Zelenskyy" and "Zelensky" are the key
"selenski"; "Lawrow" and "Lavrov" are "lavrov"; "Ren Nikaidō" and "Ren Nikaido" are one key.

German and English transliterate Cyrillic and Arabic names differently (w/v, j/y, sch/sh,
tsch/ch, ch/kh, s/z, -ij/-yy/-y). The key folds each pair to one letter, and also case,
accents, doubled letters and hyphens. It is a lookup key, never shown: two keys that are equal
say "the same spelling family", the store decides whether that is one person.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Applied in order to the case-folded, accent-free word: longer German clusters first.
_REWRITES = (
    (re.compile(r"tsch"), "ch"),  # Tschechow ~ Chekhov
    (re.compile(r"sch"), "sh"),  # Schoigu ~ Shoigu
    (re.compile(r"kh"), "ch"),  # Khamenei ~ Chamenei
    (re.compile(r"zh"), "sh"),  # Zhukov ~ Schukow
    (re.compile(r"ck"), "k"),
    (re.compile(r"c(?!h)"), "k"),  # Nicolás ~ Nikolas
    (re.compile(r"ph"), "f"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),  # Lawrow ~ Lavrov, Wolodymyr ~ Volodymyr
    (re.compile(r"j"), "y"),  # Juri ~ Yuri, Selenskyj ~ Zelenskyy
    (re.compile(r"y"), "i"),
    (re.compile(r"t[sz]"), "s"),  # Jelzin ~ Yeltsin
    (re.compile(r"z"), "s"),  # Selenskyj ~ Zelensky
    (re.compile(r"(.)\1+"), r"\1"),  # Mohammed ~ Mohamed, Zelenskyy ~ Zelensky
    (re.compile(r"(?<=.{3})ev$"), "ov"),  # Gorbatschow ~ Gorbachev, Medwedew ~ Medvedev
)
# Whole words that are one name in several traditions (after the rewrites above).
_SAME_WORD = {
    "muhamad": "muhamad",
    "mohamad": "muhamad",
    "mohamed": "muhamad",
    "muhamed": "muhamad",
    "mohamet": "muhamad",
    "ibn": "bin",
}
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")
_APOSTROPHES = re.compile(r"[’'`´]")


@functools.lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """The key of one word of a name."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    folded = _APOSTROPHES.sub("", folded)
    for pattern, replacement in _REWRITES:
        folded = pattern.sub(replacement, folded)
    return _SAME_WORD.get(folded, folded)


def name_words(name: str) -> list[str]:
    """A name's words as the key sees them: hyphens and dots separate ("al-Assad")."""
    return [w for w in _SEPARATORS.split(name) if w]


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The spelling-insensitive key of a whole name ("Wolodymyr Selenskyj" → "volodimir
    selenski")."""
    return " ".join(word_key(w) for w in name_words(name))


def last_word_key(name: str) -> str:
    """The key of a name's last word: a person's surname ("Nicolás Maduro" → "maduro"); a
    double surname is one word ("Annegret Kramp-Karrenbauer" → "kramp karenbauer")."""
    words = name.split()
    return name_key(words[-1]) if words else ""


def word_count(name: str) -> int:
    """Words of a name as a person's name has them: "Kramp-Karrenbauer" is one, a surname."""
    return len(name.split())


def genitive_stems(name: str) -> list[str]:
    """What a name would be if its ending were a genitive: "Maduros" → ["Maduro"], "Merz'" →
    ["Merz"]. Only the caller knows whether the stem is a name (the text or the store)."""
    stems = []
    for suffix in ("’", "'", "s"):
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and len(stem.rsplit(" ", 1)[-1]) >= 3:
            stems.append(stem)
    return stems
