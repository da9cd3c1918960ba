"""Delivery: each subscriber's briefing, once per local day, within Telegram's limits.

Exactly once: a delivery row (reader, day) is claimed before sending and records how many parts
of the briefing went out; a restart resumes after the last recorded part and never starts a
finished delivery again. The one window left is a crash between Telegram accepting a part and
the row being updated — at most one part of one briefing, and only on a crash.

Failures: 429 → wait `retry_after`, send again; 403 (blocked) → reader marked inactive;
400 "can't parse entities" → the part goes out as plain text; network errors → retried with
backoff, then left pending for the next run (within the grace period).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.brief.build import build_briefing
from bot.brief.render import render, split_message
from bot.chat.reply import Button, Services
from bot.config import parse_hhmm
from bot.i18n import t
from bot.store.readers import claim_delivery, subscribed_readers
from bot.store.schema import Briefing, Delivery, Subscriber, utcnow

log = logging.getLogger(__name__)

FINAL_STATES = ("sent", "blocked", "failed")
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


class Sender(Protocol):
    async def send(
        self, chat_id: int, text: str, html: bool, buttons: list[list[Button]]
    ) -> None: ...


class RateLimiter:
    """Telegram's limits: overall messages per second, one per second per chat, twenty per
    minute per group. Shared by everything that sends."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self.clock = clock
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}

    async def wait(self, chat_id: int) -> None:
        chat_gap = 3.0 if chat_id < 0 else 1.0  # groups: 20 per minute
        now = self.clock()
        chat_at = max(now, self._next_chat.get(chat_id, 0.0))
        self._next_chat[chat_id] = chat_at + chat_gap  # reserved before sleeping
        if chat_at > now:
            await asyncio.sleep(chat_at - now)
        # The overall slot is taken only once this chat may send, so one slow chat
        # never holds the others back.
        now = self.clock()
        at = max(now, self._next_global)
        self._next_global = at + self.interval
        self._next_chat[chat_id] = max(self._next_chat[chat_id], at + chat_gap)
        if at > now:
            await asyncio.sleep(at - now)


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
    waiting: int = 0  # due, but the day has no news yet
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.due} fällig, {self.sent} zugestellt ({self.parts} Nachrichten), "
            f"{self.blocked} blockiert, {self.failed} fehlgeschlagen, {self.pending} offen, "
            f"{self.waiting} warten auf Meldungen, {self.retries_429}× 429"
        )


