"""The collector end to end: real feeds and pages served from 127.0.0.1, faults injected, the
store checked afterwards."""

import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.collect import collector
from bot.collect.collector import collect_feeds
from bot.collect.sources import source_health
from bot.jobs import collect
from bot.store import open_store
from bot.store.articles import article_sources
from bot.store.schema import Article
from tests.conftest import SHARED
from tests.fixtures.loopback import (
    Loopback,
    Static,
    drip,
    endless,
    fail_times,
    redirect,
    sleep_then,
)
from tests.fixtures.web import german_text, page, rss, web_config

FIXTURE_FEEDS = Path(__file__).parent / "fixtures" / "feeds"
SHARED_FEEDS = SHARED / "feeds"
XML = "application/xml"


@pytest.fixture
def server():
    with Loopback() as running:
        yield running


def states(store) -> dict[str, object]:
    return {h.location.rsplit("/", 1)[-1]: h for h in source_health(store) if h.kind == "feed"}


def serve_folder(server: Loopback, folder: Path) -> list[str]:
    """Every feed file under `folder` at its relative path; the homepage's feed links are
    pointed at the copies here, so autodiscovery stays on 127.0.0.1."""
    urls = []
    for file in sorted(folder.rglob("*")):
        if file.suffix not in (".xml", ".rss", ".atom", ".html") or "expected" in file.parts:
            continue
        path = "/" + file.relative_to(folder).as_posix()
        body = file.read_bytes()
        if file.suffix == ".html":
            server.routes["/index~rss2.xml"] = Static(
                (FIXTURE_FEEDS / "feeddeck_TagesschauWebsiteRSS.xml").read_bytes(), XML
            )
            body = body.replace(
                b"https://www.tagesschau.de/index~", server.base.encode() + b"/index~"
            )
        server.routes[path] = Static(body, "text/html" if file.suffix == ".html" else XML)
        urls.append(server.url(path))
    return urls


def run_folder(server, tmp_path, folder: Path):
    urls = serve_folder(server, folder)
    config = web_config(tmp_path, tuple(urls), fetch_full_text=False)  # items link outside
    store = open_store(config.store.url)
    first = collect_feeds(store, config)
    health = states(store)
    second = collect_feeds(store, config)
    return urls, store, first, second, health


def check_every_feed(urls, store, first, second, health):
    assert len(health) == len(urls)
    assert all(h.state in ("ok", "error") for h in health.values())  # each one recorded
    assert all(
        h.last_error and "\n" not in h.last_error for h in health.values() if h.state == "error"
    )
    # the homepage led to its feed
    home = health["feeddeck_TagesschauWebsiteHTML.html"]
    assert home.state == "ok" and home.feed_url.endswith("/index~rss2.xml")
    assert first.feeds_read + first.feeds_failed == len(urls)
    # nothing changed: every readable feed answers 304, nothing is stored again
    assert second.feeds_unchanged == first.feeds_read and second.new == 0
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == first.new


def test_fixture_feeds_from_loopback(server, tmp_path):
    urls, store, first, second, health = run_folder(server, tmp_path, FIXTURE_FEEDS)
    check_every_feed(urls, store, first, second, health)
    assert health["0008.xml"].state == "error" and "HTML" in health["0008.xml"].last_error
    assert health["0191.xml"].state == "ok"  # malformed and not UTF-8, read anyway
    assert health["feeddeck_TagesschauWebsiteRSS.xml"].articles == 3
    store.close()


@pytest.mark.skipif(not SHARED_FEEDS.exists(), reason="needs ../shared/data")
def test_every_shared_feed_from_loopback(server, tmp_path):
    """All real and messy feeds in ../shared/data/feeds in one run (about 15 s)."""
    urls, store, first, second, health = run_folder(server, tmp_path, SHARED_FEEDS)
    check_every_feed(urls, store, first, second, health)
    manifest = [json.loads(line) for line in (SHARED_FEEDS / "messy" / "manifest.jsonl").open()]
    for row in manifest:
        state = health[Path(row["file"]).name]
        assert state.state == ("error" if row["format"] == "other" else "ok"), row["file"]
    ok = sum(h.state == "ok" for h in health.values())
    print(
        f"\nshared feeds: {ok}/{len(urls)} read, {first.new} articles "
        f"({first.duplicate} duplicates), {len(first.skipped)} items or feeds skipped"
    )
    store.close()


