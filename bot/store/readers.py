"""Readers (subscribers), their settings, deliveries and follows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.schema import Actor, Delivery, Follow, FollowNotice, Subscriber, utcnow


def last_briefing_time(session: Session, chat_id: int) -> dt.datetime | None:
    """When this chat last received a briefing (naive UTC), if ever."""
    return session.scalar(
        select(func.max(Delivery.sent_at))
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Subscriber.chat_id == chat_id, Delivery.state == "sent")
    )


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


def delivery(session: Session, subscriber_id: int, day: dt.date) -> Delivery | None:
    return session.scalar(
        select(Delivery).where(Delivery.subscriber_id == subscriber_id, Delivery.day == day)
    )


def claim_delivery(session: Session, subscriber_id: int, day: dt.date) -> Delivery:
    """The delivery row for (reader, day), created if missing. The unique constraint makes two
    processes racing for the same slot end up with one row."""
    found = delivery(session, subscriber_id, day)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = Delivery(subscriber_id=subscriber_id, day=day, state="pending")
            session.add(found)
    except IntegrityError:
        found = delivery(session, subscriber_id, day)
    return found


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
