"""Flood control like Telegram's: token buckets in monotonic time, per bot and per chat.

Telegram documents (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)
roughly 1 message per second in a private chat (short bursts pass), 20 messages per minute in a
group and about 30 messages per second overall.  A request over a limit gets HTTP 429 with
``"description": "Too Many Requests: retry after N"`` and ``"parameters": {"retry_after": N}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Limits of one fake bot.  ``None`` switches a single limit off, ``enabled=False`` all."""

    enabled: bool = True
    #: messages per second over all chats, and how many may go at once
    global_per_second: float | None = 30.0
    global_burst: int = 30
    #: messages per second into one private chat (positive chat id)
    private_per_second: float | None = 1.0
    private_burst: int = 3
    #: messages per minute into one group, supergroup or channel (negative chat id)
    group_per_minute: float | None = 20.0
    group_burst: int = 20
    #: whether editMessageText / editMessageReplyMarkup count like sends
    count_edits: bool = True

    @classmethod
    def disabled(cls) -> RateLimits:
        return cls(enabled=False)


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second; one message costs one token."""

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("a bucket needs a positive rate and a capacity of at least 1")
        self.rate = rate
        self.capacity = float(capacity)
        self.tokens = float(capacity)
        self.last = now

    def _refill(self, now: float) -> None:
        if now > self.last:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0.0 if one is available now)."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0


class FloodControl:
    """Decides whether one more message may go to ``chat_id`` now; not thread-safe on its own."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}

    def _bucket_for(self, chat_id: int, now: float) -> TokenBucket | None:
        limits = self.limits
        bucket = self._chats.get(chat_id)
        if bucket is not None:
            return bucket
        if chat_id < 0:
            if limits.group_per_minute is None:
                return None
            bucket = TokenBucket(limits.group_per_minute / 60.0, limits.group_burst, now)
        else:
            if limits.private_per_second is None:
                return None
            bucket = TokenBucket(limits.private_per_second, limits.private_burst, now)
        self._chats[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int) -> int:
        """Take a slot and return 0, or take nothing and return ``retry_after`` (>= 1 s)."""
        limits = self.limits
        if not limits.enabled:
            return 0
        now = self.clock()
        buckets: list[TokenBucket] = []
        if limits.global_per_second is not None:
            if self._global is None:
                self._global = TokenBucket(limits.global_per_second, limits.global_burst, now)
            buckets.append(self._global)
        chat_bucket = self._bucket_for(chat_id, now)
        if chat_bucket is not None:
            buckets.append(chat_bucket)
        wait = max((b.wait_time(now) for b in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return 0

    def reset(self) -> None:
        self._global = None
        self._chats.clear()
