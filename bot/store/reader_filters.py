"""Readers' filters: topics switched off, muted words, "only" words (table reader_filters)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.filters import NO_FILTER, ReaderFilter
from bot.store.db import one_of
from bot.store.schema import ReaderFilterEntry, Subscriber

TOPIC_OFF, MUTE, ONLY = "topic", "mute", "only"


def filters_of(session: Session, subscriber_ids: Iterable[int]) -> dict[int, ReaderFilter]:
    """Each reader's filter (NO_FILTER for readers without one), in one query per 500."""
    ids = list(subscriber_ids)
    values: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for start in range(0, len(ids), 500):
        for subscriber_id, kind, value in session.execute(
            select(
                ReaderFilterEntry.subscriber_id, ReaderFilterEntry.kind, ReaderFilterEntry.value
            ).where(one_of(session, ReaderFilterEntry.subscriber_id, ids[start : start + 500]))
        ):
            values[subscriber_id][kind].add(value)
    return {
        i: ReaderFilter(
            topics_off=frozenset(values[i][TOPIC_OFF]),
            mutes=frozenset(values[i][MUTE]),
            only=frozenset(values[i][ONLY]),
        )
        if i in values
        else NO_FILTER
        for i in ids
    }


def filter_of(session: Session, subscriber_id: int) -> ReaderFilter:
    return filters_of(session, [subscriber_id])[subscriber_id]


def filter_of_chat(session: Session, chat_id: int) -> ReaderFilter:
    """The filter of the reader in this chat; none for a chat that is no reader yet."""
    subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.chat_id == chat_id))
    return NO_FILTER if subscriber_id is None else filter_of(session, subscriber_id)


def add_entry(session: Session, subscriber_id: int, kind: str, value: str) -> bool:
    """Add one entry; False when it was there already."""
    if session.get(ReaderFilterEntry, (subscriber_id, kind, value)) is not None:
        return False
    session.add(ReaderFilterEntry(subscriber_id=subscriber_id, kind=kind, value=value))
    session.flush()
    return True


def remove_entry(session: Session, subscriber_id: int, kind: str, value: str) -> bool:
    """Remove one entry; False when there was none."""
    result = session.execute(
        delete(ReaderFilterEntry).where(
            ReaderFilterEntry.subscriber_id == subscriber_id,
            ReaderFilterEntry.kind == kind,
            ReaderFilterEntry.value == value,
        )
    )
    return bool(result.rowcount)


def count_entries(session: Session, subscriber_id: int, kind: str) -> int:
    return session.scalar(
        select(func.count()).where(
            ReaderFilterEntry.subscriber_id == subscriber_id, ReaderFilterEntry.kind == kind
        )
    )


def clear_entries(session: Session, subscriber_id: int, kind: str) -> None:
    session.execute(
        delete(ReaderFilterEntry).where(
            ReaderFilterEntry.subscriber_id == subscriber_id, ReaderFilterEntry.kind == kind
        )
    )
