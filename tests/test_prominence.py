"""The per-day actor counts the briefing weighs stories by (`actor_days`) are kept by the
database itself: inserted, deleted and re-assigned `article_actors` rows all count, through
the ORM or a bulk insert, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select, update

from bot.store.prominence import articles_per_actor
from bot.store.schema import Actor, Article, ArticleActor
from tests.conftest import utc


def _article(session, n: int, published: dt.datetime) -> int:
    article = Article(
        url=f"https://example.org/{n}",
        title=f"Meldung {n}",
        text="Text.",
        content_hash=f"hash-{n}",
        status="analysed",
        published_at=published,
        ingested_at=published,
    )
    session.add(article)
    session.flush()
    return article.id


def _counted(session, actor_id: int, since: dt.date) -> int:
    """The same number counted the slow way, from article_actors."""
    return session.scalar(
        select(func.count())
        .select_from(ArticleActor)
        .join(Article, Article.id == ArticleActor.article_id)
        .where(ArticleActor.actor_id == actor_id, Article.day_time >= since)
    )


def test_actor_days_follow_every_write(store):
    with store.session() as session:
        merz = Actor(name="Friedrich Merz", kind="PER")
        other = Actor(name="Merz", kind="PER")
        session.add_all([merz, other])
        session.flush()
        monday = [_article(session, i, utc(2026, 11, 30, 8 + i)) for i in range(3)]
        tuesday = [_article(session, 10 + i, utc(2026, 12, 1, 9)) for i in range(2)]
        # ORM rows and a bulk insert alike.
        session.add(ArticleActor(article_id=monday[0], actor_id=merz.id, salience=1.0))
        session.flush()
        session.execute(
            insert(ArticleActor),
            [{"article_id": a, "actor_id": merz.id} for a in (*monday[1:], *tuesday)]
            + [{"article_id": monday[0], "actor_id": other.id}],
        )
        assert articles_per_actor(session, [merz.id, other.id], dt.date(2026, 11, 30)) == {
            merz.id: 5,
            other.id: 1,
        }
        assert articles_per_actor(session, [merz.id], dt.date(2026, 12, 1)) == {merz.id: 2}

        # Spellings parted: a row moves to another actor (detach_alias updates actor_id).
        session.execute(
            update(ArticleActor)
            .where(ArticleActor.article_id == tuesday[0], ArticleActor.actor_id == merz.id)
            .values(actor_id=other.id)
        )
        session.execute(delete(ArticleActor).where(ArticleActor.article_id == monday[2]))
        since = dt.date(2026, 11, 30)
        counts = articles_per_actor(session, [merz.id, other.id], since)
        assert counts == {merz.id: 3, other.id: 2}
        assert counts[merz.id] == _counted(session, merz.id, since)
        assert counts[other.id] == _counted(session, other.id, since)
        assert articles_per_actor(session, [], since) == {}
