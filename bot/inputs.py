"""What users type, checked: one validator per kind (day, clock time, id, number, time zone),
each with its range. Out of range or unreadable raises `BadInput`, which says what was expected;
the console, Telegram, the CLI and the config all answer with that one message."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import t

# The days the store can hold: article dates outside this span are dropped on reading
# (bot/collect/text.py), and the bounds keep day arithmetic far from date.min/max.
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
MAX_ID = 2**31 - 1  # an INTEGER key on PostgreSQL (SQLite's are wider)
MAX_URL = 2000  # characters: Source.location and Article.url are VARCHAR(2000)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_ID = re.compile(r"#?(\d{1,12})")
_NUMBER = re.compile(r"[+-]?\d{1,18}")


class BadInput(ValueError):
    """A user's value that is unreadable or out of range; `message(language)` says so."""

    def __init__(self, kind: str, value: str, low: object = None, high: object = None) -> None:
        super().__init__(kind, value)
        self.kind = kind  # day | time | id | number | zone
        self.value, self.low, self.high = value, low, high

    def __str__(self) -> str:
        return self.message("en")

    def message(self, language: str) -> str:
        value = self.value if len(self.value) <= 40 else self.value[:39] + "…"
        return t(language, f"input.{self.kind}", value=value or "—", low=self.low, high=self.high)


def parse_day(text: str) -> dt.date:
    """ "2025-02-18" → date(2025, 2, 18), within FIRST_DAY..LAST_DAY."""
    value = text.strip()
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput("day", value, FIRST_DAY, LAST_DAY) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput("day", value, FIRST_DAY, LAST_DAY)
    return day


def parse_clock(text: str) -> dt.time:
    """ "07:30" (or "7.30") → time(7, 30); hours 0-23, minutes 0-59."""
    value = text.strip()
    match = _CLOCK.fullmatch(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadInput("time", value, "00:00", "23:59")
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_id(text: str) -> int:
    """ "#12" or "12" → 12, from 1 to MAX_ID."""
    value = text.strip()
    match = _ID.fullmatch(value)
    if not match or not 1 <= int(match.group(1)) <= MAX_ID:
        raise BadInput("id", value, 1, MAX_ID)
    return int(match.group(1))


def parse_number(text: str, low: int, high: int) -> int:
    """A whole number from `low` to `high` (ASCII digits only: int() would take "²" or "٣")."""
    value = text.strip()
    if not _NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise BadInput("number", value, low, high)
    return int(value)


def parse_zone(text: str) -> ZoneInfo:
    """An IANA time zone name: "Europe/Berlin"."""
    value = text.strip()
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        raise BadInput("zone", value) from None
