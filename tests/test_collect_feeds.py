"""Reading feeds: real German feeds, messy real-world ones, and the odd cases they contain."""

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.collect.dedup import canonical_url
from bot.collect.feeds import NotAFeed, discover_feeds, is_teaser, parse_feed
from bot.collect.text import decode_html, html_to_text
from bot.collect.types import RawArticle, Skipped
from bot.language import detect_language, skip_reason
from tests.conftest import SHARED
from tests.fixtures.web import rss

pytestmark = pytest.mark.store_free

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
MESSY = SHARED / "feeds" / "messy"


def read(name: str, url: str = "https://www.tagesschau.de/index~rss2.xml"):
    return parse_feed((FEEDS / name).read_bytes(), url)


def articles(feed) -> list[RawArticle]:
    return [e.article for e in feed.entries if isinstance(e.article, RawArticle)]


def test_rss2_with_cdata_html_and_content_encoded():
    feed = read("feeddeck_TagesschauWebsiteRSS.xml")
    assert feed.title.startswith("tagesschau.de")
    assert feed.language == "de"
    first = articles(feed)[0]
    assert first.title == "Haushaltskrise: Um wie viele Milliarden es wirklich geht"
    assert first.url == "https://www.tagesschau.de/wirtschaft/haushalt-volumen-100.html"
    assert first.published_at == dt.datetime(2023, 12, 12, 14, 20, 21)  # +0100 → UTC
    assert first.outlet == "tagesschau.de"
    # content:encoded holds HTML in CDATA: tags and entities never reach the text
    for article in articles(feed):
        assert "<" not in article.text and "&amp;" not in article.text
    assert all(entry.teaser for entry in feed.entries)  # a few sentences: fetch the page


@pytest.mark.parametrize(
    "name", ["feeddeck_TagesschauAtom.xml", "feeddeck_TagesschauRDF.xml", "feeddeck_NTV.xml"]
)
def test_atom_rdf_and_other_german_feeds(name):
    feed = read(name)
    found = articles(feed)
    assert found and all(a.url.startswith("https://") and a.title for a in found)
    assert all(a.published_at is not None for a in found)
    assert all(detect_language(a.text, feed.language) == "de" for a in found)


