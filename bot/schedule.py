"""The running bot's jobs, all on one scheduler (PTB's JobQueue, APScheduler underneath):
collect on an interval, then push follows; deliver due briefings every minute."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram.ext import Application, ContextTypes

from bot.deliver import deliver_due
from bot.follows import push_follows

log = logging.getLogger(__name__)
DELIVERY_TICK = 60.0  # seconds; a reader's slot is checked every minute


def _parts(context: ContextTypes.DEFAULT_TYPE):
    return context.application.bot_data["morgenlage"]


async def collect_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    parts = _parts(context)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = await asyncio.to_thread(parts.services.collect)
    log.info("collection: %s", report.summary().splitlines()[0])
    if parts.services.config.delivery.follow_pushes:
        await push_follows(parts.services, parts.sender, parts.limiter, started)


async def deliver_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    parts = _parts(context)
    lock: asyncio.Lock = context.application.bot_data.setdefault("delivery_lock", asyncio.Lock())
    if lock.locked():  # a long fan-out is still running: never run two at once
        return
    async with lock:
        await deliver_due(parts.services, parts.sender, limiter=parts.limiter)


def schedule_jobs(application: Application) -> None:
    jobs = application.job_queue
    config = application.bot_data["morgenlage"].services.config.delivery
    jobs.run_repeating(collect_job, interval=config.collect_minutes * 60, first=1, name="collect")
    jobs.run_repeating(deliver_job, interval=DELIVERY_TICK, first=5, name="deliver")
