"""Follow pushes: a short message when a followed actor appears in a new story — one per
reader, actor and story, however many articles the story gets, and none about what the
reader muted (a word in the article's headline or lead, or its topic switched off)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import select

from bot.chat.reply import Button, Services
from bot.collect.topics import story_topic
from bot.deliver import Sender, SendError
from bot.i18n import t
from bot.ratelimit import RateLimiter
from bot.store.reader_filters import filters_of
from bot.store.readers import claim_notice, notice_sent
from bot.store.schema import (
    Actor,
    Article,
    ArticleActor,
    Follow,
    StoryArticle,
    Subscriber,
)
from bot.store.topics import topics_of

log = logging.getLogger(__name__)
LEAD_CHARS = 300  # of an article's text read for muted words, besides its headline


def story_key(article_id: int, story_id: int | None) -> str:
    """The story an article belongs to; an article not (yet) in a story stands for itself."""
    return f"s{story_id}" if story_id is not None else f"a{article_id}"


def pending_pushes(services: Services, since: dt.datetime) -> list[tuple]:
    """(subscriber id, chat id, language, actor id, actor name, title, story key) for articles
    analysed since `since` about actors someone follows — claimed, so never sent twice."""
    pushes = []
    with services.store.session() as session:
        rows = session.execute(
            select(Article, Actor, Subscriber, StoryArticle.story_id)
            .join(ArticleActor, ArticleActor.article_id == Article.id)
            .outerjoin(StoryArticle, StoryArticle.article_id == Article.id)
            .join(Actor, Actor.id == ArticleActor.actor_id)
            .join(Follow, Follow.actor_id == Actor.id)
            .join(Subscriber, Subscriber.id == Follow.subscriber_id)
            .where(
                Article.status == "analysed",
                Article.analysed_at >= since,
                Subscriber.active.is_(True),
            )
            .order_by(Article.analysed_at)
        ).all()
        filters = filters_of(session, {reader.id for _a, _b, reader, _s in rows})
        filtered = [row for row in rows if not filters[row[2].id].empty]
        topics = topics_of(session, list({row[0].id: row[0] for row in filtered}.values()))
        for article, actor, reader, story_id in rows:
            found = filters[reader.id]
            texts = (article.title, article.text[:LEAD_CHARS])
            if not found.empty and found.mutes_out(story_topic([topics[article.id]]), texts):
                continue
            key = story_key(article.id, story_id)
            if claim_notice(session, reader.id, actor.id, key):
                pushes.append(
                    (
                        reader.id,
                        reader.chat_id,
                        reader.language,
                        actor.id,
                        actor.name,
                        article.title,
                        key,
                    )
                )
    return pushes


async def push_follows(
    services: Services, sender: Sender, limiter: RateLimiter, since: dt.datetime
) -> int:
    """Send the pending pushes; the store is read and written off the event loop."""
    sent = 0
    pushes = await asyncio.to_thread(pending_pushes, services, since)
    for reader_id, chat_id, language, actor_id, name, title, key in pushes:
        text = t(language, "follow.push", name=name, title=title[:300])
        try:
            await limiter.wait(chat_id)
            await sender.send(chat_id, text, False, [[Button(name[:60], f"/actor #{actor_id}")]])
            sent += 1
        except SendError as error:
            log.info("follow push to %s not delivered: %s", chat_id, error)
            continue
        await asyncio.to_thread(_mark_sent, services, reader_id, actor_id, key)
    return sent


def _mark_sent(services: Services, reader_id: int, actor_id: int, key: str) -> None:
    with services.store.session() as session:
        notice_sent(session, reader_id, actor_id, key)
