"""Retention: an article older than `store.keep_days` gives up its full text, sentences and
mentions — the bulk of the store. Its row (title, link, day), its actors with their roles and
its quotes stay, so dossiers and links to the source still work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.store.db import Store, one_of
from bot.store.schema import Article, Mention, Sentence

BATCH = 500  # articles per unit of work: the write lock is held briefly, readers go on


@dataclass
class Pruned:
    articles: int = 0
    sentences: int = 0
    mentions: int = 0


def prune_batch(session: Session, before: dt.datetime, limit: int = BATCH) -> Pruned:
    """Prune up to `limit` articles placed before `before` (naive UTC) still holding a text."""
    ids = list(
        session.scalars(
            select(Article.id)
            .where(
                Article.status.in_(("analysed", "skipped")),  # never one waiting for analysis
                Article.day_time < before,
                Article.text != "",
            )
            .order_by(Article.day_time)
            .limit(limit)
        )
    )
    if not ids:
        return Pruned()
    sentences = session.execute(
        delete(Sentence).where(one_of(session, Sentence.article_id, ids))
    ).rowcount
    mentions = session.execute(
        delete(Mention).where(one_of(session, Mention.article_id, ids))
    ).rowcount
    session.execute(
        update(Article)
        .where(one_of(session, Article.id, ids))
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    return Pruned(len(ids), sentences, mentions)


def prune_old(store: Store, keep_days: int, now: dt.datetime) -> Pruned:
    """Prune everything older than `keep_days` before `now` (naive UTC), batch by batch;
    `keep_days` 0 keeps everything."""
    total = Pruned()
    if keep_days <= 0:
        return total
    before = now - dt.timedelta(days=keep_days)
    while True:
        with store.session() as session:
            done = prune_batch(session, before)
        if not done.articles:
            return total
        total.articles += done.articles
        total.sentences += done.sentences
        total.mentions += done.mentions
