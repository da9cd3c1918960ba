"""Topics of articles: from feed categories, URL sections, section feeds, and the text."""

from pathlib import Path

import pytest

from bot.collect.feeds import parse_feed
from bot.collect.topics import (
    TOPICS,
    article_topics,
    fold,
    story_topic,
    topic_of_text,
    url_sections,
)
from bot.collect.types import RawArticle
from tests.conftest import SHARED

REAL = SHARED / "feeds" / "real"


def test_fold_ignores_case_accents_and_sharp_s():
    assert fold("Fußball-STRASSE Éclair") == "fussball-strasse eclair"


def test_url_sections_and_subdomains():
    assert url_sections("https://www.tagesschau.de/ausland/asien/cop28-100.html") == [
        "www",
        "ausland",
        "asien",
    ]
    assert "sport" in url_sections("https://sport.orf.at/stories/3121/")
    assert url_sections("file:///tmp/a.txt") == []


@pytest.mark.parametrize(
    ("url", "categories", "feed", "expected"),
    [
        ("https://www.tagesschau.de/inland/innenpolitik/x-100.html", (), None, ["inland"]),
        ("https://www.spiegel.de/politik/ausland/x-a-1.html", (), None, ["ausland"]),
        ("https://example.org/a/b.html", ("Sport",), None, ["sport"]),
        (
            "https://example.org/a/b.html",
            (),
            "https://example.org/wirtschaft/index.rss",
            ["wirtschaft"],
        ),
        ("https://www.heise.de/news/x-123.html", (), None, ["digital"]),
        ("https://www.n-tv.de/technik/Drucker-article1.html", ("Technik",), None, ["digital"]),
    ],
)
def test_signals_name_the_topic(url, categories, feed, expected):
    assert article_topics("Eine Meldung", "Irgendein Text.", url, categories, feed) == expected


def test_politics_without_a_side_takes_it_from_the_text():
    abroad = "Der russische Präsident Putin traf in Moskau den chinesischen Staatschef in Peking."
    home = "Der Bundestag beschloss mit den Stimmen von CDU und SPD das neue Gesetz."
    url = "https://www.n-tv.de/politik/x-article1.html"
    assert article_topics("Treffen", abroad, url, ("Politik",)) == ["ausland"]
    assert article_topics("Beschluss", home, url, ("Politik",)) == ["inland"]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Bayern gewinnt Spitzenspiel",
            "Der FC Bayern hat das Spitzenspiel der Fußball-Bundesliga mit 2:1 gewonnen. Der "
            "Trainer lobte die Mannschaft, zwei Tore fielen nach der Halbzeit.",
            "sport",
        ),
        (
            "Inflation sinkt",
            "Die Inflation ist im November gesunken. Die Europäische Zentralbank könnte die "
            "Leitzinsen senken, Anleger an der Börse reagierten erleichtert, der DAX stieg.",
            "wirtschaft",
        ),
        (
            "Sicherheitslücke in Browsern",
            "Eine Sicherheitslücke in Chrome und Firefox erlaubt Hackern, Malware auf Computer "
            "zu laden. Ein Update für die Software ist verfügbar.",
            "digital",
        ),
        (
            "Unfall auf der A9",
            "Bei einem Unfall auf der Autobahn wurden zwei Autofahrer schwer verletzt. Die "
            "Polizei sperrte die Strecke, die Feuerwehr war im Einsatz.",
            "panorama",
        ),
        ("", "", "panorama"),
    ],
)
def test_text_without_signals(title, text, expected):
    assert topic_of_text(title, text) == expected


def test_story_topic_is_the_majority():
    assert story_topic([["sport"], ["sport", "panorama"], ["panorama"], ["sport"]]) == "sport"
    assert story_topic([]) is None
    assert set(TOPICS) >= {story_topic([["kultur"]])}


def test_real_feeds_give_their_sections():
    """tagesschau's and Spiegel's real feeds: every item with a section in its address or a
    <category> gets that section's topic."""
    tagesschau = parse_feed((REAL / "feeddeck_TagesschauWebsiteRSS.xml").read_bytes(), "x")
    spiegel = parse_feed(
        (REAL / "mbeier_spiegel_tops_2020-02-05.rss.xml").read_bytes(),
        "https://www.spiegel.de/schlagzeilen/tops/index.rss",
    )
    found = {}
    for entry in [*tagesschau.entries, *spiegel.entries]:
        item = entry.article
        assert isinstance(item, RawArticle)
        found[item.url] = article_topics(item.title, item.text, item.url, item.categories)
    assert found["https://www.tagesschau.de/ausland/asien/cop28-knackpunkte-100.html"] == [
        "ausland"
    ]
    politik = [u for u in found if "spiegel.de/politik/deutschland/" in u]
    assert politik and all(found[u] == ["inland"] for u in politik)
    assert all(found[u] == ["kultur"] for u in found if "spiegel.de/kultur/" in u)
    assert all(found[u] == ["sport"] for u in found if "spiegel.de/sport/" in u)
    assert {t for topics in found.values() for t in topics} <= set(TOPICS)


def test_categories_are_read_from_feed_items():
    feed = parse_feed((REAL / "mbeier_spiegel_tops_2020-02-05.rss.xml").read_bytes(), "x")
    assert ("Politik",) in {e.article.categories for e in feed.entries}


def test_topics_are_stored_when_articles_are_collected(store, tmp_path: Path):
    from bot.collect.ingest import ingest
    from bot.store.schema import ArticleTopic

    feed = parse_feed(
        (REAL / "feeddeck_TagesschauWebsiteRSS.xml").read_bytes(),
        "https://www.tagesschau.de/xml/rss2/",
    )
    ingest(store, [e.article for e in feed.entries], "feed", "https://www.tagesschau.de/xml/rss2/")
    with store.session() as session:
        rows = session.query(ArticleTopic.topic).all()
    assert {"wirtschaft", "inland", "ausland"} <= {r.topic for r in rows}
