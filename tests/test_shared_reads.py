"""What one data version's news reads the same for every reader is read once (bot/brief/build.py):
developments are written once for all readers whose windows hold the same articles of a story
(a reader's copy has their own score and "new since", and shortening it for one reader's
reading budget does not shorten another's); the people each article names are read once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from bot.brief import build
from bot.brief.window import Window
from bot.store.schema import Article


@pytest.fixture(autouse=True)
def _nothing_shared_yet():
    build._WRITTEN.clear()
    build._NAMED.clear()
    yield
    build._WRITTEN.clear()
    build._NAMED.clear()


@pytest.fixture
def writes(monkeypatch):
    calls = []
    real = build._write_development

    def counted(*args, **kwargs):
        calls.append(args[1].story.id)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "_write_development", counted)
    return calls


def _windows() -> list[Window]:
    """Two readers' since-windows: other starts, the same news in them."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=1)
    return [Window(now - dt.timedelta(days=days), now, "Europe/Berlin") for days in (2, 3)]


def _brief(seeded, window: Window, version):
    with seeded.store.session() as session:
        return build.build_briefing(session, window, seeded.config.briefing, "de", version=version)


def test_readers_with_the_same_news_share_a_written_development(seeded, writes):
    first_window, second_window = _windows()
    first = _brief(seeded, first_window, ("store", 1))
    second = _brief(seeded, second_window, ("store", 1))
    assert first.developments and len(writes) == len(first.developments)
    assert [d.title for d in second.developments] == [d.title for d in first.developments]
    assert [d.summary for d in second.developments] == [d.summary for d in first.developments]
    # Each reader has a copy: one reader's shortened summary is not the next reader's.
    development = second.developments[0]
    assert development is not first.developments[0]
    development.summary.clear()
    third = _brief(seeded, second_window, ("store", 1))
    assert third.developments[0].summary == first.developments[0].summary
    assert len(writes) == len(first.developments)  # written once for all three


def test_without_a_version_or_with_new_news_developments_are_written_again(seeded, writes):
    window = _windows()[0]
    shown = len(_brief(seeded, window, None).developments)
    assert shown
    _brief(seeded, window, None)
    assert len(writes) == 2 * shown  # no version (the command line's briefing): no sharing
    _brief(seeded, window, ("store", 1))
    _brief(seeded, window, ("store", 1))
    assert len(writes) == 3 * shown
    _brief(seeded, window, ("store", 2))  # the news changed: nothing older is reused
    assert len(writes) == 4 * shown
    _brief(seeded, window, ("store", 1))  # only the newest version's are kept
    assert len(writes) == 5 * shown


def test_the_people_an_article_names_are_read_once_per_version(seeded):
    statements = []

    def remember(_conn, _cursor, statement, _parameters, _context, _many):
        if "FROM article_actors" in statement:
            statements.append(statement)

    with seeded.store.session() as session:
        ids = list(session.scalars(select(Article.id).where(Article.status == "analysed")))
        plain = build._people_named(session, ids)
        assert plain  # the seed names people
        event.listen(seeded.store.engine, "before_cursor_execute", remember)
        try:
            assert build._people_named(session, ids, ("store", 1)) == plain
            assert build._people_named(session, ids, ("store", 1)) == plain
            assert len(statements) == 1  # the second reader read nothing
            assert build._people_named(session, ids[:1], ("store", 2)) == [
                row for row in plain if row.article_id == ids[0]
            ]
            assert len(statements) == 2  # new news: read again
        finally:
            event.remove(seeded.store.engine, "before_cursor_execute", remember)
