"""Indexes for what is asked: the article's day time as a column, the hot queries' plans on an
index, full-text search through the engine's own index (FTS5 or German tsvector)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import create_engine, delete, event, text

from bot.brief.window import Window
from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.store import open_store
from bot.store.articles import articles_arrived, articles_between, latest_day
from bot.store.db import create_store_engine, migrate
from bot.store.deliveries import last_window_ends
from bot.store.schema import Article, Sentence
from bot.store.search import search_sentences
from tests.conftest import on_postgres, postgres_only, sqlite_only

NOW = dt.datetime(2026, 3, 2, 12, 0)


def _article(session, n: int, sentences: list[str], published: dt.datetime | None) -> Article:
    article = Article(
        url=f"https://example.org/{n}",
        title=f"Meldung {n}",
        text=" ".join(sentences),
        content_hash=f"{n:064d}",
        status="analysed",
        language="de",
        published_at=published,
        ingested_at=NOW - dt.timedelta(hours=1),
        analysed_at=NOW - dt.timedelta(minutes=30),
    )
    session.add(article)
    session.flush()
    for position, sentence in enumerate(sentences):
        boilerplate = sentence.startswith("Abonnieren")
        session.add(
            Sentence(
                article_id=article.id, position=position, text=sentence, boilerplate=boilerplate
            )
        )
    return article


@pytest.fixture
def news(store):
    with store.session() as session:
        _article(session, 1, ["Die Flüchtlinge kamen über Österreich.", "Wien hilft."], NOW)
        _article(
            session,
            2,
            ["Kriegsflüchtlinge in Riad.", "Abonnieren Sie Flüchtlinge!"],
            NOW - dt.timedelta(days=1),
        )
        _article(session, 3, ["Flüchtlinge vor einem Monat."], NOW - dt.timedelta(days=30))
        _article(session, 4, ["Ohne Datum: Flüchtlinge in Graz."], None)
    return store


def _titles(store, words: list[str], since: dt.datetime = NOW - dt.timedelta(days=14)):
    with store.session() as session:
        return [(h.article.title, h.sentence) for h in search_sentences(session, words, since)]


def test_day_time_is_published_else_ingested_and_follows_edits(store):
    with store.session() as session:
        dated = _article(session, 1, ["a"], NOW - dt.timedelta(days=2))
        undated = _article(session, 2, ["b"], None)
    with store.session() as session:
        assert session.get(Article, dated.id).day_time == NOW - dt.timedelta(days=2)
        assert session.get(Article, undated.id).day_time == NOW - dt.timedelta(hours=1)
        session.get(Article, undated.id).published_at = NOW - dt.timedelta(days=5)
    with store.session() as session:
        assert session.get(Article, undated.id).day_time == NOW - dt.timedelta(days=5)
        window = Window(NOW - dt.timedelta(days=3), NOW, "UTC", True)
        assert [a.id for a in articles_between(session, window.start, window.end)] == [dated.id]
        assert latest_day(session, dt.UTC) == (NOW - dt.timedelta(days=2)).date()


@sqlite_only("FTS5's unicode61 tokenizer removes diacritics; German tsvector does not")
def test_search_ignores_case_and_accents(news):
    """`/search FLÜCHTLINGE` finds 'Flüchtlinge' (ILIKE folds ASCII only); so does 'fluchtlinge'."""
    expected = ["Meldung 1", "Meldung 4"]
    assert [t for t, _ in _titles(news, ["FLÜCHTLINGE"])] == expected
    assert [t for t, _ in _titles(news, ["fluchtlinge"])] == expected


def test_search_finds_word_starts_in_one_sentence_newest_first(news):
    assert [t for t, _ in _titles(news, ["Flüchtling"])] == ["Meldung 1", "Meldung 4"]
    assert _titles(news, ["flüchtlinge", "österreich"]) == [
        ("Meldung 1", "Die Flüchtlinge kamen über Österreich.")
    ]
    assert _titles(news, ["Flüchtlinge", "Wien"]) == []  # two sentences, not one
    assert _titles(news, ["Riad"]) == [("Meldung 2", "Kriegsflüchtlinge in Riad.")]
    # older than the window, and boilerplate, are not found
    assert _titles(news, ["Monat"]) == []
    assert _titles(news, ["Abonnieren"]) == []


def test_search_checks_what_the_index_does_not_keep(news):
    assert _titles(news, ["100%_"]) == []
    assert _titles(news, ['"Riad"*', "OR", "NEAR("]) == []  # no query syntax gets through
    assert _titles(news, ["%%"]) == []


def test_search_forgets_deleted_and_edited_sentences(news):
    with news.session() as session:
        session.execute(delete(Sentence).where(Sentence.text.like("Kriegs%")))
        session.execute(
            Sentence.__table__.update()
            .where(Sentence.text == "Wien hilft.")
            .values(text="Linz hilft.")
        )
    assert _titles(news, ["Riad"]) == []
    assert _titles(news, ["Wien"]) == []
    assert _titles(news, ["Linz"]) == [("Meldung 1", "Linz hilft.")]


def test_search_command_uses_the_index(news, config):
    services = Services(news, config, clock=lambda: NOW.replace(tzinfo=dt.UTC))
    [reply] = dispatch(services, Chat(chat_id=7, language="de"), "/search ÖSTERREICH")
    assert [r["title"] for r in reply.context["results"]] == ["Meldung 1"]


def test_upgrade_fills_day_time_and_the_search_index(tmp_path, config):
    """A store from before 0010: its articles get their day time, its sentences the index."""
    url = config.store.url
    engine = create_store_engine(url)
    migrate(engine, "0009_topics")
    engine.dispose()
    raw = create_engine(url)
    with raw.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (id, url, title, text, ingested_at, content_hash, status, "
                "analysed_at) VALUES (1, 'file:///a', 'Alt', 'Äpfel aus Südtirol.', "
                "'2026-03-01 08:00:00', 'h', 'analysed', '2026-03-01 09:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sentences (article_id, position, text, boilerplate) "
                "VALUES (1, 0, 'Äpfel aus Südtirol.', false)"
            )
        )
    raw.dispose()
    store = open_store(url)
    with store.session() as session:
        assert session.get(Article, 1).day_time == dt.datetime(2026, 3, 1, 8)
    assert _titles(store, ["Südtirol"], dt.datetime(2026, 2, 1)) == [("Alt", "Äpfel aus Südtirol.")]
    store.close()


# --- query plans ----------------------------------------------------------------------------


def _hot_queries(store) -> list[tuple[str, object]]:
    """Run the hot read paths and capture their SQL with its parameters."""
    captured: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", remember)
    try:
        with store.session() as session:
            articles_between(session, NOW - dt.timedelta(days=1), NOW)
            articles_arrived(session, NOW - dt.timedelta(days=1), NOW, NOW - dt.timedelta(days=3))
            latest_day(session, dt.UTC)
            search_sentences(session, ["Flüchtlinge"], NOW - dt.timedelta(days=14))
            last_window_ends(session, [1, 2, 3])
    finally:
        event.remove(store.engine, "before_cursor_execute", remember)
    return captured


def _plan_as_at_scale(store) -> None:
    """Give SQLite's planner the statistics of a store of 100,000 articles, nearly all analysed
    (what ANALYZE writes there): on four rows it plans differently from a real store."""
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'articles'")
        for index, stat in [
            ("ix_articles_status", "100000 100000"),
            ("ix_articles_status_day_time", "100000 100000 1"),
            ("ix_articles_status_analysed_at", "100000 100000 1"),
            ("ix_articles_published_at", "100000 1"),
            ("ix_articles_ingested_at", "100000 1"),
            ("ix_articles_source_id", "100000 100000"),
        ]:
            connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('articles', ?, ?)",
                (index, stat),
            )
    store.engine.dispose()  # statistics are read when a connection loads the schema


@sqlite_only("EXPLAIN QUERY PLAN is SQLite's")
def test_hot_queries_use_an_index_on_sqlite(news):
    _plan_as_at_scale(news)
    queries = _hot_queries(news)
    assert len(queries) >= 5  # search takes three on SQLite: window, FTS5 matches, hits
    with news.engine.connect() as connection:
        for statement, parameters in queries:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            lines = [row[-1] for row in plan]
            # A full pass over a table (not its FTS index) is what must never happen.
            scans = [
                line for line in lines if re.match(r"SCAN (articles|sentences|deliveries)\b", line)
            ]
            assert not scans, (statement, lines)
            # Nearly every article is analysed: the index of the status alone is a scan.
            by_status = [line for line in lines if "INDEX ix_articles_status (" in line]
            assert not by_status, (statement, lines)
            assert any("INDEX" in line or "PRIMARY KEY" in line for line in lines), lines


@postgres_only("PostgreSQL's planner")
def test_hot_queries_use_an_index_on_postgres(news):
    assert on_postgres()
    queries = _hot_queries(news)
    assert len(queries) == 5
    with news.engine.connect() as connection:
        cursor = connection.connection.cursor()
        # A few rows make a sequential scan cheapest; forbid it to see whether an index can serve.
        cursor.execute("SET enable_seqscan = off")
        for statement, parameters in queries:
            cursor.execute(f"EXPLAIN {statement}", parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert not re.search(r"Seq Scan on (articles|sentences|deliveries)\b", plan), plan
            assert "Index" in plan, plan
        cursor.close()
