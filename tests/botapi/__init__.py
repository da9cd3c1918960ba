"""A fake Telegram Bot API server for end-to-end tests and benchmarks (loopback only).

Quick start::

    from tests.botapi import FakeTelegramServer

    with FakeTelegramServer() as server:
        app = server.application_builder().build()
        ...
        server.send_user_message(42, "/start")
        [reply] = server.wait_for_messages(42, 1)

See :mod:`tests.botapi.server` for the full API, :mod:`tests.botapi.telegram_html` for the
HTML rules and :mod:`tests.botapi.fixtures` for pytest fixtures
(``pytest_plugins = ["tests.botapi.fixtures"]``).
"""

from .ratelimit import FloodControl, RateLimits, TokenBucket
from .server import (
    DEFAULT_TOKEN,
    DEFAULT_USERNAME,
    ApiError,
    CallbackAnswer,
    ChatActionRecord,
    FakeTelegramServer,
    RecordedMessage,
    RecordedRequest,
    command_entities,
)
from .telegram_html import EntityParseError, ParsedText, parse_html, utf16_len

__all__ = [
    "DEFAULT_TOKEN",
    "DEFAULT_USERNAME",
    "ApiError",
    "CallbackAnswer",
    "ChatActionRecord",
    "EntityParseError",
    "FakeTelegramServer",
    "FloodControl",
    "ParsedText",
    "RateLimits",
    "RecordedMessage",
    "RecordedRequest",
    "TokenBucket",
    "command_entities",
    "parse_html",
    "utf16_len",
]
