"""Deliveries and their editions: who is owed which briefing, who is sending it right now.

A delivery row (reader, day) is created once, naming the edition it sends and the window that
edition covers. Sending it needs the row's lease: one atomic UPDATE takes a pending row whose
lease is free or expired, so any number of processes can work through the same due readers and
each row is sent by one of them. Every part sent is recorded under the lease (and renews it);
a process that lost its lease stops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.store.db import insert_or_ignore, one_of
from bot.store.schema import Delivery, Edition, Subscriber, utcnow


def last_window_ends(session: Session, subscriber_ids: list[int]) -> dict[int, dt.datetime]:
    """Where each reader's last delivered briefing ended (naive UTC): the next one starts there.
    Deliveries from before windows were stored count up to when they were sent."""
    if not subscriber_ids:
        return {}
    end = func.max(func.coalesce(Delivery.window_end, Delivery.sent_at))
    rows = session.execute(
        select(Delivery.subscriber_id, end)
        .where(one_of(session, Delivery.subscriber_id, subscriber_ids), Delivery.state == "sent")
        .group_by(Delivery.subscriber_id)
    )
    return {reader_id: _datetime(moment) for reader_id, moment in rows if moment is not None}


def last_window_end(session: Session, chat_id: int) -> dt.datetime | None:
    """Where this chat's last delivered briefing ended (naive UTC), if it ever had one."""
    reader_id = session.scalar(select(Subscriber.id).where(Subscriber.chat_id == chat_id))
    return last_window_ends(session, [reader_id]).get(reader_id) if reader_id else None


def _datetime(value: dt.datetime | str) -> dt.datetime:
    """SQLite returns coalesce() over DATETIME columns as text."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Slot:
    """What a due reader's delivery row says: None for readers without a row yet."""

    delivery_id: int
    state: str
    edition_id: int | None


def slots(session: Session, keys: list[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], Slot]:
    """The delivery rows of these (reader, day) slots, where they exist."""
    if not keys:
        return {}
    readers = sorted({reader_id for reader_id, _day in keys})
    days = sorted({day for _reader, day in keys})
    rows = session.execute(
        select(
            Delivery.subscriber_id, Delivery.day, Delivery.id, Delivery.state, Delivery.edition_id
        ).where(
            one_of(session, Delivery.subscriber_id, readers), one_of(session, Delivery.day, days)
        )
    )
    wanted = set(keys)
    return {
        (reader_id, day): Slot(delivery_id, state, edition_id)
        for reader_id, day, delivery_id, state, edition_id in rows
        if (reader_id, day) in wanted
    }


def open_deliveries(session: Session, rows: list[dict]) -> None:
    """Create delivery rows (subscriber_id, day, state, window_start, window_end, edition_id);
    a row another process created first is kept as it is — its edition is the one sent."""
    stamped = [{"attempts": 0, "parts_sent": 0, **row} for row in rows]
    for row in stamped:
        row.setdefault("created_at", utcnow())
    insert_or_ignore(session, Delivery.__table__, stamped, ["subscriber_id", "day"])


def edition_id(session: Session, key: str) -> int | None:
    return session.scalar(select(Edition.id).where(Edition.key == key))


def save_edition(session: Session, key: str, values: dict) -> int:
    """Store a rendered edition under its key (or keep the one stored first) and return its id."""
    insert_or_ignore(
        session, Edition.__table__, [{"key": key, "created_at": utcnow(), **values}], ["key"]
    )
    return edition_id(session, key)


def edition(session: Session, edition_id: int) -> Edition | None:
    return session.get(Edition, edition_id)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    edition_id: int | None
    parts_sent: int


def claim(
    session: Session, delivery_id: int, owner: str, now: dt.datetime, lease: dt.timedelta
) -> Claim | None:
    """Take a pending delivery for `owner`, or None when it is finished or another live process
    holds it. One UPDATE decides: on PostgreSQL the row lock makes a second claimer re-check
    the condition after the first committed; SQLite runs one writer at a time."""
    taken = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state == "pending",
            or_(
                Delivery.owner.is_(None),
                Delivery.owner == owner,
                Delivery.claimed_at < now - lease,
            ),
        )
        .values(owner=owner, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    row = session.execute(
        select(Delivery.edition_id, Delivery.parts_sent).where(Delivery.id == delivery_id)
    ).one()
    return Claim(delivery_id, row.edition_id, row.parts_sent)


def _mine(delivery_id: int, owner: str):
    return (Delivery.id == delivery_id, Delivery.owner == owner, Delivery.state == "pending")


def record_part(
    session: Session, delivery_id: int, owner: str, parts_sent: int, now: dt.datetime
) -> bool:
    """Note that the first `parts_sent` parts went out, renewing the lease; False when the lease
    was lost (taken over after an expiry) — then this process must stop sending."""
    done = session.execute(
        update(Delivery)
        .where(*_mine(delivery_id, owner))
        .values(parts_sent=parts_sent, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def finish(
    session: Session,
    delivery_id: int,
    owner: str,
    state: str,
    now: dt.datetime,
    error: str | None = None,
) -> bool:
    """End a delivery as sent, blocked or failed."""
    values = {"state": state, "error": error[:500] if error else None, "owner": None}
    if state == "sent":
        values["sent_at"] = now
    done = session.execute(
        update(Delivery)
        .where(*_mine(delivery_id, owner))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def release(session: Session, delivery_id: int, owner: str, error: str | None = None) -> None:
    """Give a pending delivery back (a network failure): the next run may take it at once."""
    session.execute(
        update(Delivery)
        .where(*_mine(delivery_id, owner))
        .values(owner=None, claimed_at=None, error=error[:500] if error else None)
        .execution_options(synchronize_session=False)
    )
