"""Full text from real article pages: a feed of teasers links to the 61 German pages of
trafilatura's test set, served from 127.0.0.1; the stored texts are checked against the gold
snippets (what must be in the article text, and what must not)."""

import json

import pytest
from sqlalchemy import select

from bot.collect.collector import collect_feeds
from bot.collect.pages import extract_article, with_full_text
from bot.collect.types import RawArticle, Skipped
from bot.store import open_store
from bot.store.schema import Article
from tests.conftest import SHARED
from tests.fixtures.loopback import Loopback, Static
from tests.fixtures.web import rss, web_config

PAGES = SHARED / "pages"
TEASER = "Ein kurzer Anriss, der ganze Text steht auf der Seite …"


@pytest.mark.skipif(not PAGES.exists(), reason="needs ../shared/data")
def test_gold_snippets_on_pages_fetched_by_the_collector(tmp_path):
    gold = [json.loads(line) for line in (PAGES / "gold.jsonl").open(encoding="utf-8")]
    with Loopback() as server:
        items = []
        for number, row in enumerate(gold):
            path = f"/seite/{number}.html"
            server.routes[path] = Static((PAGES / row["file"]).read_bytes(), "text/html")
            items.append(
                {"title": f"Seite {number}", "link": server.url(path), "description": TEASER}
            )
        server.routes["/feed"] = Static(rss(items))
        config = web_config(tmp_path, (server.url("/feed"),), timeout=10.0)
        store = open_store(config.store.url)
        report = collect_feeds(store, config)
    assert report.pages_fetched == len(gold)
    with store.session() as session:
        texts = {a.title: a.text for a in session.scalars(select(Article))}
    store.close()
    passed = total = pages_passed = 0
    for number, row in enumerate(gold):
        text = texts.get(f"Seite {number}", "")
        checks = [s in text for s in row["with"]] + [s not in text for s in row["without"]]
        passed += sum(checks)
        total += len(checks)
        pages_passed += all(checks)
    share = passed / total
    print(
        f"\ngold pages: {share:.1%} of {total} snippets pass; "
        f"{pages_passed}/{len(gold)} pages pass every snippet"
    )
    assert share >= 0.95


def test_page_extraction_and_teaser_fallback():
    text = "Die Regierung hat am Dienstag einen neuen Haushalt vorgelegt. " * 12
    html = (
        "<html><head><title>Haushalt | Blatt</title><meta name='author' content='Erika Muster'>"
        "</head><body><nav>Start | Politik</nav><article><h1>Haushalt</h1>"
        f"<p>{text}</p><p>{text}</p></article><footer>Impressum</footer></body></html>"
    )
    page = extract_article(html, "https://blatt.example/haushalt")
    assert isinstance(page, RawArticle) and page.author == "Erika Muster"
    assert "Impressum" not in page.text and "Start | Politik" not in page.text
    teaser = RawArticle("https://blatt.example/haushalt", "Haushalt", "Kurz und knapp.")
    merged = with_full_text(teaser, page)
    assert merged.title == "Haushalt" and merged.text == page.text
    assert with_full_text(teaser, Skipped("x", "no text")) is teaser
    stub = RawArticle("https://blatt.example/haushalt", "", "Bitte anmelden.")
    assert with_full_text(teaser, stub) is teaser  # a paywall stub is not the article
    assert isinstance(extract_article("<html><body></body></html>", "https://x.example"), Skipped)
