"""Delivery: each subscriber's briefing, once per slot, within Telegram's limits — from one
process or from several sharing the store.

What a briefing covers: the news that arrived from the reader's previous slot up to this one
(the first: the 24 hours before it), cut in the reader's time zone (bot/brief/window.py) — so
every process, and a late run after a restart, gives a reader the same window, and readers of
the same slot share it. Readers with the same window, language and filter share one edition,
rendered once and stored. A window with nothing in it sends nothing (its row says "empty"); the
next one reaches back to the last briefing that was sent.

Exactly once: a delivery row (reader, day) names its edition and is sent only under its lease
(bot/store/deliveries.py): any number of `deliver_due` runs — the bot's minute tick, a cron
`morgenlage deliver`, other replicas — work through the same due readers, each row goes to one
of them, and every part Telegram accepted is recorded before the next is sent. A lease left by a
dead process is taken over after `delivery.lease_seconds`, from the first part not recorded.
The one gap no client can close: a process that dies between Telegram accepting a part and the
store recording it leaves that part to be sent again.

A fatal failure (the process is stopping, the token is refused) stops the whole fan-out: every
sender finishes the message it is sending, records it, hands its delivery back and stops.

Failures of one message: 429 → wait `retry_after`, send again; 403 (blocked) → reader marked
inactive; 400 "can't parse entities" → the part goes out as plain text; network errors →
retried with backoff, then handed back for the next run (within the grace period).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import logging
import random
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.brief.build import build_briefing
from bot.brief.render import render, split_message
from bot.brief.window import Window, since_window
from bot.chat.reply import Button, Services
from bot.config import parse_hhmm
from bot.filters import NO_FILTER, ReaderFilter
from bot.i18n import t
from bot.ratelimit import RateLimiter, StoreBudget
from bot.store import deliveries
from bot.store.db import StoreUnavailable
from bot.store.leases import new_owner
from bot.store.reader_filters import filters_of
from bot.store.readers import deactivate, subscribed_readers
from bot.store.schema import Subscriber, utcnow

log = logging.getLogger(__name__)

TRANSIENT_TRIES = 4
RETRY_AFTER_TRIES = 10


class SendError(Exception):
    """A transport's failure, in the terms delivery cares about."""


class Blocked(SendError):
    """The reader blocked the bot, or the chat is gone: stop sending there."""


class RetryLater(SendError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class BadMarkup(SendError):
    """The transport refused the HTML: send the same text plainly."""


class Transient(SendError):
    """Network trouble or a server error: try again later."""


class Rejected(SendError):
    """A permanent refusal that is not about the reader (e.g. a bad request)."""


class Unauthorized(SendError):
    """The token was refused: nothing can be sent by anyone, so the fan-out stops."""


class LeaseLost(Exception):
    """Another process took this delivery over (our lease ran out while we waited)."""


class Sender(Protocol):
    async def send(
        self, chat_id: int, text: str, html: bool, buttons: list[list[Button]]
    ) -> None: ...


def shared_limiter(services: Services) -> RateLimiter:
    """The limiter every sender of a process uses: per chat here, overall through the store."""
    rate = services.config.delivery.messages_per_second
    return RateLimiter(rate, StoreBudget(services.store, rate))


@dataclass
class FanoutReport:
    due: int = 0
    sent: int = 0
    parts: int = 0
    blocked: int = 0
    failed: int = 0
    pending: int = 0
    retries_429: int = 0
    plain_fallbacks: int = 0
    waiting: int = 0  # due, but nothing new since their last briefing: no message
    elsewhere: int = 0  # finished or being sent by another process
    editions: int = 0  # briefings rendered by this run
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.due} fällig, {self.sent} zugestellt ({self.parts} Nachrichten), "
            f"{self.blocked} blockiert, {self.failed} fehlgeschlagen, {self.pending} offen, "
            f"{self.waiting} ohne Neues, {self.elsewhere} von anderen Prozessen, "
            f"{self.retries_429}× 429"
        )


