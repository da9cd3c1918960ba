"""The shipped source preset "de": its format, and the real feeds of its outlets read by our
feed reader (the shared copies, no network)."""

from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from bot.collect.feeds import parse_feed
from bot.collect.presets import COUNTRIES, PresetError, load_preset, preset_names
from bot.collect.sources import SourceError, add_preset, feed_url, sync_config
from bot.collect.topics import TOPICS
from bot.collect.types import RawArticle
from bot.store.sources import active_feeds
from tests.conftest import SHARED
from tests.test_cli import run

REAL = SHARED / "feeds" / "real"
# Shared real feeds (feeds/real, MIT test files) and the outlet whose feed each one is.
REAL_FEEDS = {
    "feeddeck_TagesschauWebsiteRSS.xml": "tagesschau.de",
    "feeddeck_TagesschauAtom.xml": "tagesschau.de",
    "feeddeck_TagesschauRDF.xml": "tagesschau.de",
    "feeddeck_NTV.xml": "n-tv.de",
    "mbeier_spiegel_tops_2020-02-05.rss.xml": "spiegel.de",
    "rssparser_heise_developer.atom": "heise.de",
}


def _host(url: str) -> str:
    return ".".join((urlsplit(url).hostname or "").split(".")[-2:])


def test_preset_de_is_well_formed():
    preset = load_preset("de")
    assert "de" in preset_names()
    assert str(preset.written) == "2026-12-03"
    assert {feed.country for feed in preset.feeds} == set(COUNTRIES)
    sections = {feed.section for feed in preset.feeds}
    assert "eil" in sections and "alle" in sections
    assert set(TOPICS) - {"panorama"} <= sections  # a few per section
    for feed in preset.feeds:
        assert feed_url(feed.url) == feed.url
    # Public broadcasters of all three countries.
    hosts = {_host(feed.url) for feed in preset.feeds}
    assert {"tagesschau.de", "zdf.de", "orf.at", "srf.ch"} <= hosts


@pytest.mark.parametrize(("name", "outlet"), sorted(REAL_FEEDS.items()))
def test_real_feeds_of_the_preset_outlets_parse(name, outlet):
    preset_feeds = [f for f in load_preset("de").feeds if _host(f.url) == outlet]
    assert preset_feeds, f"{outlet} is in the preset"
    parsed = parse_feed((REAL / name).read_bytes(), preset_feeds[0].url)
    articles = [e.article for e in parsed.entries if isinstance(e.article, RawArticle)]
    assert articles and all(a.title and a.url.startswith("http") for a in articles)
    assert parsed.problem is None


def test_unknown_preset_is_a_clear_error(store):
    with pytest.raises(PresetError, match="no preset 'xx'; presets: de"):
        load_preset("xx")
    with pytest.raises(SourceError, match="no preset"):
        add_preset(store, "xx")


def test_add_preset_and_config_presets(store, config):
    added = add_preset(store, "de")
    assert len(added) == len(load_preset("de").feeds) and all(new for _url, new in added)
    assert not any(new for _url, new in add_preset(store, "de"))
    with store.session() as session:
        titles = {s.title for s in active_feeds(session)}
    assert "tagesschau.de" in titles and "SRF News" in titles


def test_config_presets_are_synced(store, config):
    config = replace(config, sources=replace(config.sources, presets=("de",)))
    sync_config(store, config)
    with store.session() as session:
        feeds = active_feeds(session)
    assert len(feeds) == len(load_preset("de").feeds)
    assert {f.origin for f in feeds} == {"config"}


def test_cli_presets_and_add_preset(tmp_path):
    listed = run("sources", "presets", tmp_path=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "de: Deutschsprachige Nachrichten" in listed.stdout
    assert "Stand 2026-12-03" in listed.stdout
    added = run("sources", "add", "--preset", "de", tmp_path=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "neu: https://www.tagesschau.de/xml/rss2/" in added.stdout
    wrong = run("sources", "add", "--preset", "xx", tmp_path=tmp_path)
    assert wrong.returncode == 1 and "no preset 'xx'" in wrong.stderr
