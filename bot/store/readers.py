"""Readers (subscribers), their deliveries and follows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.schema import Delivery, Subscriber


def last_briefing_time(session: Session, chat_id: int) -> dt.datetime | None:
    """When this chat last received a briefing (naive UTC), if ever."""
    return session.scalar(
        select(func.max(Delivery.sent_at))
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Subscriber.chat_id == chat_id, Delivery.state == "sent")
    )
