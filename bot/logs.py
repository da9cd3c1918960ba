"""Logging set-up: one format, quiet libraries, and secrets never written to a log line."""

from __future__ import annotations

import logging


class RedactSecrets(logging.Filter):
    """Replaces each secret (the bot token) in a record's final message with a placeholder —
    HTTP client logs put the token into URLs, exceptions can carry it too."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, "<token>")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "<token>")
        record.msg, record.args = message, None
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
    redact = RedactSecrets(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
