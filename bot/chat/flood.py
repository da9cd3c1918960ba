"""Flood control per user: a burst of commands is answered up to a limit, then politely
refused once, then ignored until the window has passed — other users are never slowed.

Memory stays bounded by the users of the last window: once per window, users whose last
command is older than the window are forgotten.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable


class FloodGuard:
    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, collections.deque] = {}
        self._warned: set[int] = set()
        self._pruned_at = clock()

    def check(self, user_id: int) -> str:
        """'ok' to answer, 'warn' to say "slower please" once, 'drop' to stay quiet."""
        now = self.clock()
        if now - self._pruned_at >= self.window:
            self._prune(now)
        seen = self._seen.setdefault(user_id, collections.deque())
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

    def __len__(self) -> int:
        """Users remembered now."""
        return len(self._seen)

    def _prune(self, now: float) -> None:
        window = self.window
        quiet = [user for user, seen in self._seen.items() if not seen or now - seen[-1] > window]
        for user in quiet:
            del self._seen[user]
            self._warned.discard(user)
        self._pruned_at = now