def teaser_feed(server: Loopback) -> list[dict]:
    full = german_text(1, sentences=40)
    server.routes["/artikel/1.html"] = Static(
        page("Haushalt vorgelegt", full, author="Erika Beispiel"), "text/html; charset=utf-8"
    )
    server.routes["/artikel/2.html"] = Static(b"kaputt", "text/plain", status=500)
    server.routes["/artikel/3.pdf"] = Static(b"%PDF-1.4", "application/pdf")
    teaser = "Die Regierung hat am Dienstag einen Haushalt vorgelegt. Die Opposition ist dagegen …"
    long_content = "".join(f"<p>{line}</p>" for line in german_text(4, 40).split("\n"))
    return [
        {"title": "Haushalt vorgelegt", "link": server.url("/artikel/1.html"),
         "description": teaser, "date": "Tue, 18 Feb 2025 08:00:00 +0100"},
        {"title": "Seite kaputt", "link": server.url("/artikel/2.html"),
         "description": teaser.replace("Haushalt", "Etat")},
        {"title": "Nur PDF", "link": server.url("/artikel/3.pdf"),
         "description": teaser.replace("Haushalt", "Plan")},
        {"title": "Volltext im Feed", "link": server.url("/artikel/4.html"),
         "description": "Kurz.", "content": long_content},
    ]  # fmt: skip


def test_teasers_get_their_pages_full_text_and_keep_the_teaser_as_fallback(server, tmp_path):
    server.routes["/feed"] = Static(rss(teaser_feed(server)))
    config = web_config(tmp_path, (server.url("/feed"),), retries=0)
    store = open_store(config.store.url)
    report = collect_feeds(store, config)
    assert report.new == 4 and report.pages_fetched == 3
    assert server.hits["/artikel/4.html"] == 0  # content:encoded had the article
    with store.session() as session:
        found = {a.title: a for a in session.scalars(select(Article))}
        full = found["Haushalt vorgelegt"]
        body = german_text(1, 40).split("\n")
        assert body[0] in full.text and body[-1] in full.text
        assert "Auch interessant" not in full.text and "Newsletter" not in full.text
        assert full.author == "Erika Beispiel"
        assert full.published_at.isoformat() == "2025-02-18T07:00:00"  # the feed's date
        assert found["Seite kaputt"].text.startswith("Die Regierung hat am Dienstag einen Etat")
        assert found["Nur PDF"].text.startswith("Die Regierung")
        assert found["Volltext im Feed"].language == "de"
    store.close()


def test_faults_each_source_ends_in_a_recorded_state_and_the_others_go_on(server, tmp_path):
    good = rss([{"title": "Gut", "link": "https://x.example/1", "content": german_text(7, 30)}])
    other = rss(
        [{"title": "Auch gut", "link": "https://x.example/2", "content": german_text(8, 30)}]
    )
    server.routes.update(
        {
            "/good.xml": Static(good),
            "/slow.xml": sleep_then(10, Static(good)),
            "/error.xml": Static(b"oops", "text/plain", status=500),
            "/flaky.xml": fail_times(1, Static(other)),
            "/loop.xml": redirect("/loop2.xml"),
            "/loop2.xml": redirect("/loop.xml"),
            "/huge.xml": endless(declare_length=False),
            "/html.xml": Static(b"<!DOCTYPE html><html><body>Hallo</body></html>", "text/html"),
            "/drip.xml": drip(interval=0.05),
            "/gone.xml": Static(b"", "text/plain", status=404),
        }
    )
    names = ["good", "slow", "error", "flaky", "loop", "huge", "html", "drip", "gone"]
    feeds = tuple(server.url(f"/{name}.xml") for name in names)
    config = web_config(tmp_path, feeds, timeout=0.6, retries=1, backoff=0.01)
    store = open_store(config.store.url)
    report = collect_feeds(store, config)
    health = states(store)
    expected = {
        "slow.xml": "timeout after 0.6 s (after 2 tries)",
        "error.xml": "HTTP 500",
        "loop.xml": "redirect loop",
        "huge.xml": "too large",
        "html.xml": "names no feed",
        "drip.xml": "timeout",
        "gone.xml": "HTTP 404",
    }
    for name, reason in expected.items():
        assert health[name].state == "error" and reason in health[name].last_error, name
    assert health["good.xml"].state == "ok" and health["good.xml"].articles == 1
    assert health["flaky.xml"].state == "ok" and health["flaky.xml"].articles == 1
    assert report.new == 2 and report.feeds_failed == len(expected)
    again = collect_feeds(store, config)
    assert again.feeds_unchanged == 2 and again.new == 0
    assert states(store)["good.xml"].last_status == "unchanged (304 Not Modified)"
    store.close()


