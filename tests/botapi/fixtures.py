"""pytest fixtures for the fake Bot API; enable with ``pytest_plugins = ["tests.botapi.fixtures"]``.

``fake_telegram``: a started :class:`FakeTelegramServer` with rate limits off (tests that want
flood control build their own server), stopped after the test.
``fake_telegram_limited``: the same with Telegram's default limits.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .ratelimit import RateLimits
from .server import FakeTelegramServer


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        yield server


@pytest.fixture
def fake_telegram_limited() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server
