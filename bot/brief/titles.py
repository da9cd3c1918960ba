"""Development titles a reader can read: scraped headlines lose the kicker glued on
("LiveKrieg in der Ukraine:Selenskij …", "FAZ+Ukrainekrieg: …", "Hamburger SV:Aus persönlichen
Gründen: Kuntz tritt …"), and a development takes the cleanest headline among its sources."""

from __future__ import annotations

import re

# An outlet's paywall or live marker stuck to the front: "FAZ+", "SPIEGEL+", "Live", "Z+".
_MARKER = re.compile(r"^(?:[A-ZÄÖÜ][\wÄÖÜäöü]{0,11}\s?(?:\+|Plus\b)|Live(?=[A-ZÄÖÜ])|LIVE\b)\s*")
# A section label glued to the headline without a space: "Hamburger SV:Aus …".
_GLUED_LABEL = re.compile(r"^[^:\n]{2,60}?:(?=[A-ZÄÖÜ„\"»0-9])")
_KICKER = re.compile(r"^[^:\n„\"»]{2,40}:\s")
_SPACE = re.compile(r"\s+")
MAX_WORDS = 16


def clean_title(title: str) -> str:
    """The headline without paywall/live markers and glued section labels."""
    text = _SPACE.sub(" ", title).strip()
    glued = False
    for _ in range(3):  # "FAZ+" then "Ukrainekrieg:"; "Live" then "Krieg in der Ukraine:"
        stripped = _MARKER.sub("", text)
        unglued = _GLUED_LABEL.sub("", stripped, count=1)
        glued = glued or unglued != stripped
        stripped = unglued.strip()
        if stripped == text or len(stripped.split()) < 3:
            break
        text = stripped
    # Behind a scraped section label comes the kicker: "Hamburger SV:Aus persönlichen Gründen:"
    if glued and (kicker := _KICKER.match(text)) and len(kicker.group().split()) <= 4:
        rest = text[kicker.end() :].strip()
        text = rest if len(rest.split()) >= 3 else text
    return text


def _flaws(title: str) -> int:
    """How far a headline is from a clean one: markers and labels left, a kicker before a
    colon, a cut-off end, a length beyond a glance."""
    cleaned = clean_title(title)
    return (
        2 * (cleaned != _SPACE.sub(" ", title).strip())
        + bool(_KICKER.match(cleaned))
        + cleaned.endswith(("…", "..."))
        + (len(cleaned.split()) > MAX_WORDS)
        + (len(cleaned.split()) < 3)
    )


def cleanest(titles: list[str]) -> int:
    """The index of the cleanest headline; on a tie the first (the caller's order decides)."""
    return min(range(len(titles)), key=lambda i: (_flaws(titles[i]), i))