def agency_story(server: Loopback, site: str, variant: int) -> bytes:
    """The same agency text as three sites print it: their own headline, a cut paragraph,
    a sentence of their own."""
    lines = german_text(42, sentences=30).split("\n")
    if variant == 1:
        lines = lines[:-4]
    if variant == 2:
        lines = ["Unsere Redaktion hat die Meldung um Stimmen aus der Region ergänzt.", *lines[2:]]
    text = "\n".join(lines)
    item = {"title": f"{site}: Haushalt", "link": f"https://{site}/haushalt-{variant}.html",
            "content": "".join(f"<p>{line}</p>" for line in text.split("\n"))}  # fmt: skip
    other = {"title": f"{site}: Wetter", "link": f"https://{site}/wetter.html",
             "content": german_text(100 + variant, sentences=30)}  # fmt: skip
    return rss([item, other], title=site)


def test_near_duplicates_across_sites_are_one_article_with_several_sources(server, tmp_path):
    sites = ["eins.example", "zwei.example", "drei.example"]
    for variant, site in enumerate(sites):
        server.routes[f"/{site}.xml"] = Static(agency_story(server, site, variant))
    config = web_config(tmp_path, tuple(server.url(f"/{site}.xml") for site in sites))
    store = open_store(config.store.url)
    with store.session() as session:
        from bot.store.articles import near_duplicate_index

        near = near_duplicate_index(session)
    report = collect_feeds(store, config, near)
    assert report.new == 4 and report.duplicate == 2  # 3 weather stories + 1 agency story
    with store.session() as session:
        [story] = session.scalars(select(Article).where(Article.title.like("%Haushalt")))
        urls = sorted(s.url for s in article_sources(session, story.id))
        assert urls == sorted(f"https://{site}/haushalt-{i}.html" for i, site in enumerate(sites))
    store.close()


def test_languages_other_than_german_and_english_are_stored_but_skipped(server, tmp_path):
    french = " ".join(["Le gouvernement a présenté mardi un nouveau budget pour l'année."] * 4)
    english = " ".join(["The government presented a new budget on Tuesday, the minister said."] * 4)
    items = [
        {"title": "Haushalt", "link": "https://x.example/de", "content": german_text(3, 20)},
        {"title": "Budget", "link": "https://x.example/en", "content": english},
        {"title": "Budget FR", "link": "https://x.example/fr", "content": french},
    ]
    server.routes["/feed"] = Static(rss(items, language="de"))
    config = web_config(tmp_path, (server.url("/feed"),), fetch_full_text=False)
    store = open_store(config.store.url)
    collect_feeds(store, config)
    with store.session() as session:
        found = {a.language: a for a in session.scalars(select(Article))}
    assert set(found) == {"de", "en", "fr"}
    assert found["de"].status == found["en"].status == "new"
    assert found["fr"].status == "skipped" and "'fr' is not analysed" in found["fr"].skip_reason
    store.close()


