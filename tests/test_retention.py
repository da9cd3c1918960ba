"""Bounded memory and retention: old articles give up their texts, sentences and mentions
while actors, roles and quotes stay; per-user maps forget users by age."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.brief.dossier import build_dossier
from bot.chat.flood import FloodGuard
from bot.config import ConfigError, parse_config
from bot.jobs import collect
from bot.store.retention import prune_old
from bot.store.schema import Actor, Article, ArticleActor, Mention, Quote, Sentence
from bot.store.search import search_sentences


def _count(session, table, *where) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where))


def _snapshot(store) -> dict:
    with store.session() as session:
        return {
            "texts": _count(session, Article, Article.text != ""),
            "sentences": _count(session, Sentence),
            "mentions": _count(session, Mention),
            "actors": _count(session, Actor),
            "roles": _count(session, ArticleActor, ArticleActor.role.is_not(None)),
            "quotes": _count(session, Quote),
            "newest": session.scalar(select(func.max(Article.day_time))),
        }


def test_prune_keeps_actors_roles_quotes_and_recent_articles(store, config, analyser):
    collect(store, config, analyser=analyser)
    before = _snapshot(store)
    assert before["sentences"] and before["mentions"] and before["quotes"] and before["roles"]
    newest = before["newest"]
    # Nothing is older than 30 days a day after the newest article.
    assert prune_old(store, 30, newest + dt.timedelta(days=1)).articles == 0
    assert _snapshot(store) == before
    assert prune_old(store, 0, newest + dt.timedelta(days=400)).articles == 0  # keep everything
    with store.session() as session:
        rubio = session.scalar(select(Actor.id).where(Actor.name == "Marco Rubio"))
        assert search_sentences(session, ["Rubio"], dt.datetime(2000, 1, 1))

    pruned = prune_old(store, 30, newest + dt.timedelta(days=31))
    after = _snapshot(store)
    assert pruned.articles == before["texts"] and pruned.sentences == before["sentences"]
    assert pruned.mentions == before["mentions"]
    assert after["texts"] == after["sentences"] == after["mentions"] == 0
    assert (after["actors"], after["roles"], after["quotes"]) == (
        before["actors"],
        before["roles"],
        before["quotes"],
    )
    with store.session() as session:
        assert search_sentences(session, ["Rubio"], dt.datetime(2000, 1, 1)) == []
        dossier = build_dossier(session, rubio, None, now=newest, days=400)
        assert dossier.name == "Marco Rubio" and dossier.quotes
    # A second run finds nothing left to prune, and collecting again re-analyses nothing.
    assert prune_old(store, 30, newest + dt.timedelta(days=31)).articles == 0
    assert collect(store, config, analyser=analyser).analysis.analysed == 0


def test_keep_days_is_checked():
    assert parse_config({}).store.keep_days == 30
    assert parse_config({"store": {"keep_days": 0}}).store.keep_days == 0
    with pytest.raises(ConfigError, match="store.keep_days"):
        parse_config({"store": {"keep_days": 3}})
    with pytest.raises(ConfigError, match="store.keep_days"):
        parse_config({"store": {"keep_days": "30"}})


def test_flood_guard_forgets_users_by_age():
    now = [0.0]
    guard = FloodGuard(limit=2, window=60.0, clock=lambda: now[0])
    for user in range(10_000):
        assert guard.check(user) == "ok"
    assert [guard.check(5) for _ in range(3)] == ["ok", "warn", "drop"]
    assert len(guard) == 10_000
    now[0] = 30.0
    assert guard.check(5) == "drop"  # within the window the burst is still remembered
    now[0] = 100.0
    assert guard.check(1) == "ok"  # a window later: everyone quiet since is forgotten
    assert len(guard) == 1
    assert guard.check(5) == "ok"