def local_slot(reader: Subscriber, now: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """The reader's local day and today's delivery moment (aware) for `now` (aware)."""
    zone = ZoneInfo(reader.timezone)
    local_now = now.astimezone(zone)
    at = parse_hhmm(reader.delivery_time) or dt.time(7, 0)
    return local_now.date(), dt.datetime.combine(local_now.date(), at, tzinfo=zone)


@dataclass(frozen=True)
class Job:
    """One due delivery: a row in the store, whoever made it."""

    delivery_id: int
    reader_id: int
    chat_id: int


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    due: int = 0
    waiting: int = 0
    editions: int = 0


def edition_key(window: Window, language: str, shown: ReaderFilter) -> str:
    """What selects an edition's content: the same key, the same briefing."""
    what = [sorted(shown.topics_off), sorted(shown.mutes), sorted(shown.only)]
    text = f"{language}|{window.zone}|{window.start.isoformat()}|{window.end.isoformat()}|{what}"
    return hashlib.sha256(text.encode()).hexdigest()


def _render_edition(
    services: Services, window: Window, language: str, shown: ReaderFilter
) -> dict | None:
    """The briefing of `window` rendered for Telegram, as stored; None when it has no news."""
    config = services.config
    with services.store.session() as session:
        briefing = build_briefing(session, window, config.briefing, language, filter=shown)
    if briefing.empty:
        return None
    text = render(
        "briefing", "telegram", config.briefing.templates, briefing=briefing, lang=language
    )
    buttons = [
        [[t(language, "briefing.more", name=a.name)[:60], f"/actor #{a.actor_id}"]]
        for a in briefing.actors[:3]
    ]
    return {
        "language": language,
        "window_start": window.start,
        "window_end": window.end,
        "parts": split_message(text),
        "buttons": buttons,
        "article_ids": [i for d in briefing.developments for i in d.article_ids],
        "actor_ids": [a.actor_id for a in briefing.actors],
    }


def plan_deliveries(services: Services, now: dt.datetime) -> Plan:
    """Every delivery due now and not finished, with its row: readers whose slot has come get a
    row naming the edition of their window (rendered here unless stored already)."""
    config = services.config.delivery
    grace = dt.timedelta(minutes=config.grace_minutes)
    longest = dt.timedelta(hours=config.longest_window_hours)
    plan = Plan()
    with services.store.session() as session:
        due: dict[tuple[int, dt.date], Subscriber] = {}
        slots_at: dict[tuple[int, dt.date], dt.datetime] = {}
        for reader in subscribed_readers(session):
            day, slot = local_slot(reader, now)
            if slot <= now <= slot + grace:
                due[reader.id, day], slots_at[reader.id, day] = reader, slot
        rows = deliveries.slots(session, list(due))
        new = [reader.id for key, reader in due.items() if key not in rows]
        ends = deliveries.last_window_ends(session, new)
        filters = filters_of(session, new)
    plan.due = sum(1 for key in due if key not in rows or rows[key].state == "pending")
    # One edition per distinct window, language and filter, however many readers share it.
    groups: dict[tuple[Window, str, ReaderFilter], list[tuple[int, dt.date]]] = {}
    for key, reader in due.items():
        if key not in rows:
            window = since_window(ends.get(reader.id), slots_at[key], reader.timezone, longest)
            group = (window, reader.language, filters.get(reader.id, NO_FILTER))
            groups.setdefault(group, []).append(key)
    for (window, language, shown), keys in groups.items():
        edition_id = _stored_edition(services, window, language, shown, plan)
        # Nothing new: no message. The slot is done ("empty"); the reader's next briefing
        # reaches back to the last one sent.
        state = "pending" if edition_id is not None else "empty"
        plan.waiting += len(keys) if edition_id is None else 0
        opened = [
            {
                "subscriber_id": reader_id,
                "day": day,
                "state": state,
                "window_start": window.start,
                "window_end": window.end,
                "edition_id": edition_id,
            }
            for reader_id, day in keys
        ]
        with services.store.session() as session:
            deliveries.open_deliveries(session, opened)
    with services.store.session() as session:
        rows = deliveries.slots(session, list(due))
    for key, reader in due.items():
        row = rows.get(key)
        if row is not None and row.state == "pending":
            plan.jobs.append(Job(row.delivery_id, reader.id, reader.chat_id))
    return plan


def _stored_edition(
    services: Services, window: Window, language: str, shown: ReaderFilter, plan: Plan
) -> int | None:
    key = edition_key(window, language, shown)
    with services.store.session() as session:
        found = deliveries.edition_id(session, key)
    if found is not None:
        return found
    values = _render_edition(services, window, language, shown)
    if values is None:
        return None
    plan.editions += 1
    with services.store.session() as session:
        return deliveries.save_edition(session, key, values)


_TAGS = re.compile(r"<[^>]+>")


def plain_text(telegram_html: str) -> str:
    """Telegram HTML as the text a reader would see: tags gone, entities decoded."""
    return html.unescape(_TAGS.sub("", telegram_html))


@dataclass(frozen=True)
class _Parts:
    """An edition as sent: its parts, their plain-text fallbacks, the last part's buttons."""

    parts: list[str]
    plain: list[str]
    buttons: list[list[Button]]


class _Editions:
    """Stored editions, loaded once per run."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._loaded: dict[int, _Parts | None] = {}

    def _load(self, edition_id: int) -> _Parts | None:
        with self.services.store.session() as session:
            row = deliveries.edition(session, edition_id)
            if row is None:
                return None
            buttons = [[Button(label, command) for label, command in line] for line in row.buttons]
            return _Parts(list(row.parts), [plain_text(p) for p in row.parts], buttons)

    async def get(self, edition_id: int | None) -> _Parts | None:
        if edition_id is None:
            return None
        if edition_id not in self._loaded:
            self._loaded[edition_id] = await asyncio.to_thread(self._load, edition_id)
        return self._loaded[edition_id]


async def _send_part(
    sender: Sender,
    limiter: RateLimiter,
    chat_id: int,
    part: str,
    plain: str,
    buttons: list[list[Button]],
    report: FanoutReport,
    sleep: Callable[[float], Awaitable[None]],
    keep_lease: Callable[[], Awaitable[bool]],
) -> None:
    """One message, with the retries its failures call for; raises what cannot be fixed."""
    as_html, transient, throttled = True, 0, 0
    while True:
        await limiter.wait(chat_id)
        # The wait may have been long: only the lease's holder sends, and holding it again
        # here keeps it for the send.
        if not await keep_lease():
            raise LeaseLost
        try:
            await sender.send(chat_id, part if as_html else plain, as_html, buttons)
            return
        except RetryLater as error:
            report.retries_429 += 1
            throttled += 1
            if throttled > RETRY_AFTER_TRIES:
                raise Transient("still rate limited") from error
            await sleep(error.seconds)
        except BadMarkup:
            if not as_html:
                raise Rejected("refused even as plain text") from None
            log.warning("chat %s: HTML refused, sending as plain text", chat_id)
            report.plain_fallbacks += 1
            as_html = False
        except Transient:
            transient += 1
            if transient >= TRANSIENT_TRIES:
                raise
            await sleep(min(30.0, 0.5 * 2**transient))


@dataclass
class _Run:
    """What every sender of one `deliver_due` run shares."""

    services: Services
    sender: Sender
    limiter: RateLimiter
    report: FanoutReport
    sleep: Callable[[float], Awaitable[None]]
    owner: str
    lease: dt.timedelta
    editions: _Editions
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def store(self, call: Callable, *args: object) -> object:
        """A store call off the event loop, in its own unit of work."""

        def work() -> object:
            with self.services.store.session() as session:
                return call(session, *args)

        return await asyncio.to_thread(work)


async def deliver_one(run: _Run, job: Job) -> None:
    """Send one reader's briefing, from the first part not yet recorded, under its lease."""
    report = run.report
    claim = await run.store(deliveries.claim, job.delivery_id, run.owner, utcnow(), run.lease)
    if claim is None:
        report.elsewhere += 1
        return
    edition = await run.editions.get(claim.edition_id)
    if edition is None:  # its edition is gone (pruned): nothing left to resume
        await run.store(
            deliveries.finish, job.delivery_id, run.owner, "failed", utcnow(), "edition missing"
        )
        report.failed += 1
        return

    sent = claim.parts_sent

    async def keep_lease() -> bool:
        """Record the parts sent so far, renewing the lease; False once it was taken over."""
        return await run.store(deliveries.record_part, job.delivery_id, run.owner, sent, utcnow())

    last = len(edition.parts) - 1
    for index in range(claim.parts_sent, len(edition.parts)):
        if run.stop.is_set():
            await run.store(deliveries.release, job.delivery_id, run.owner, "stopped")
            report.pending += 1
            return
        buttons = edition.buttons if index == last else []
        try:
            await _send_part(
                run.sender,
                run.limiter,
                job.chat_id,
                edition.parts[index],
                edition.plain[index],
                buttons,
                report,
                run.sleep,
                keep_lease,
            )
        except LeaseLost:
            log.warning("delivery %s: lease lost, another process goes on", job.delivery_id)
            report.elsewhere += 1
            return
        except Unauthorized:
            await run.store(deliveries.release, job.delivery_id, run.owner, "token refused")
            raise
        except SendError as error:
            await _record_failure(run, job, error)
            return
        report.parts += 1
        sent = index + 1
        if not await keep_lease():  # recorded only under the lease, which was just renewed
            log.warning("delivery %s: lease lost after a send", job.delivery_id)
            return
    await run.store(deliveries.finish, job.delivery_id, run.owner, "sent", utcnow())
    report.sent += 1


async def _record_failure(run: _Run, job: Job, error: SendError) -> None:
    report, text = run.report, str(error) or type(error).__name__
    if isinstance(error, Blocked):
        await run.store(deliveries.finish, job.delivery_id, run.owner, "blocked", utcnow(), text)
        await run.store(deactivate, job.reader_id)
        report.blocked += 1
    elif isinstance(error, Rejected):
        await run.store(deliveries.finish, job.delivery_id, run.owner, "failed", utcnow(), text)
        report.failed += 1
    else:  # transient: handed back; the next run retries within the grace period
        await run.store(deliveries.release, job.delivery_id, run.owner, text)
        report.pending += 1
    report.errors.append(f"{job.reader_id}: {error}")


async def deliver_due(
    services: Services,
    sender: Sender,
    now: dt.datetime | None = None,
    limiter: RateLimiter | None = None,
    concurrency: int | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> FanoutReport:
    """Send every briefing that is due now, once. The scheduler runs this every minute;
    `morgenlage deliver` runs it once; several processes may run it at the same time."""
    config = services.config.delivery
    now = now or dt.datetime.now(dt.UTC)
    plan = await asyncio.to_thread(plan_deliveries, services, now)
    report = FanoutReport(due=plan.due, waiting=plan.waiting, editions=plan.editions)
    run = _Run(
        services=services,
        sender=sender,
        limiter=limiter or shared_limiter(services),
        report=report,
        sleep=sleep,
        owner=new_owner(),
        lease=dt.timedelta(seconds=config.lease_seconds),
        editions=_Editions(services),
    )
    # Each run takes the due readers in its own order, so runs beside it rarely reach for the
    # same delivery at once.
    random.shuffle(plan.jobs)
    jobs = iter(plan.jobs)
    concurrency = concurrency or config.concurrent_readers
    senders = [_sender(run, jobs) for _ in range(min(concurrency, len(plan.jobs)))]
    outcomes = await asyncio.gather(*senders, return_exceptions=True)
    if plan.jobs or plan.waiting:
        log.info("delivery: %s", report.summary())
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise failures[0]  # one is enough: the others are the same store or token
    return report


async def _sender(run: _Run, jobs: Iterator[Job]) -> None:
    """One of the run's concurrent senders: takes the next job until none are left or the
    run stops."""
    while not run.stop.is_set():
        job = next(jobs, None)
        if job is None:
            return
        try:
            await deliver_one(run, job)
        except (Unauthorized, *StoreUnavailable):  # nothing can be sent or recorded: stop
            run.stop.set()
            raise
        except Exception as error:  # one reader's trouble never stops the fan-out
            log.exception("delivery to reader %s failed", job.reader_id)
            run.report.errors.append(f"{job.reader_id}: {error}")
            run.report.pending += 1
        except BaseException:  # the process is stopping: the other senders stop cleanly
            run.stop.set()
            raise
