"""Configuration: one typed `Config`, loaded from TOML and the environment.

Every setting has a default, so Morgenlage runs without any file. A wrong key, type or value
raises `ConfigError` whose message names the key — the CLI prints it as one line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from bot.inputs import MAX_URL, BadInput, parse_clock
from bot.paths import shipped_seeds_dir

CONFIG_ENV = "MORGENLAGE_CONFIG"
TOKEN_ENV = "MORGENLAGE_TELEGRAM_TOKEN"
WEBHOOK_SECRET_ENV = "MORGENLAGE_WEBHOOK_SECRET"
STORE_URL_ENV = "MORGENLAGE_STORE_URL"


# The dossier reads the last 14 days' sentences: retention never reaches into them.
MIN_KEEP_DAYS = 15


class ConfigError(ValueError):
    """A setting is wrong; the message names it."""


def default_store_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("morgenlage", appauthor=False))
    return f"sqlite:///{data_dir / 'morgenlage.sqlite'}"


@dataclass(frozen=True)
class StoreConfig:
    url: str = ""  # empty: SQLite in the per-user data directory
    # Days an article's text, sentences and mentions are kept (actors, roles, quotes stay);
    # 0 keeps everything.
    keep_days: int = 30

    def resolved_url(self) -> str:
        return self.url or default_store_url()


@dataclass(frozen=True)
class SourcesConfig:
    paths: tuple[str, ...] = ()  # empty: the shipped seeds/
    feeds: tuple[str, ...] = ()
    presets: tuple[str, ...] = ()  # shipped feed lists, e.g. ("de",): bot/collect/presets.py

    def resolved_paths(self) -> tuple[Path, ...]:
        return tuple(Path(p).expanduser() for p in self.paths) or (shipped_seeds_dir(),)


@dataclass(frozen=True)
class CollectConfig:
    """How feeds and article pages are fetched (bot/collect/http.py)."""

    timeout: float = 20.0  # seconds per request, body included: a slow drip counts
    max_bytes: int = 10_000_000  # a larger body is refused
    concurrency: int = 16  # requests at a time, all hosts together
    per_host: int = 2  # requests at a time to one host
    retries: int = 2  # further tries after a timeout, 5xx or 429
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    user_agent: str = ""  # empty: "Morgenlage/<version> (news briefing bot; …)"
    # e.g. ["10.0.0.0/8", "127.0.0.1:8080", "[::1]:8080"]: a port limits the entry to that port
    allow_private_addresses: tuple[str, ...] = ()
    fetch_full_text: bool = True  # fetch the article page when a feed item is only a teaser


def _validate_collect(config: Config) -> None:
    for url in config.sources.feeds:
        scheme = url.strip().split("://", 1)[0].lower() if "://" in url else "https"
        if scheme not in ("http", "https") or not url.strip() or " " in url.strip():
            raise ConfigError(f"sources.feeds: not an http(s) URL: {url!r}")
    c = config.collect
    if not 0.1 <= c.timeout <= 600:
        raise ConfigError(f"collect.timeout: expected 0.1 to 600 seconds, got {c.timeout:g}")
    if c.max_bytes < 10_000:
        raise ConfigError(f"collect.max_bytes: expected at least 10000, got {c.max_bytes}")
    for key in ("concurrency", "per_host"):
        if not 1 <= getattr(c, key) <= 256:
            raise ConfigError(f"collect.{key}: expected 1 to 256, got {getattr(c, key)}")
    if not 0 <= c.retries <= 10:
        raise ConfigError(f"collect.retries: expected 0 to 10, got {c.retries}")
    if not 0 <= c.backoff <= 60:
        raise ConfigError(f"collect.backoff: expected 0 to 60 seconds, got {c.backoff:g}")
    for value in c.allow_private_addresses:
        try:
            allowed_network(value)
        except ValueError:
            raise ConfigError(
                "collect.allow_private_addresses: not an address or network (with an optional "
                f"port: 127.0.0.1:8080, [::1]:8080, 10.0.0.0/8): {value!r}"
            ) from None
    for url in config.sources.feeds:
        if len(url) > MAX_URL:
            raise ConfigError(f"sources.feeds: a URL longer than {MAX_URL} characters")


_BRACKETED = re.compile(r"\[(?P<network>[^\]]+)\](?::(?P<port>\d{1,5}))?")


def allowed_network(
    value: str,
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]:
    """An `allow_private_addresses` entry: a network and the one port allowed (None: any).
    "127.0.0.1", "10.0.0.0/8:443", "[::1]:8080", "fc00::/7". Raises ValueError."""
    text, port = value.strip(), None
    if match := _BRACKETED.fullmatch(text):
        text, port = match["network"], match["port"]
    elif text.count(":") == 1:  # IPv4 with a port (an IPv6 address has several colons)
        text, port = text.split(":")
    if port is not None and not (str(port).isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"not a port: {port}")
    return ipaddress.ip_network(text, strict=False), int(port) if port is not None else None


@dataclass(frozen=True)
class AnalysisConfig:
    model: str = ""  # empty: the shipped German pipeline
    english_model: str = ""  # e.g. "en_core_web_sm" where installed
    batch_size: int = 16
    max_chars: int = 100_000  # longer article texts are cut, with a logged note


@dataclass(frozen=True)
class BriefingConfig:
    language: str = "de"
    timezone: str = "Europe/Berlin"
    developments: int = 5
    sentences_per_development: int = 3
    actors: int = 8
    templates: str = ""  # a folder whose files override shipped templates by name
    # Ranking of stories (bot/brief/build.py): each signal is scaled to 0..1, then weighted.
    weight_sources: float = 1.0  # independent sources reporting the story
    weight_recency: float = 0.5  # how late in the day its newest article came
    weight_actors: float = 0.7  # how prominent its people and organisations are lately
    weight_novelty: float = 0.8  # a new story, or how much a continuing one adds
    figures: int = 3  # "Zahlen des Tages": key figures shown, at most one per story
    reading_words: int = 380  # word budget of the developments (about two minutes of reading)


@dataclass(frozen=True)
class TelegramConfig:
    token: str = dataclasses.field(default="", repr=False)
    base_url: str = ""  # e.g. http://127.0.0.1:8081/bot for a self-hosted Bot API server
    admins: tuple[int, ...] = ()
    webhook_url: str = ""  # empty: long polling
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = dataclasses.field(default="", repr=False)


@dataclass(frozen=True)
class DeliveryConfig:
    default_time: str = "07:00"  # HH:MM, the reader's local time
    grace_minutes: int = 360  # a missed slot is still delivered this long after
    collect_minutes: int = 30  # collection interval of the running bot
    messages_per_second: float = 28.0  # overall, across every process; Telegram allows ~30
    follow_pushes: bool = True
    # A briefing covers the news since the reader's previous one, but never more than this.
    longest_window_hours: int = 72
    # A delivery whose sender has not reported for this long was left by a dead process and is
    # taken over (parts already sent are not sent again).
    lease_seconds: int = 120
    # Readers one process sends to at once (each holds its delivery's lease while it waits for
    # the shared rate): beside other senders, fewer means the work is spread more evenly.
    concurrent_readers: int = 64


@dataclass(frozen=True)
class Config:
    store: StoreConfig = field(default_factory=StoreConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    collect: CollectConfig = field(default_factory=CollectConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    briefing: BriefingConfig = field(default_factory=BriefingConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.briefing.timezone)


def _check_value(key: str, value: object, annotation: object) -> object:
    origin = typing.get_origin(annotation)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {type(value).__name__}")
        return tuple(_check_value(f"{key}[{i}]", v, item_type) for i, v in enumerate(value))
    if annotation is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{key}: expected a whole number, got {value!r}")
    if annotation is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    if annotation is float:
        return float(value)
    if annotation is bool and not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if annotation is str and not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _section(cls: type, name: str, raw: object) -> object:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}]: expected a table, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in raw.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{name}.{key}: unknown setting (known: {known})")
        values[key] = _check_value(f"{name}.{key}", value, hints[key])
    return cls(**values)


def _validate(config: Config) -> None:
    _validate_collect(config)
    keep = config.store.keep_days
    if keep != 0 and not MIN_KEEP_DAYS <= keep <= 36_500:
        raise ConfigError(
            f"store.keep_days: expected 0 (keep everything) or {MIN_KEEP_DAYS} to 36500, got {keep}"
        )
    b = config.briefing
    if b.language not in ("de", "en"):
        raise ConfigError(f"briefing.language: expected 'de' or 'en', got {b.language!r}")
    try:
        ZoneInfo(b.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"briefing.timezone: unknown time zone {b.timezone!r}") from None
    for key in ("developments", "sentences_per_development", "actors"):
        if not 1 <= getattr(b, key) <= 50:
            raise ConfigError(f"briefing.{key}: expected 1 to 50, got {getattr(b, key)}")
    for key in ("weight_sources", "weight_recency", "weight_actors", "weight_novelty"):
        if not 0 <= getattr(b, key) <= 10:
            raise ConfigError(f"briefing.{key}: expected 0 to 10, got {getattr(b, key):g}")
    if not 0 <= b.figures <= 20:
        raise ConfigError(f"briefing.figures: expected 0 to 20, got {b.figures}")
    if not 50 <= b.reading_words <= 10_000:
        raise ConfigError(f"briefing.reading_words: expected 50 to 10000, got {b.reading_words}")
    if not 1 <= config.analysis.batch_size <= 10_000:
        raise ConfigError("analysis.batch_size: expected 1 to 10000")
    if not 1000 <= config.analysis.max_chars <= 10_000_000:
        raise ConfigError("analysis.max_chars: expected 1000 to 10000000")
    port = config.telegram.webhook_port
    if not 1 <= port <= 65535:
        raise ConfigError(f"telegram.webhook_port: expected 1 to 65535, got {port}")
    for admin in config.telegram.admins:
        if not 1 <= admin < 2**63:
            raise ConfigError(f"telegram.admins: not a Telegram user id: {admin}")
    for key in ("base_url", "webhook_url"):
        url = getattr(config.telegram, key)
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError(f"telegram.{key}: expected an http(s) URL, got {url!r}")
    d = config.delivery
    if parse_hhmm(d.default_time) is None:
        raise ConfigError(f"delivery.default_time: expected HH:MM, got {d.default_time!r}")
    if not 0 <= d.grace_minutes <= 24 * 60:
        raise ConfigError("delivery.grace_minutes: expected 0 to 1440")
    if not 1 <= d.collect_minutes <= 7 * 24 * 60:
        raise ConfigError("delivery.collect_minutes: expected 1 to 10080 (a week)")
    if not 0.1 <= d.messages_per_second <= 30:
        raise ConfigError("delivery.messages_per_second: expected 0.1 to 30 (Telegram's limit)")


def parse_hhmm(value: str) -> dt.time | None:
    """ "07:30" → time(7, 30); anything else (also "99999999999999999999:00") → None."""
    try:
        return parse_clock(value)
    except BadInput:
        return None


def parse_config(raw: dict) -> Config:
    """Build a Config from a parsed TOML document (raises ConfigError)."""
    sections = {f.name: f for f in dataclasses.fields(Config)}
    values = {}
    for name, raw_section in raw.items():
        if name not in sections:
            raise ConfigError(f"[{name}]: unknown section (known: {', '.join(sections)})")
        section_type = typing.get_type_hints(Config)[name]
        values[name] = _section(section_type, name, raw_section)
    config = Config(**values)
    _validate(config)
    return config


def _apply_environment(config: Config, environ: typing.Mapping[str, str]) -> Config:
    if token := environ.get(TOKEN_ENV):
        telegram = dataclasses.replace(config.telegram, token=token.strip())
        config = dataclasses.replace(config, telegram=telegram)
    if secret := environ.get(WEBHOOK_SECRET_ENV):
        telegram = dataclasses.replace(config.telegram, webhook_secret=secret.strip())
        config = dataclasses.replace(config, telegram=telegram)
    if url := environ.get(STORE_URL_ENV):
        config = dataclasses.replace(config, store=dataclasses.replace(config.store, url=url))
    return config


def load_config(
    path: str | os.PathLike | None = None, environ: typing.Mapping[str, str] | None = None
) -> Config:
    """Load the config from `path`, else $MORGENLAGE_CONFIG, else the defaults."""
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_ENV) or None
    raw: dict = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from None
    return _apply_environment(parse_config(raw), environ)