RSS_091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Heimatblatt</title><link>https://heimat.example/</link>
<description>Nachrichten</description><language>de</language>
<item><title>Stra\xdfenfest am Sonntag</title><link>https://heimat.example/fest.html</link>
<description>Der Verein l\xe4dt am Sonntag zum Stra\xdfenfest auf den Marktplatz ein, mit Musik,
Essen und einem Programm f\xfcr Kinder.</description></item></channel></rss>"""


def test_rss_091_in_latin_1():
    feed = parse_feed(RSS_091, "https://heimat.example/rss.xml")
    [article] = articles(feed)
    assert article.title == "Straßenfest am Sonntag" and "lädt" in article.text
    assert article.published_at is None  # RSS 0.91 items carry no date


def test_atom_03_and_10():
    assert parse_feed((FEEDS / "feeddeck_TagesschauAtom.xml").read_bytes(), "https://t.example/")
    heise = articles(read("rssparser_heise_developer.atom", "https://www.heise.de/developer/"))
    assert len(heise) == 15 and all(a.published_at for a in heise)
    assert all("wt_mc" not in canonical_url(a.url) for a in heise)


def test_google_news_items_name_their_publisher():
    found = articles(read("feeddeck_googlenews_Url.xml"))
    assert found
    assert all(a.outlet and "Google" not in a.outlet for a in found)


def test_iso_8859_1_feed_is_decoded():
    found = articles(read("rssparser_encoding.rss", "https://www.jn.pt/rss"))
    assert any("Notícias" in a.text or "ç" in a.text or "ã" in a.text for a in found)
    assert not any("\ufffd" in a.text or "Ã" in a.text for a in found)


def test_missing_and_incomplete_fields_never_crash():
    for name in ("rssparser_missing-fields.atom", "rssparser_incomplete-fields.atom"):
        feed = read(name, "https://example.org/feed")
        [entry] = feed.entries
        assert isinstance(entry.article, Skipped)
        assert entry.article.reason == "feed item without text"


def test_missing_and_odd_dates_fall_back_to_none():
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).strftime("%a, %d %b %Y %H:%M:%S")
    body = "Die Regierung hat am Dienstag einen Haushalt vorgelegt. " * 3
    feed = parse_feed(
        rss(
            [
                {"title": "Kein Datum", "link": "https://a.example/1", "description": body},
                {
                    "title": "Unsinn",
                    "link": "https://a.example/2",
                    "description": body,
                    "date": "gestern Abend",
                },
                {
                    "title": "Zukunft",
                    "link": "https://a.example/3",
                    "description": body,
                    "date": future + " GMT",
                },
                {
                    "title": "1970",
                    "link": "https://a.example/4",
                    "description": body,
                    "date": "Thu, 01 Jan 1970 00:00:00 GMT",
                },
                {
                    "title": "Gut",
                    "link": "https://a.example/5",
                    "description": body,
                    "date": "2025-02-18T08:30:00+01:00",
                },
            ]
        ),
        "https://a.example/feed",
    )
    dates = {a.title: a.published_at for a in articles(feed)}
    assert dates["Kein Datum"] is None and dates["Unsinn"] is None
    assert dates["Zukunft"] is None and dates["1970"] is None
    assert dates["Gut"] == dt.datetime(2025, 2, 18, 7, 30)


def test_relative_links_resolve_against_the_feed_url():
    body = "Der Stadtrat hat am Montag den neuen Haushalt beschlossen. " * 3
    feed = parse_feed(
        rss(
            [
                {"title": "Relativ", "link": "/lokal/haushalt-1.html", "description": body},
                {"title": "Ohne Slash", "link": "haushalt-2.html", "description": body},
            ]
        ),
        "https://zeitung.example/rss/index.xml",
    )
    urls = [a.url for a in articles(feed)]
    assert urls == [
        "https://zeitung.example/lokal/haushalt-1.html",
        "https://zeitung.example/rss/haushalt-2.html",
    ]


def test_full_content_is_not_a_teaser():
    long_html = "".join(f"<p>Absatz {i}: Die Regierung hat viel vor.</p>" for i in range(60))
    feed = parse_feed(
        rss(
            [
                {
                    "title": "Voll",
                    "link": "https://a.example/v",
                    "description": "Kurz.",
                    "content": long_html,
                },
                {
                    "title": "Kurz",
                    "link": "https://a.example/k",
                    "description": "Die Regierung hat am Dienstag einen Haushalt vorgelegt …",
                },
            ]
        ),
        "https://a.example/feed",
    )
    full, short = feed.entries
    assert not full.teaser and "Absatz 59" in full.article.text
    assert short.teaser
    assert is_teaser("x" * 2000 + " [mehr lesen]") and not is_teaser("x" * 2000)


def test_html_instead_of_a_feed_and_autodiscovery():
    html = (FEEDS / "feeddeck_TagesschauWebsiteHTML.html").read_bytes()
    with pytest.raises(NotAFeed, match="HTML"):
        parse_feed(html, "https://www.tagesschau.de/")
    links = discover_feeds(decode_html(html), "https://www.tagesschau.de/")
    assert links == [
        "https://www.tagesschau.de/index~atom.xml",
        "https://www.tagesschau.de/index~rss2.xml",
        "https://www.tagesschau.de/index~rdf.xml",
    ]
    page = (
        '<html><head><base href="https://b.example/x/"><link rel="alternate" '
        'type="application/rss+xml" title="Kommentare" href="comments.xml"><link rel="alternate"'
        ' type="application/atom+xml" href="feed.atom"></head><body></body></html>'
    )
    assert discover_feeds(page, "https://b.example/") == [
        "https://b.example/x/feed.atom",
        "https://b.example/x/comments.xml",
    ]
    assert discover_feeds("", "https://b.example/") == []


def test_garbage_is_not_a_feed():
    for garbage in (b"", b"\x00\x01\x02binary", b'{"json": true}', b"<html><body>Hi</body>"):
        with pytest.raises(NotAFeed):
            parse_feed(garbage, "https://a.example/feed")


def test_bytes_that_name_a_file_are_never_opened():
    with pytest.raises(NotAFeed):
        parse_feed(b"/etc/passwd", "https://a.example/feed")


def test_copied_messy_feeds():
    manifest = [json.loads(line) for line in (FEEDS / "messy" / "manifest.jsonl").open()]
    for row in manifest:
        data = (FEEDS / "messy" / Path(row["file"]).name).read_bytes()
        if row["format"] == "other":
            with pytest.raises(NotAFeed):
                parse_feed(data, "https://a.example/feed")
            continue
        feed = parse_feed(data, "https://a.example/feed")
        assert len(feed.entries) == row["items"], row["file"]


@pytest.mark.skipif(not MESSY.exists(), reason="needs ../shared/data")
def test_messy_real_world_feeds_parsed_share():
    """219 feeds from 2011–12: every one with items yields entries; the rest are refused
    with a one-line reason. Prints the shares for the report."""
    rows = [json.loads(line) for line in (MESSY / "manifest.jsonl").open()]
    with_items = read_ok = refused = entries = dated = 0
    for row in rows:
        try:
            feed = parse_feed((MESSY / row["file"]).read_bytes(), "https://a.example/feed")
        except NotAFeed as error:
            assert "\n" not in str(error)
            refused += 1
            assert row["items"] == 0, row["file"]
            continue
        if row["items"]:
            with_items += 1
            read_ok += bool(feed.entries)
            found = articles(feed)
            entries += len(found)
            dated += sum(a.published_at is not None for a in found)
    print(
        f"\nmessy feeds: {read_ok}/{with_items} with items parsed, {refused} refused "
        f"(of {len(rows)}); {dated}/{entries} articles dated"
    )
    assert read_ok == with_items
    assert refused <= 15


def test_html_to_text():
    assert html_to_text("<p>Eins &amp; zwei</p><script>evil()</script><p>drei</p>") == (
        "Eins & zwei\n\ndrei"
    )
    assert html_to_text("Kein HTML &quot;hier&quot;") == 'Kein HTML "hier"'
    assert html_to_text("<p>Offen <b>fett<div>kaputt") == "Offen fett\nkaputt"


def test_canonical_urls_drop_trackers_but_keep_identity():
    assert canonical_url("https://WWW.Example.org:443/a?utm_source=rss&id=5#top") == (
        "https://www.example.org/a?id=5"
    )
    assert (
        canonical_url("https://ex.org/a.html?wt_mc=rss.feed&xtor=RSS-1") == "https://ex.org/a.html"
    )
    # unknown parameters may name the article: kept
    assert canonical_url("https://ex.org/article.php?nr=1") != canonical_url(
        "https://ex.org/article.php?nr=2"
    )
    assert canonical_url("urn:morgenlage:feed-item:abc") == "urn:morgenlage:feed-item:abc"


def test_language_detection():
    assert detect_language("Die Regierung hat am Dienstag einen neuen Haushalt vorgelegt.") == "de"
    assert detect_language("The government presented a new budget on Tuesday.") == "en"
    assert detect_language("Le gouvernement a présenté un nouveau budget mardi.") == "fr"
    assert detect_language("Kurz", "de-DE") == "de"  # too short: the feed's tag decides
    assert detect_language("", None) is None
    assert skip_reason("fr") and skip_reason("de") is None and skip_reason(None) is None
