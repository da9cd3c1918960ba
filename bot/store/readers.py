"""Readers (subscribers), their settings, deliveries and follows."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.schema import Actor, Follow, FollowNotice, Subscriber, utcnow


def reader(session: Session, chat_id: int) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.chat_id == chat_id))


def reader_or_new(session: Session, chat_id: int, chat_type: str, defaults: dict) -> Subscriber:
    """The chat's row; a new chat gets one (not yet subscribed) with the given defaults."""
    found = reader(session, chat_id)
    if found is None:
        found = Subscriber(chat_id=chat_id, chat_type=chat_type, subscribed=False, **defaults)
        session.add(found)
        session.flush()
    return found


def subscribed_readers(session: Session) -> list[Subscriber]:
    return list(
        session.scalars(
            select(Subscriber).where(Subscriber.subscribed.is_(True), Subscriber.active.is_(True))
        )
    )


def deactivate(session: Session, subscriber_id: int) -> None:
    """The reader blocked the bot or the chat is gone: no more briefings until they return."""
    session.get(Subscriber, subscriber_id).active = False


def follow(session: Session, subscriber: Subscriber, actor: Actor) -> bool:
    """True when newly followed."""
    if session.get(Follow, (subscriber.id, actor.id)) is not None:
        return False
    session.add(Follow(subscriber_id=subscriber.id, actor_id=actor.id))
    return True


def unfollow(session: Session, subscriber: Subscriber, actor: Actor) -> bool:
    result = session.execute(
        delete(Follow).where(Follow.subscriber_id == subscriber.id, Follow.actor_id == actor.id)
    )
    return bool(result.rowcount)


def followed(session: Session, subscriber: Subscriber) -> list[Actor]:
    return list(
        session.scalars(
            select(Actor)
            .join(Follow, Follow.actor_id == Actor.id)
            .where(Follow.subscriber_id == subscriber.id)
            .order_by(Actor.name)
        )
    )


def claim_notice(session: Session, subscriber_id: int, actor_id: int, story_key: str) -> bool:
    """Record a follow push for (reader, actor, story); False when it was already sent."""
    try:
        with session.begin_nested():
            session.add(
                FollowNotice(
                    subscriber_id=subscriber_id,
                    actor_id=actor_id,
                    story_key=story_key,
                    created_at=utcnow(),
                )
            )
        return True
    except IntegrityError:
        return False


def notice_sent(session: Session, subscriber_id: int, actor_id: int, story_key: str) -> None:
    """Mark a claimed follow push as sent."""
    notice = session.get(FollowNotice, (subscriber_id, actor_id, story_key))
    if notice is not None:
        notice.sent_at = utcnow()
