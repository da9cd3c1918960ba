"""Logging set-up: one format, quiet libraries, and secrets never written to a log line — nor
to stderr: `describe_error` turns any exception into one redacted line for the CLI and the bot."""

from __future__ import annotations

import errno
import logging
import re
import traceback

# A Telegram bot token ("123456789:AA…"), and the Bot API's URL paths that carry one
# (https://api.telegram.org/bot<token>/getMe, …/file/bot<token>/…).
_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")
_TOKEN_IN_URL = re.compile(r"(/bot)\d+:[^/\s'\"<>]*")
_SECRETS: list[str] = []  # those of the running config, set by setup_logging
MASK = "<token>"


def redact(text: str, secrets: list[str] | None = None) -> str:
    """`text` with every secret, anything shaped like a bot token and the token part of a Bot
    API URL replaced by <token>."""
    for secret in _SECRETS if secrets is None else secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _TOKEN_SHAPE.sub(MASK, text)
    return _TOKEN_IN_URL.sub(rf"\1{MASK}", text)


class RedactSecrets(logging.Filter):
    """Redacts each log record's final message and traceback (see `redact`) — HTTP client logs
    put the token into URLs, exceptions can carry it too. Without `tracebacks` (no -v) a record
    stays one line: its traceback is dropped."""

    def __init__(self, secrets: list[str], tracebacks: bool = True) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]
        self.tracebacks = tracebacks

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not self.tracebacks:
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        record.msg, record.args = redact(message, self.secrets), None
        return True


def setup_logging(verbose: bool = False, secrets: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # httpx logs every request URL at INFO — the Bot API URL contains the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _SECRETS[:] = [s for s in secrets or [] if s]
    redact_filter = RedactSecrets(_SECRETS, tracebacks=verbose)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact_filter)


def describe_error(error: BaseException, bot_api: str = "") -> str:
    """One redacted line for any exception: what a user can act on, not a traceback.
    `bot_api` is the Bot API's base URL, named when it cannot be reached."""
    from telegram.error import InvalidToken, NetworkError, TimedOut

    if isinstance(error, InvalidToken):
        line = "Telegram rejected the bot token (MORGENLAGE_TELEGRAM_TOKEN or telegram.token)"
    elif isinstance(error, NetworkError | TimedOut):
        where = bot_api or "https://api.telegram.org/bot"
        line = f"cannot reach the Bot API at {where}: {_network_reason(error)}"
    elif isinstance(error, RuntimeError | OSError) and str(error):
        line = str(error)  # our own errors (StoreError, ModelError) say it in words already
    else:
        line = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return redact(" ".join(line.split()))


def masked_traceback(error: BaseException) -> str:
    """The traceback, redacted: what `-v` adds to the one line."""
    return redact("".join(traceback.format_exception(error)))


def _network_reason(error: BaseException) -> str:
    """ "connection refused", "timed out", … from the chain of causes, else the message."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or getattr(seen, "errno", None) == (
            errno.ECONNREFUSED
        ):
            return "connection refused"
        if isinstance(seen, TimeoutError) or "timed out" in str(seen).lower():
            return "timed out"
        seen = seen.__cause__ or seen.__context__
    return str(error).split(": ", 1)[-1] or type(error).__name__
