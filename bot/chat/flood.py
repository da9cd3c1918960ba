"""Flood control per user: a burst of commands is answered up to a limit, then politely
refused once, then ignored until the window has passed — other users are never slowed."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable


class FloodGuard:
    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, collections.deque] = collections.defaultdict(collections.deque)
        self._warned: set[int] = set()

    def check(self, user_id: int) -> str:
        """'ok' to answer, 'warn' to say "slower please" once, 'drop' to stay quiet."""
        now = self.clock()
        seen = self._seen[user_id]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "drop"
        self._warned.add(user_id)
        return "warn"
