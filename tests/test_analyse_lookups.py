"""The look-ups the actors component takes once and keeps (per word, per name, per text) answer
what the plain functions answer, edge cases included."""

from __future__ import annotations

import pytest

from bot.analyse import actors
from bot.analyse.gazetteer import _ADJECTIVES, country_adjectives, country_of_adjective

pytestmark = pytest.mark.store_free

ENDINGS = ("", "e", "en", "er", "es", "em", "ee", "eren", "s", "n")


def adjective_probes() -> list[str]:
    words = ["", "a", "isch", "Russland", "Russische", "RUSSISCHEN", "US-Amerikanische",
             "Saudi-Arabischen", "Chinese", "chineseen", "chines", "russischee", "deutschs",
             "Deutschen", "sch", "e", "en", "İstanbul", "ärgerlich", "Ägyptischen"]  # fmt: skip
    for stem in _ADJECTIVES:
        for ending in ENDINGS:
            words += [stem + ending, (stem + ending).title(), (stem + ending).upper()]
        words += [stem[:-1], stem[1:]]
    return words


def test_country_adjectives_hold_every_word_country_of_adjective_knows():
    table = country_adjectives()
    for word in adjective_probes():
        assert table.get(word.lower()) == country_of_adjective(word), word
    assert table["us-amerikanischen"] == "USA"
    assert "russisch" in table and "russischee" not in table


def test_genitive_stems_keep_no_text_between_calls():
    # A stem that only this text knows ("Zorbek" for "Zorbeks") is no answer for the next text.
    assert actors._ungenitive("Zorbeks", {"Zorbek"}) == "Zorbek"
    assert actors._ungenitive("Zorbeks") == "Zorbeks"
    assert actors._ungenitive("Zorbeks", frozenset({"Zorbe"})) == "Zorbeks"
    assert actors._ungenitive("Merkels") == "Merkel"  # the corpora know Merkel better
    assert actors._ungenitive("Russlands") == "Russland"
    assert actors._ungenitive("Abs") == "Abs"  # stem too short
    assert actors._ungenitive("Merz'", {"Merz"}) == "Merz"


def test_cached_name_answers_equal_the_uncached_ones():
    names = ["Saudi -Arabien", " „Merkel“ ", "Trump's", "Kyivs Militär", "Salmans Bemühungen",
             "KI", "US-Überfall", "Regierung", "Olaf Scholz", "x", "", "Silvester", "123",
             "Ein Zwei Drei Vier Fünf Sechs Sieben", "Putins"]  # fmt: skip
    for name in names:
        assert actors.clean_name(name) == actors.clean_name.__wrapped__(name)
        acceptable = actors._acceptable.__wrapped__(name)
        assert (
            actors._acceptable(name)
            == acceptable
            == (
                actors._valid(name)
                and (" " in name or actors._plausible_single(name))
                and not actors._possessed(name)
            )
        )
    assert actors._acceptable("Olaf Scholz") and not actors._acceptable("Salmans Bemühungen")


def test_tally_and_most_count_as_a_counter_does():
    counts = actors._tally([("a", "PER"), ("a", "ORG"), ("b", "LOC"), ("a", "ORG"), ("a", "PER")])
    assert counts == {"a": {"PER": 2, "ORG": 2}, "b": {"LOC": 1}}
    assert list(counts["a"]) == ["PER", "ORG"]
    assert actors._most(counts["a"]) == "PER"  # a tie: the first counted
    assert actors._most({"ORG": 1, "LOC": 2.5}) == "LOC"


def test_positions_find_each_wanted_word():
    texts = ["Rubio", "sagte", ",", "Rubio", "Rubios", ""]
    assert actors._positions(texts, {"Rubio": "Marco Rubio", "": "x"}) == [0, 3, 5]
    assert actors._positions(texts, {}) == []
    assert actors._positions([], {"Rubio"}) == []
