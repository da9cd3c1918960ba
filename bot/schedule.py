"""The running bot's jobs, all on one scheduler (PTB's JobQueue, APScheduler underneath):
collect on an interval, then push follows; deliver due briefings every minute; once a day, the
process that collects prunes what is older than `store.keep_days` (bot/store/retention.py).

Every store call and every CPU-heavy step runs in a worker thread (`asyncio.to_thread`): the
event loop only awaits, so commands are answered while a collection or a fan-out runs.

Several processes may run them on one store (replicas, or a bot front end beside a worker):
each job runs in one process per tick — the one holding the job's lease (bot/store/leases.py).
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application, ContextTypes

from bot.deliver import deliver_due
from bot.follows import push_follows
from bot.store.leases import new_owner, tick
from bot.store.retention import prune_old
from bot.store.schema import utcnow

log = logging.getLogger(__name__)
DELIVERY_TICK = 60.0  # seconds; a reader's slot is checked every minute
PRUNE_TICK = 24 * 3600.0  # retention runs once a day
JOBS = ("collect", "deliver")


def _parts(context: ContextTypes.DEFAULT_TYPE):
    return context.application.bot_data["morgenlage"]


async def _my_tick(context: ContextTypes.DEFAULT_TYPE, job: str, seconds: float) -> bool:
    """Whether this process runs `job` now; False when another process holds its lease."""
    parts = _parts(context)
    owner = context.application.bot_data.setdefault("lease_owner", new_owner())
    # A little shorter than the interval, so this process's next tick finds it free.
    hold = max(seconds - 5, seconds * 0.9)
    return await asyncio.to_thread(tick, parts.services.store, f"job:{job}", owner, hold)


async def collect_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    parts = _parts(context)
    interval = parts.services.config.delivery.collect_minutes * 60
    if not await _my_tick(context, "collect", interval):
        return
    started = utcnow()
    report = await asyncio.to_thread(parts.services.collect)
    log.info("collection: %s", report.summary().splitlines()[0])
    if parts.services.config.delivery.follow_pushes:
        await push_follows(parts.services, parts.sender, parts.limiter, started)


async def deliver_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    parts = _parts(context)
    lock: asyncio.Lock = context.application.bot_data.setdefault("delivery_lock", asyncio.Lock())
    if lock.locked():  # a long fan-out is still running here: never run two at once
        return
    if not await _my_tick(context, "deliver", DELIVERY_TICK):
        return
    async with lock:
        await deliver_due(parts.services, parts.sender, limiter=parts.limiter)


async def prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    parts = _parts(context)
    if not await _my_tick(context, "prune", PRUNE_TICK):
        return
    keep = parts.services.config.store.keep_days
    pruned = await asyncio.to_thread(prune_old, parts.services.store, keep, utcnow())
    if pruned.articles:
        log.info(
            "retention: %d articles older than %d days pruned (%d sentences, %d mentions)",
            pruned.articles,
            keep,
            pruned.sentences,
            pruned.mentions,
        )


def schedule_jobs(
    application: Application, jobs: tuple[str, ...] = JOBS, collected: bool = False
) -> None:
    """Put `jobs` on the application's scheduler. `collected`: a collection just ran, so the
    first scheduled one waits a full interval."""
    queue = application.job_queue
    config = application.bot_data["morgenlage"].services.config.delivery
    interval = config.collect_minutes * 60
    if "collect" in jobs:
        first = interval if collected else 1
        queue.run_repeating(collect_job, interval=interval, first=first, name="collect")
        # The process that collects also prunes; a few minutes in, after the first collection.
        queue.run_repeating(prune_job, interval=PRUNE_TICK, first=300, name="prune")
    if "deliver" in jobs:
        queue.run_repeating(deliver_job, interval=DELIVERY_TICK, first=5, name="deliver")
