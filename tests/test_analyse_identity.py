"""Actors and quotes on the headlines and teasers of the weekend of 3–4 January 2026 (issue 15):
no junk actors, one spelling per person in a text, roles that read right, no scare quotes."""

from __future__ import annotations

import csv

import pytest

from bot.analyse.types import ArticleAnalysis
from tests.conftest import SHARED


def analyse(analyser, title: str, text: str) -> ArticleAnalysis:
    [(_key, result)] = analyser.analyse([(None, title, text)])
    return result


def names(result: ArticleAnalysis) -> set[str]:
    return {a.name for a in result.actors}


def test_a_person_glued_to_a_country_is_the_person(analyser):
    result = analyse(
        analyser,
        "Festnahme in Caracas",
        "Nach dem Angriff hat US-Präsident Donald Trump Venezuelas Machthaber Nicolás Maduro "
        "festnehmen lassen. Maduro wurde nach New York gebracht.",
    )
    assert "Donald Trump" in names(result)
    assert not any("Venezuela" in n and "Trump" in n for n in names(result))
    assert {a.name: a.role for a in result.actors}["Donald Trump"] == "US-Präsident"


@pytest.mark.parametrize(
    ("title", "text", "junk"),
    [
        (
            "Lasst uns feiern",
            "Silvester in Berlin: Die Polizei zieht Bilanz.",
            {"Lasst", "Silvester"},
        ),
        (
            "KI verändert die Arbeitswelt",
            "Viele Unternehmen setzen auf künstliche Intelligenz.",
            {"KI"},
        ),
        (
            "Nach dem US-Überfall auf Venezuela",
            "US-Überfall erschüttert Lateinamerika. Die Regierung in Caracas protestiert.",
            {"US-Überfall"},
        ),
    ],
)
def test_imperatives_common_words_and_events_are_no_actors(analyser, title, text, junk):
    result = analyse(analyser, title, text)
    assert not names(result) & junk


def test_spellings_of_one_name_in_one_text_are_one_actor(analyser):
    result = analyse(
        analyser,
        "Krieg in der Ukraine: Selenskij sagt, die Lage sei ernst",
        "Der ukrainische Präsident Wolodymyr Selenskyj sprach in Kiew. Die Skispringer Ren "
        "Nikaidō und Stephan Embacher siegten, Ren Nikaido jubelte.",
    )
    found = names(result)
    assert "Wolodymyr Selenskyj" in found and "Selenskij" not in found
    assert len({n for n in found if n.startswith("Ren Nikaid")}) == 1


def test_a_role_without_its_article_takes_the_strong_ending(analyser):
    result = analyse(
        analyser,
        "Gespräche in Kiew",
        "Der ukrainische Präsident Wolodymyr Selenskyj sprach mit dem russischen Außenminister "
        "Sergej Lawrow. Die frühere Außenministerin Annalena Baerbock schwieg.",
    )
    roles = {a.name: a.role for a in result.actors}
    assert roles["Wolodymyr Selenskyj"] == "ukrainischer Präsident"
    assert roles["Sergej Lawrow"] == "russischer Außenminister"
    assert roles["Annalena Baerbock"] == "frühere Außenministerin"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Trump kritisiert „New York Times“", "Donald Trump sagte: „New York Times“ lüge."),
        ("CSU fordert Abschiebungen „mit Linienflügen“", "Die CSU will schneller abschieben."),
    ],
)
def test_names_and_scare_quotes_in_quotation_marks_are_no_quotes(analyser, title, text):
    result = analyse(analyser, title, text)
    assert [q.text for q in result.quotes if q.speaker] == []


def test_a_real_short_quote_with_a_reporting_verb_stays(analyser):
    result = analyse(analyser, "Streit in Berlin", "Dobrindt nannte das „einen Fehler“.")
    assert [(q.speaker, q.text) for q in result.quotes] == [("Dobrindt", "einen Fehler")]


# Migration headlines (CC BY-NC-SA: read in place by row, never copied into the repository).
HEADLINES = SHARED / "news" / "migration-headlines" / "refugees_migration_processed.csv"


