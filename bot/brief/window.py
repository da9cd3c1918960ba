"""What a briefing covers: a window of time, cut in the reader's own time zone.

A scheduled briefing and `/today` cover the news since the reader's previous briefing (the
first one: the last 24 hours): the articles that *arrived* (were analysed) since then, so an
article published at 06:50 but collected at 07:20 is in the next briefing, not lost between two
— unless it is older than the longest window (a new feed's backlog). `/briefing DATE` and
`/yesterday` cover a calendar day: the articles *published* that day. The window's bounds are
naive UTC, like every time in the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

FIRST_WINDOW = dt.timedelta(hours=24)  # a reader's first briefing


@dataclass(frozen=True)
class Window:
    start: dt.datetime  # naive UTC, inclusive
    end: dt.datetime  # naive UTC, exclusive
    zone: str  # the reader's IANA zone: local days and the title are cut there
    calendar_day: bool = False  # a whole local day rather than "since the last briefing"
    oldest: dt.datetime | None = None  # since-windows: nothing published before this

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.replace(tzinfo=dt.UTC).astimezone(self.tz)

    @property
    def day(self) -> dt.date:
        """The local day the briefing is dated: the calendar day, or the day it ends."""
        return self.local(self.end - dt.timedelta(microseconds=1)).date()

    @property
    def local_start(self) -> dt.datetime:
        return self.local(self.start)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def day_window(day: dt.date, zone: str) -> Window:
    """A local calendar day [00:00, next 00:00) — 23 or 25 hours on DST days."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return Window(naive_utc(start), naive_utc(end), zone, calendar_day=True)


def since_window(
    last_end: dt.datetime | None, now: dt.datetime, zone: str, longest: dt.timedelta
) -> Window:
    """The news since the reader's previous briefing ended (naive UTC), up to `now` (aware), at
    most `longest` back; the last 24 hours for a reader's first. Readers whose previous
    briefings ended together and who are served at the same `now` share one window."""
    end = naive_utc(now)
    start = last_end or end - FIRST_WINDOW
    start = min(max(start, end - longest), end)
    return Window(start, end, zone, oldest=end - longest)