def local_slot(reader: Subscriber, now: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """The reader's local day and today's delivery moment (aware) for `now` (aware)."""
    zone = ZoneInfo(reader.timezone)
    local_now = now.astimezone(zone)
    at = parse_hhmm(reader.delivery_time) or dt.time(7, 0)
    return local_now.date(), dt.datetime.combine(local_now.date(), at, tzinfo=zone)


@dataclass(frozen=True)
class Due:
    reader_id: int
    chat_id: int
    language: str
    day: dt.date
    since: dt.datetime | None  # the hour of the reader's last briefing: what they have seen


def due_readers(services: Services, now: dt.datetime, grace: dt.timedelta) -> list[Due]:
    """Every delivery due now and not finished."""
    due = []
    with services.store.session() as session:
        readers = subscribed_readers(session)
        days = {local_slot(r, now)[0] for r in readers}
        finished = set(
            session.execute(
                select(Delivery.subscriber_id, Delivery.day).where(
                    Delivery.day.in_(days), Delivery.state.in_(FINAL_STATES)
                )
            ).all()
        )
        last_sent = dict(
            session.execute(
                select(Delivery.subscriber_id, func.max(Delivery.sent_at))
                .where(Delivery.state == "sent")
                .group_by(Delivery.subscriber_id)
            ).all()
        )
        for r in readers:
            day, slot = local_slot(r, now)
            if slot <= now <= slot + grace and (r.id, day) not in finished:
                last = last_sent.get(r.id)
                # By the hour: readers with the same slot share one rendered edition.
                since = last.replace(minute=0, second=0, microsecond=0) if last else None
                due.append(Due(r.id, r.chat_id, r.language, day, since))
    return due


@dataclass
class _Edition:
    """One briefing rendered once for every reader of that day and language."""

    parts: list[str]
    plain: list[str]
    buttons: list[list[Button]]
    article_ids: list[int]
    actor_ids: list[int]

    @property
    def empty(self) -> bool:
        """No news for the day (yet): nothing worth a message."""
        return not self.article_ids


def _edition(
    services: Services, day: dt.date, language: str, since: dt.datetime | None
) -> _Edition:
    config = services.config
    with services.store.session() as session:
        briefing = build_briefing(session, day, config.zone, config.briefing, language, since=since)
    user_dir = config.briefing.templates
    parts = split_message(
        render("briefing", "telegram", user_dir, briefing=briefing, lang=language)
    )
    buttons = [
        [Button(t(language, "briefing.more", name=a.name)[:60], f"/actor #{a.actor_id}")]
        for a in briefing.actors[:3]
    ]
    return _Edition(
        parts=parts,
        plain=[plain_text(part) for part in parts],
        buttons=buttons,
        article_ids=[i for d in briefing.developments for i in d.article_ids],
        actor_ids=[a.actor_id for a in briefing.actors],
    )


_TAGS = re.compile(r"<[^>]+>")


def plain_text(telegram_html: str) -> str:
    """Telegram HTML as the text a reader would see: tags gone, entities decoded."""
    return html.unescape(_TAGS.sub("", telegram_html))


async def _send_part(
    sender: Sender,
    limiter: RateLimiter,
    chat_id: int,
    part: str,
    plain: str,
    buttons: list[list[Button]],
    report: FanoutReport,
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """One message, with the retries its failures call for; raises what cannot be fixed."""
    as_html, transient, throttled = True, 0, 0
    while True:
        await limiter.wait(chat_id)
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


async def deliver_one(
    services: Services,
    sender: Sender,
    limiter: RateLimiter,
    reader_id: int,
    chat_id: int,
    day: dt.date,
    edition: _Edition,
    report: FanoutReport,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    with services.store.session() as session:
        delivery = claim_delivery(session, reader_id, day)
        if delivery.state in FINAL_STATES:
            return
        delivery.attempts += 1
        delivery_id, start = delivery.id, delivery.parts_sent
    last = len(edition.parts) - 1
    for index in range(start, len(edition.parts)):
        buttons = edition.buttons if index == last else []
        try:
            await _send_part(
                sender,
                limiter,
                chat_id,
                edition.parts[index],
                edition.plain[index],
                buttons,
                report,
                sleep,
            )
        except SendError as error:
            _record_failure(services, delivery_id, reader_id, error, report)
            return
        report.parts += 1
        with services.store.session() as session:
            session.get(Delivery, delivery_id).parts_sent = index + 1
    with services.store.session() as session:
        delivery = session.get(Delivery, delivery_id)
        delivery.state, delivery.sent_at, delivery.error = "sent", utcnow(), None
        session.get(Subscriber, reader_id).last_briefing_day = day
    report.sent += 1


def _record_failure(
    services: Services, delivery_id: int, reader_id: int, error: SendError, report: FanoutReport
) -> None:
    with services.store.session() as session:
        delivery = session.get(Delivery, delivery_id)
        delivery.error = str(error)[:500] or type(error).__name__
        if isinstance(error, Blocked):
            delivery.state = "blocked"
            session.get(Subscriber, reader_id).active = False
            report.blocked += 1
        elif isinstance(error, Rejected):
            delivery.state = "failed"
            report.failed += 1
        else:  # transient: stays pending, the next run retries within the grace period
            report.pending += 1
    report.errors.append(f"{reader_id}: {error}")


def _remember_edition(services: Services, day: dt.date, language: str, edition: _Edition) -> None:
    """Store what the day's briefing contained, for "what's new since your last briefing"."""
    with services.store.session() as session:
        row = session.scalar(
            select(Briefing).where(Briefing.day == day, Briefing.language == language)
        )
        if row is None:
            row = Briefing(day=day, language=language)
            session.add(row)
        row.article_ids, row.actor_ids = edition.article_ids, edition.actor_ids


async def deliver_due(
    services: Services,
    sender: Sender,
    now: dt.datetime | None = None,
    limiter: RateLimiter | None = None,
    concurrency: int = 64,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> FanoutReport:
    """Send every briefing that is due now, once. The scheduler runs this every minute;
    `morgenlage deliver` runs it once."""
    config = services.config.delivery
    now = now or dt.datetime.now(dt.UTC)
    limiter = limiter or RateLimiter(config.messages_per_second)
    due = due_readers(services, now, dt.timedelta(minutes=config.grace_minutes))
    report = FanoutReport(due=len(due))
    editions: dict[tuple, _Edition] = {}
    remembered: set[tuple[dt.date, str]] = set()
    for item in due:
        key = (item.day, item.language, item.since)
        if key not in editions:
            editions[key] = _edition(services, item.day, item.language, item.since)
        if (item.day, item.language) not in remembered:  # editions differ only in emphasis
            _remember_edition(services, item.day, item.language, editions[key])
            remembered.add((item.day, item.language))
    gate = asyncio.Semaphore(concurrency)

    async def one(item: Due) -> None:
        if editions[item.day, item.language, item.since].empty:
            # Don't send "no news": wait — a collection within the grace period fills it.
            report.waiting += 1
            return
        async with gate:
            try:
                await deliver_one(
                    services,
                    sender,
                    limiter,
                    item.reader_id,
                    item.chat_id,
                    item.day,
                    editions[item.day, item.language, item.since],
                    report,
                    sleep,
                )
            except Exception as error:  # one reader's trouble never stops the fan-out
                log.exception("delivery to reader %s failed", item.reader_id)
                report.errors.append(f"{item.reader_id}: {error}")
                report.pending += 1

    await asyncio.gather(*(one(item) for item in due))
    if due:
        log.info("delivery: %s", report.summary())
    return report
