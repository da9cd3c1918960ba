"""How prominent actors were: in how many articles they appeared per day (`ActorDay`, kept by
the database's triggers on `article_actors`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.db import one_of
from bot.store.schema import ActorDay


def articles_per_actor(session: Session, actor_ids: list[int], since: dt.date) -> dict[int, int]:
    """In how many articles of the days from `since` on each of these actors appeared (an
    actor of none is left out)."""
    if not actor_ids:
        return {}
    return dict(
        session.execute(
            select(ActorDay.actor_id, func.sum(ActorDay.articles))
            .where(one_of(session, ActorDay.actor_id, actor_ids), ActorDay.day >= since)
            .group_by(ActorDay.actor_id)
        ).all()
    )