@pytest.mark.parametrize(
    ("row", "person"),
    [
        (2807, "Merkel"),  # "Hat Merkel schon vor Monaten …"
        (1651, "Merkel"),  # "Warum Merkel den Asylpakt …"
        (3388, "Salvini"),  # "Kann Salvini die Gunst …"
        (5166, "Trump"),  # "Hey Trump: …"
        (2950, "Macron"),  # "Monsieur Macron und …"
        (1948, "Palmer"),  # "… Grüner Palmer spaltet …"
    ],
)
def test_a_headline_word_before_a_name_is_no_first_name(analyser, row, person):
    with HEADLINES.open(encoding="utf-8") as handle:
        title = list(csv.DictReader(handle))[row]["title"]
    result = analyse(analyser, title, title)
    assert person in names(result)


def test_a_surname_alone_after_its_role_is_a_person(analyser):
    result = analyse(
        analyser,
        "Anhörung in Manhattan",
        "Venezuelas gestürzter Staatschef Maduro erschien am Montag vor einem Gericht in "
        "Manhattan. Der Präsident Frankreichs schwieg.",
    )
    kinds = {a.name: a.kind for a in result.actors}
    assert kinds.get("Maduro") == "PER"
    assert kinds.get("Frankreich") == "LOC" and "Frankreichs" not in kinds


def test_institutions_named_by_a_common_noun_are_organisations(analyser):
    result = analyse(
        analyser,
        "Libyen",
        "Der Sicherheitsrat rief die Regierung zum Ende der Gewalt auf. Nach Angaben des "
        "Verfassungsschutzes ist die Lage ernst. Die Weltgesundheitsorganisation teilte mit, "
        "die Kliniken seien überlastet.",
    )
    kinds = {a.name: a.kind for a in result.actors}
    assert kinds.get("Sicherheitsrat") == "ORG"
    assert kinds.get("Verfassungsschutz") == "ORG" and "Verfassungsschutzes" not in kinds
    assert kinds.get("Weltgesundheitsorganisation") == "ORG"
    # Common words stay none: "Rat" alone, "Vorrat".
    result = analyse(analyser, "Vorräte", "Der Rat der Nachbarn half. Der Vorrat reicht.")
    assert not {"Rat", "Vorrat"} & names(result)


def test_an_organisation_named_after_a_country_keeps_its_name(analyser):
    result = analyse(
        analyser,
        "Geiseln",
        "Die Zeitung „Yemen Observer“ berichtet, dass die Verhandlungen weitergehen.",
    )
    assert "Yemen Observer" in names(result)


def test_a_surname_two_people_in_the_text_share_stays_ambiguous(analyser):
    both = analyse(
        analyser,
        "Reise",
        "Donald Trump und seine Frau Melania Trump reisten nach Florida. Trump sagte am Abend, "
        "die Reise sei privat.",
    )
    persons = {a.name: a.mentions for a in both.actors if a.kind == "PER"}
    assert persons == {"Donald Trump": 1, "Melania Trump": 1, "Trump": 1}
    one = analyse(
        analyser, "Reise", "Donald Trump reiste nach Florida. Trump sagte am Abend, es sei privat."
    )
    assert {a.name: a.mentions for a in one.actors if a.kind == "PER"} == {"Donald Trump": 2}


def test_outlets_named_after_an_outlet_noun_are_organisations(analyser):
    result = analyse(
        analyser,
        "Brexit",
        "Der Grund dafür, so vermutet die Zeitung The Guardian, sei die Unterstützung für Hunt. "
        "Das Nachrichtenportal EurActiv will erfahren haben, dass die Gespräche scheitern. Wie "
        "die Neue Osnabrücker Zeitung berichtet, ist die Industrie zurückhaltend. Die Zeitung "
        "Am Sonntag erschien nicht.",
    )
    kinds = {a.name: a.kind for a in result.actors}
    assert kinds.get("Guardian") == "ORG" and kinds.get("EurActiv") == "ORG"
    assert any(n.endswith("Osnabrücker Zeitung") and k == "ORG" for n, k in kinds.items())
    assert not any(n.startswith("Am") for n in kinds)  # a stop word is no outlet's name
