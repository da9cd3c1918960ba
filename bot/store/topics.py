"""Articles' topics: written when an article is stored, read per story for briefings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.collect.topics import article_topics, story_topic
from bot.store.db import insert_rows, one_of
from bot.store.schema import Article, ArticleTopic


def save_topics(session: Session, article_id: int, topics: list[str]) -> None:
    """Replace an article's topics (an updated article may have moved section)."""
    session.execute(delete(ArticleTopic).where(ArticleTopic.article_id == article_id))
    session.add_all(ArticleTopic(article_id=article_id, topic=topic) for topic in topics)


def save_all_topics(
    session: Session, topics: dict[int, list[str]], replaced: Sequence[int] = ()
) -> None:
    """`save_topics` for many articles in two statements; only the `replaced` (updated)
    articles can have topics to remove."""
    if replaced:
        session.execute(
            delete(ArticleTopic).where(one_of(session, ArticleTopic.article_id, replaced))
        )
    rows = [{"article_id": a, "topic": t} for a, names in topics.items() for t in names]
    if rows:
        insert_rows(session, ArticleTopic.__table__, rows)


def topics_of(session: Session, articles: list[Article]) -> dict[int, list[str]]:
    """Each article's topics; an article stored before topics existed gets them from its
    words and address now (not written: this is a read path)."""
    found: dict[int, list[str]] = defaultdict(list)
    ids = [a.id for a in articles]
    for start in range(0, len(ids), 500):
        for article_id, topic in session.execute(
            select(ArticleTopic.article_id, ArticleTopic.topic).where(
                one_of(session, ArticleTopic.article_id, ids[start : start + 500])
            )
        ):
            found[article_id].append(topic)
    for article in articles:
        if article.id not in found:
            found[article.id] = article_topics(article.title, article.text, article.url)
    return dict(found)


def story_topics(session: Session, stories: dict[int, list[Article]]) -> dict[int, str | None]:
    """Each story's topic: its articles' majority."""
    every = [a for articles in stories.values() for a in articles]
    topics = topics_of(session, every)
    return {
        story_id: story_topic(topics[a.id] for a in articles)
        for story_id, articles in stories.items()
    }
