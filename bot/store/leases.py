"""Leases and the send budget: what several processes on one store share.

A lease names the one process that runs a scheduled job now (`job:collect`, `job:deliver`): the
replicas of a deployment all tick, the holder works, the others skip. A lease runs out by
itself, so a process that dies never blocks the job for longer than the lease.

The send budget spreads Telegram's overall rate (`delivery.messages_per_second`) over every
process that sends: each message takes the next free moment in one atomic UPDATE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from bot.store.db import Store, insert_or_ignore
from bot.store.schema import Lease, SendBudget, utcnow

COLLECTING = "collect"  # held while a collection stores news, by whichever process runs it


def new_owner() -> str:
    """A lease holder's name: this host, process and a random part (one per holder)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(session: Session, name: str, owner: str, now: dt.datetime, seconds: float) -> bool:
    """Take (or renew) the lease `name` until now + seconds; False while another owner's lease
    runs. Commit right after: the lease counts once it is committed."""
    insert_or_ignore(session, Lease.__table__, [{"name": name}], ["name"])
    taken = session.execute(
        update(Lease)
        .where(
            Lease.name == name,
            or_(Lease.owner.is_(None), Lease.owner == owner, Lease.until < now),
        )
        .values(owner=owner, until=now + dt.timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def release(session: Session, name: str, owner: str) -> None:
    session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.owner == owner)
        .values(owner=None, until=None)
        .execution_options(synchronize_session=False)
    )


def holder(session: Session, name: str, now: dt.datetime) -> str | None:
    """Who holds the lease now, if anyone."""
    row = session.execute(select(Lease.owner, Lease.until).where(Lease.name == name)).first()
    if row is None or row.owner is None or row.until is None or row.until < now:
        return None
    return row.owner


def take_send_slot(
    session: Session, name: str, now: float, interval: float, first: bool = False
) -> float:
    """The moment (Unix time) at which the caller may send its next message: the budget's next
    free moment, or now when it is free; the budget moves on by `interval`. `first` (an answer
    to a reader who is waiting): now, and the budget's queue moves back by one interval — the
    answer costs a slot, but does not wait behind a fan-out's reserved ones."""
    insert_or_ignore(session, SendBudget.__table__, [{"name": name, "next_at": 0.0}], ["name"])
    start = case((SendBudget.next_at > now, SendBudget.next_at), else_=now)
    next_at = session.execute(
        update(SendBudget)
        .where(SendBudget.name == name)
        .values(next_at=start + interval)
        .returning(SendBudget.next_at)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return now if first else next_at - interval


def tick(store: Store, name: str, owner: str, seconds: float) -> bool:
    """Whether this process runs the scheduled job `name` this tick: it holds the lease for
    the tick's length and keeps it while it keeps ticking; another process takes it over only
    once it runs out (its holder stopped)."""
    with store.session() as session:
        return acquire(session, name, owner, utcnow(), seconds)


@contextlib.contextmanager
def exclusive(
    store: Store,
    name: str,
    seconds: float = 300.0,
    poll: float = 1.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lease `name` for the duration of the block, waiting while another process holds
    it (`on_wait` hears who, once). A thread renews it every third of `seconds`; a holder that
    dies frees it after `seconds`."""
    owner = new_owner()
    told = False
    while True:
        with store.session() as session:
            if acquire(session, name, owner, utcnow(), seconds):
                break
            other = holder(session, name, utcnow())
        if on_wait is not None and not told and other:
            on_wait(other)
            told = True
        threading.Event().wait(poll)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(seconds / 3):
            with contextlib.suppress(Exception), store.session() as session:  # next try renews
                acquire(session, name, owner, utcnow(), seconds)

    renewer = threading.Thread(target=renew, name=f"lease {name}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        with store.session() as session:
            release(session, name, owner)
