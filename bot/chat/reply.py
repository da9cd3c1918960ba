"""What a command answers, independent of the transport (Telegram or console)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.brief.render import render
from bot.config import Config
from bot.memory import release_freed_memory
from bot.store import Store

MAX_BUTTON_DATA = 64  # Telegram's limit for callback data, in bytes


@dataclass(frozen=True)
class Button:
    label: str
    command: str  # what pressing it runs, e.g. "/actor #12"

    def __post_init__(self) -> None:
        if len(self.command.encode("utf-8")) > MAX_BUTTON_DATA:
            raise ValueError(f"button command longer than {MAX_BUTTON_DATA} bytes")


@dataclass
class Reply:
    view: str  # template name: "briefing", "actor", "message", …
    context: dict = field(default_factory=dict)
    buttons: list[list[Button]] = field(default_factory=list)

    def render(self, fmt: str, language: str, user_dir: str = "") -> str:
        return render(self.view, fmt, user_dir, lang=language, **self.context)


def message(text: str, buttons: list[list[Button]] | None = None) -> Reply:
    return Reply("message", {"text": text}, buttons or [])


@dataclass
class Chat:
    """Who is asking: the chat and its settings."""

    chat_id: int
    language: str = "de"
    user_id: int | None = None
    chat_type: str = "private"
    username: str | None = None
    is_admin: bool = False
    timezone: str | None = None  # the reader's zone once known; else the configured one


@dataclass
class Services:
    """What handlers work with."""

    store: Store
    config: Config
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _analyser: object = None
    # The running bot collects in a process of its own (bot/jobs.py CollectProcess); without
    # one, in this process.
    collector: object = None
    # The scheduled collection and an admin's /collect run in worker threads; one at a time, as
    # they share the spaCy pipeline and the parse thread (see bot/collect/collector.py).
    _collecting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def today(self) -> dt.date:
        return self.clock().astimezone(self.config.zone).date()

    def collect(self):
        """Run the collection job (sources → store → analysis) with one shared pipeline."""
        from bot.analyse.analyser import Analyser
        from bot.jobs import collect

        with self._collecting:
            try:
                if self.collector is not None:
                    url = self.store.engine.url.render_as_string(hide_password=False)
                    return self.collector.run(url, self.config)
                if self._analyser is None:
                    self._analyser = Analyser(self.config.analysis)
                return collect(self.store, self.config, analyser=self._analyser)
            finally:
                # Once a collection: what the commands of the last minutes freed goes back.
                release_freed_memory()
