"""Sources: from the config and at run time, OPML in and out, health in the CLI and the bot."""

import dataclasses
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.collect.collector import collect_feeds
from bot.collect.opml import OpmlError, Outline, read_opml, write_opml
from bot.collect.sources import (
    SourceError,
    add_feeds,
    export_opml,
    feed_url,
    import_opml,
    remove_feed,
    source_health,
    sync_config,
)
from bot.config import SourcesConfig
from bot.store import open_store
from bot.store.schema import ArticleSource, Source
from tests.conftest import REPO, first_release_store, store_url
from tests.fixtures.loopback import Loopback, Static
from tests.fixtures.web import german_text, rss, web_config

OPML = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>Export</title></head><body>
<outline text="Nachrichten">
  <outline text="tagesschau" title="tagesschau.de" type="rss"
           xmlUrl="https://www.tagesschau.de/index~rss2.xml"/>
  <outline text="Spiegel" xmlurl="https://www.spiegel.de/schlagzeilen/index.rss"/>
</outline>
<outline text="kaputt" xmlUrl="javascript:alert(1)"/>
<outline text="Ordner ohne Feed"/>
</body></opml>"""


def locations(store) -> list[str]:
    return [h.location for h in source_health(store) if h.kind == "feed"]


def test_config_feeds_are_synced_and_readers_feeds_kept(tmp_path):
    config = web_config(tmp_path, ("https://a.example/feed", "b.example"))
    store = open_store(config.store.url)
    sync_config(store, config)
    assert locations(store) == ["https://a.example/feed", "https://b.example"]
    add_feeds(store, ["https://c.example/rss"])
    smaller = dataclasses.replace(config, sources=SourcesConfig(feeds=("https://a.example/feed",)))
    sync_config(store, smaller)
    assert locations(store) == ["https://a.example/feed", "https://c.example/rss"]
    with pytest.raises(SourceError, match="config file"):
        remove_feed(store, smaller, "https://a.example/feed")
    remove_feed(store, smaller, "c.example/rss")
    assert locations(store) == ["https://a.example/feed"]
    with pytest.raises(SourceError, match="no such source"):
        remove_feed(store, smaller, "https://c.example/rss")
    assert add_feeds(store, ["https://c.example/rss"]) == [("https://c.example/rss", True)]
    store.close()


def test_feed_urls_are_checked():
    assert feed_url(" tagesschau.de ") == "https://tagesschau.de"
    assert feed_url("example.org:8080/feed") == "https://example.org:8080/feed"
    for bad in ("javascript:alert(1)", "ftp://x.example/feed", "mailto:a@b.de", "http://", "a b"):
        with pytest.raises(SourceError):
            feed_url(bad)


def test_opml_import_export_round_trip(tmp_path):
    outlines = read_opml(OPML)
    assert [o.url for o in outlines] == [
        "https://www.tagesschau.de/index~rss2.xml",
        "https://www.spiegel.de/schlagzeilen/index.rss",
        "javascript:alert(1)",
    ]
    assert outlines[0].title == "tagesschau.de"
    written = write_opml([Outline("https://a.example/feed?x=1&y=2", "A & B")])
    assert read_opml(written.encode()) == [Outline("https://a.example/feed?x=1&y=2", "A & B")]

    config = web_config(tmp_path)
    store = open_store(config.store.url)
    path = tmp_path / "feeds.opml"
    path.write_bytes(OPML)
    done = import_opml(store, path)
    assert len(done.added) == 2 and done.invalid == ["javascript:alert(1)"]
    assert import_opml(store, path).known == done.added  # a second import adds nothing
    exported = read_opml(export_opml(store).encode())
    assert [o.url for o in exported] == done.added
    store.close()


def test_opml_errors_and_entities(tmp_path):
    for bad in (b"", b"not xml", b"<rss><channel/></rss>"):
        with pytest.raises(OpmlError):
            read_opml(bad)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<opml><body><outline text="&x;" xmlUrl="https://a.example/feed"/></body></opml>'
    ).encode()
    assert all("SECRET" not in (o.title or "") for o in read_opml(xxe))


def test_health_and_the_sources_command(tmp_path):
    with Loopback() as server:
        server.routes["/ok.xml"] = Static(
            rss([{"title": "Eins", "link": "https://x.example/1", "content": german_text(5, 30)}])
        )
        server.routes["/broken.xml"] = Static(b"nope", "text/plain", status=503)
        feeds = (server.url("/ok.xml"), server.url("/broken.xml"), "https://never.example/feed")
        config = web_config(tmp_path, feeds, retries=0)
        store = open_store(config.store.url)
        sync_config(store, config)
        with store.session() as session:  # a feed that was never fetched yet
            session.scalar(select(Source).where(Source.location == feeds[2])).active = True
        collect_feeds(store, dataclasses.replace(config, sources=SourcesConfig(feeds=feeds[:2])))
        config = dataclasses.replace(config, sources=SourcesConfig(feeds=feeds))
        sync_config(store, config)
    services = Services(store, config)
    [reply] = dispatch(services, Chat(chat_id=1, language="de"), "/sources")
    text = reply.render("text", "de")
    assert "✓ Testblatt - Nachrichten" in text and "1 Artikel" in text
    assert "✗" in text and "HTTP 503" in text and "Fehler" in text
    assert "noch nicht abgerufen" in text
    html = reply.render("telegram", "en")
    assert "<b>Sources</b>" in html and "HTTP 503" in html and "not fetched yet" in html
    store.close()


_URLS: dict[str, str] = {}  # one store per test folder


def run_cli(tmp_path, *args):
    url = _URLS.setdefault(str(tmp_path), store_url(tmp_path, "cli"))
    environment = {**os.environ, "MORGENLAGE_STORE_URL": url}
    environment.pop("MORGENLAGE_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "sources", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=120,
    )


def test_cli_sources(tmp_path):
    (tmp_path / "feeds.opml").write_bytes(OPML)
    added = run_cli(tmp_path, "add", "https://a.example/feed", "b.example")
    assert added.returncode == 0 and "neu: https://b.example" in added.stdout
    imported = run_cli(tmp_path, "import", str(tmp_path / "feeds.opml"))
    assert "2 neu, 0 schon dabei, 1 ungültig" in imported.stdout
    removed = run_cli(tmp_path, "remove", "https://a.example/feed", "https://nope.example")
    assert removed.returncode == 1 and "entfernt: https://a.example/feed" in removed.stdout
    assert "no such source" in removed.stderr
    listed = run_cli(tmp_path)
    assert listed.returncode == 0 and "Quellen (3):" in listed.stdout
    assert "noch nicht abgerufen" in listed.stdout
    exported = run_cli(tmp_path, "export")
    assert [o.url for o in read_opml(exported.stdout.encode())] == [
        "https://b.example",
        "https://www.tagesschau.de/index~rss2.xml",
        "https://www.spiegel.de/schlagzeilen/index.rss",
    ]
    bad = run_cli(tmp_path, "add", "ftp://x.example")
    assert bad.returncode == 1 and "not an http(s) URL" in bad.stderr and not bad.stdout


def test_migration_gives_old_articles_their_source(tmp_path):
    url = store_url(tmp_path, "old")
    first_release_store(url)
    store = open_store(url)
    with store.session() as session:
        [row] = session.scalars(select(ArticleSource))
        assert (row.article_id, row.source_id, row.url) == (1, 1, "file:///x/a.txt")
        assert session.get(Source, 1).active is True
    assert [h.articles for h in source_health(store)] == [1]
    store.close()
