"""Figures with their context: "176 Drohnen über Nacht", "1,5 Millionen Euro", "38 Prozent".

A figure is a number written in digits with what it counts: a unit or scale ("Prozent",
"Millionen Euro") or the noun after it — German capitalises nouns, so "176 Drohnen" is found
without a tagger. Years, dates ("24. Februar"), times, ordinals and durations are not figures.
A time frame in the same sentence ("über Nacht", "pro Tag") joins the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NUMBER = r"(?<![\w.,/:-])(?P<number>\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\w/:-]|[.,]\d)"
_SCALE = r"(?:\s+(?P<scale>Millionen|Million|Milliarden|Milliarde|Billionen|Tausend|Mio\.|Mrd\.))?"
_UNIT = (
    r"\s*(?P<unit>%|Prozent|Prozentpunkte|Euro|Dollar|US-Dollar|Franken|Pfund|Rubel|Grad|"
    r"Kilometer|km|Tonnen|Meter|Hektar|Stimmen)\b"
)
# An optional inflected adjective, then a capitalised noun: "176 Drohnen", "38 neue Wohnungen".
_NOUN = r"\s+(?P<noun>(?:[a-zäöüß]+(?:e|en|er|es|em)\s+)?[A-ZÄÖÜ][\wäöüß-]*[a-zäöüß])"
_FIGURE = re.compile(_NUMBER + _SCALE + f"(?:{_UNIT}|{_NOUN})")
# Counted things that are dates, times or durations rather than key figures.
_NOT_COUNTED = frozenset(
    """Januar Februar März April Mai Juni Juli August September Oktober November Dezember Uhr
    Jahr Jahre Jahren Jahrhundert Tag Tage Tagen Woche Wochen Monat Monate Monaten Stunde
    Stunden Minute Minuten Sekunden Mal Male Punkt Punkte Grad Seite Seiten Platz Runde""".split()
)
_FRAME = re.compile(
    r"\b(über Nacht|pro Tag|pro Woche|pro Monat|pro Jahr|am Tag|im Jahr|im Monat|täglich|"
    r"seit Jahresbeginn|innerhalb (?:einer|eines|von) \w+|binnen \w+ \w+)\b"
)
_YEAR = re.compile(r"^(1[89]|20)\d\d$")


@dataclass(frozen=True)
class Figure:
    label: str  # "176 Drohnen über Nacht"
    number: str  # "176", "1,5 Millionen" — what "a new number" compares
    sentence: str  # the whole sentence it stands in
    article_id: int
    position: int


def figures_in(text: str) -> list[tuple[str, str]]:
    """(label, number) for each figure in a sentence."""
    found = []
    frame = _FRAME.search(text)
    matches = list(_FIGURE.finditer(text))
    # The time frame belongs to the figure nearest to it: "über Nacht … 176 Drohnen".
    framed = (
        min(matches, key=lambda m: abs(m.start() - frame.start())) if frame and matches else None
    )
    for match in matches:
        number, scale = match.group("number"), match.group("scale")
        unit, noun = match.group("unit"), match.group("noun")
        if noun and noun.split()[-1] in _NOT_COUNTED:
            continue
        if _YEAR.match(number) and not (scale or unit):
            continue  # "2022 haben die USA …", "seit 2015 Flüchtlinge …"
        if number in ("0", "1") and not (scale or unit):
            continue
        label = match.group(0).strip()
        if scale:
            number = f"{number} {scale}"
        if match is framed and frame.group(1) not in label:
            label = f"{label} {frame.group(1)}"
        found.append((label, number))
    return found


def story_figures(sentences: Iterable[tuple[int, int, str]]) -> list[Figure]:
    """Figures of a story's sentences ((article_id, position, text), best first): a figure that
    several sentences repeat ranks first, then figures nearer the top of their article."""
    seen: dict[str, list[Figure]] = {}
    for article_id, position, text in sentences:
        for label, number in figures_in(text):
            seen.setdefault(number, []).append(Figure(label, number, text, article_id, position))
    ranked = sorted(
        seen.values(), key=lambda group: (-len({f.article_id for f in group}), group[0].position)
    )
    return [min(group, key=lambda f: (f.position, len(f.sentence))) for group in ranked]
