"""Telegram's sending limits, kept by everything that sends: about 30 messages a second overall,
one a second per chat, twenty a minute per group.

The per-chat spacing lives in the process (a chat's briefing and its command answers come from
one process at a time). The overall rate is a budget: `StoreBudget` shares it through the store
between every process of a deployment, `LocalBudget` keeps it within one process (tests,
benchmarks of one sender).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from bot.store import Store
from bot.store.db import StoreUnavailable
from bot.store.leases import take_send_slot

GROUP_GAP = 3.0  # seconds between messages to one group: twenty a minute
CHAT_GAP = 1.0
PRUNE_AT = 10_000  # chats remembered before the ones long past are forgotten


class Budget(Protocol):
    async def take(self, first: bool = False) -> float:
        """Reserve the next overall sending moment; the seconds to wait until it. `first`: an
        answer someone waits for — sent now, moving the queued moments back by one."""
        ...


class LocalBudget:
    """The overall rate within this process."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self.clock = clock
        self._next = 0.0

    def take_now(self, first: bool = False) -> float:
        now = self.clock()
        at = max(now, self._next)
        self._next = at + self.interval
        return 0.0 if first else at - now

    async def take(self, first: bool = False) -> float:
        return self.take_now(first)


class StoreBudget:
    """The overall rate shared through the store by every process that sends. While the store
    cannot be reached, this process keeps to the rate on its own."""

    def __init__(self, store: Store, per_second: float, name: str = "telegram") -> None:
        self.store = store
        self.interval = 1.0 / per_second
        self.name = name
        self._alone = LocalBudget(per_second, time.time)
        self._counting: set[asyncio.Future] = set()  # answers' slots being recorded

    def _take(self, first: bool) -> float:
        try:
            with self.store.session() as session:
                at = take_send_slot(session, self.name, time.time(), self.interval, first)
        except StoreUnavailable:
            return self._alone.take_now(first)
        return max(0.0, at - time.time())

    async def take(self, first: bool = False) -> float:
        if first:  # an answer goes now; it is counted as soon as the store can take it
            counting = asyncio.ensure_future(asyncio.to_thread(self._take, True))
            self._counting.add(counting)
            counting.add_done_callback(self._counting.discard)
            return 0.0
        return await asyncio.to_thread(self._take, first)


class RateLimiter:
    """Waits until a message to `chat_id` may go out."""

    def __init__(
        self,
        per_second: float,
        budget: Budget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = budget or LocalBudget(per_second, clock)
        self.clock = clock
        self._next_chat: dict[int, float] = {}

    async def wait(self, chat_id: int, first: bool = False) -> None:
        """`first`: an answer to a command — it goes before the queued briefings (it still
        counts against the overall rate, and a chat's own spacing holds)."""
        gap = GROUP_GAP if chat_id < 0 else CHAT_GAP
        now = self.clock()
        chat_at = max(now, self._next_chat.get(chat_id, 0.0))
        self._next_chat[chat_id] = chat_at + gap  # reserved before sleeping
        if chat_at > now:
            await asyncio.sleep(chat_at - now)
        # The overall slot is taken only once this chat may send, so one slow chat never
        # holds the others back.
        delay = await self.budget.take(first)
        self._next_chat[chat_id] = max(self._next_chat[chat_id], self.clock() + delay + gap)
        if delay > 0:
            await asyncio.sleep(delay)
        if len(self._next_chat) > PRUNE_AT:
            self._prune()

    def _prune(self) -> None:
        now = self.clock()
        self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