def test_the_job_is_incremental(server, tmp_path, analyser):
    items = [
        {"title": f"Meldung {i}", "link": server.url(f"/artikel/{i}.html"),
         "description": "Die Regierung hat am Dienstag einen Haushalt vorgelegt …"}
        for i in range(3)
    ]  # fmt: skip
    for i in range(3):
        server.routes[f"/artikel/{i}.html"] = Static(
            page(f"Meldung {i}", german_text(10 + i, sentences=20)), "text/html"
        )
    server.routes["/feed"] = Static(rss(items))
    config = web_config(tmp_path, (server.url("/feed"),))
    store = open_store(config.store.url)
    first = collect(store, config, analyser=analyser)
    assert first.ingest.new == 3 and first.ingest.pages_fetched == 3
    assert first.analysis.analysed == 3
    assert "Feeds: 1 gelesen" in first.summary()
    # nothing new: a 304, no page, no analysis
    second = collect(store, config, analyser=analyser)
    assert second.ingest.feeds_unchanged == 1 and second.ingest.new == 0
    assert second.ingest.pages_fetched == 0 and second.analysis.analysed == 0
    # a server without conditional GET: the feed is read, its known items cost nothing
    server.routes["/feed"] = Static(rss(items), conditional=False)
    third = collect(store, config, analyser=analyser)
    assert third.ingest.feeds_read == 1 and third.ingest.unchanged == 3
    assert third.ingest.pages_fetched == 0 and third.analysis.analysed == 0
    assert sum(server.hits[f"/artikel/{i}.html"] for i in range(3)) == 3
    # an edited item is fetched and analysed again; the rest stay untouched
    items[0]["description"] = "Korrektur: Die Regierung hat am Mittwoch einen Haushalt vorgelegt …"
    server.routes["/artikel/0.html"] = Static(page("Meldung 0", german_text(99, 20)), "text/html")
    server.routes["/feed"] = Static(rss(items), conditional=False)
    fourth = collect(store, config, analyser=analyser)
    assert fourth.ingest.updated == 1 and fourth.ingest.pages_fetched == 1
    assert fourth.analysis.analysed == 1
    store.close()


async def test_collect_from_inside_an_event_loop(server, tmp_path):
    server.routes["/feed"] = Static(
        rss([{"title": "Eins", "link": "https://x.example/1", "content": german_text(9, 30)}])
    )
    config = web_config(tmp_path, (server.url("/feed"),))
    store = open_store(config.store.url)
    assert collect_feeds(store, config).new == 1  # runs its own loop in a thread of its own
    store.close()


def test_feeds_and_pages_are_parsed_one_at_a_time(server, tmp_path, monkeypatch):
    """trafilatura and htmldate keep module-level lxml parsers, which two threads must never use
    at once (the process aborted under load): every parse runs on the one parse thread."""
    running, most, lock = 0, 0, threading.Lock()

    def one_at_a_time(function):
        def run(*args):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                time.sleep(0.005)  # widen the window in which an overlap would show
                return function(*args)
            finally:
                with lock:
                    running -= 1

        return run

    monkeypatch.setattr(collector, "extract_article", one_at_a_time(collector.extract_article))
    monkeypatch.setattr(collector, "parse_feed", one_at_a_time(collector.parse_feed))
    feeds = []
    for f in range(4):
        items = []
        for i in range(4):
            path = f"/f{f}/artikel/{i}.html"
            server.routes[path] = Static(
                page(f"Meldung {f}-{i}", german_text(10 * f + i)), "text/html"
            )
            items.append(
                {"title": f"Meldung {f}-{i}", "link": server.url(path), "description": "Kurz."}
            )
        server.routes[f"/f{f}/feed"] = Static(rss(items))
        feeds.append(server.url(f"/f{f}/feed"))
    config = web_config(tmp_path, tuple(feeds), retries=0)
    store = open_store(config.store.url)
    report = collect_feeds(store, config)
    store.close()
    assert report.new == 16 and report.pages_fetched == 16
    assert most == 1
