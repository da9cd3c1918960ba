"""Development titles without scraped kickers (headlines from the weekend of 3–4 January 2026)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.brief.titles import clean_title, cleanest
from tests.conftest import brief_article


@pytest.mark.parametrize(
    ("scraped", "clean"),
    [
        ("Hamburger SV:Aus persönlichen Gründen: Kuntz tritt zurück", "Kuntz tritt zurück"),
        (
            "LiveKrieg in der Ukraine:Selenskij fordert mehr Flugabwehr",
            "Selenskij fordert mehr Flugabwehr",
        ),
        ("FAZ+Ukrainekrieg: Wie lange hält die Front?", "Ukrainekrieg: Wie lange hält die Front?"),
        ("SPIEGEL+ Die Nacht, in der Maduro verschwand", "Die Nacht, in der Maduro verschwand"),
        # A speaker before the colon, or a topic with a space after it, is the headline itself.
        (
            "Merz: „Wir stehen an der Seite der Ukraine“",
            "Merz: „Wir stehen an der Seite der Ukraine“",
        ),
        ("Stromausfall in Berlin: Tag 2 ohne Strom", "Stromausfall in Berlin: Tag 2 ohne Strom"),
    ],
)
def test_kickers_and_markers_are_stripped(scraped, clean):
    assert clean_title(scraped) == clean


def test_the_cleanest_headline_among_the_sources_names_the_development():
    titles = [
        "FAZ+Ukrainekrieg: Selenskyj fordert mehr Flugabwehr",
        "Ukrainekrieg: Selenskyj fordert mehr Flugabwehr",
        "Selenskyj fordert von den Verbündeten mehr Flugabwehr",
    ]
    assert cleanest(titles) == 2
    assert cleanest(titles[:2]) == 1


def test_briefing_shows_the_headline_without_the_glued_label(tmp_path, analyser):
    text = (
        "Der ukrainische Präsident Wolodymyr Selenskyj hat die Verbündeten in Kiew um mehr "
        "Flugabwehr gebeten. Russland hatte in der Nacht erneut Drohnen auf Kiew geschossen."
    )
    meta = (
        'title: "LiveKrieg in der Ukraine:Selenskyj fordert mehr Flugabwehr"\n'
        "date: 2026-01-03T09:00:00Z\nsource: Spiegel"
    )
    briefing = brief_article(tmp_path, analyser, "live.md", meta, text, dt.date(2026, 1, 3))
    assert [d.title for d in briefing.developments] == ["Selenskyj fordert mehr Flugabwehr"]
