"""Source presets: curated feed lists shipped with the package (data/presets/NAME.toml), so a
new installation collects real news from the first start: `morgenlage sources add --preset de`
or `presets = ["de"]` in the config's [sources]."""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.collect.topics import TOPICS

PRESETS_DIR = Path(__file__).parent / "data" / "presets"
COUNTRIES = ("DE", "AT", "CH")
SECTIONS = ("alle", "eil", *TOPICS)  # a feed of everything, breaking news, or one topic


class PresetError(ValueError):
    """No such preset, or a preset file that is not as documented."""


@dataclass(frozen=True)
class PresetFeed:
    name: str
    country: str
    section: str
    url: str


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    written: dt.date  # the day the list was checked: feeds move, see the file's header
    feeds: tuple[PresetFeed, ...]


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.toml"))


@functools.cache
def load_preset(name: str) -> Preset:
    """The preset `name` ("de"), checked; PresetError names what is wrong."""
    path = PRESETS_DIR / f"{name}.toml"
    if name not in preset_names():
        known = ", ".join(preset_names())
        raise PresetError(f"no preset {name!r}; presets: {known}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PresetError(f"{path.name}: {error}") from None
    feeds = tuple(_feed(path.name, i, entry) for i, entry in enumerate(data.get("feed", [])))
    if not feeds or not isinstance(data.get("written"), dt.date):
        raise PresetError(f"{path.name}: needs feeds and the day it was written")
    urls = [feed.url for feed in feeds]
    if len(set(urls)) != len(urls):
        raise PresetError(f"{path.name}: a feed is listed twice")
    return Preset(name, str(data.get("title", name)), data["written"], feeds)


def _feed(file: str, index: int, entry: dict) -> PresetFeed:
    fields = {key: entry.get(key) for key in ("name", "country", "section", "url")}
    if set(entry) - set(fields) or not all(isinstance(v, str) and v for v in fields.values()):
        raise PresetError(f"{file}: feed {index + 1} needs exactly name, country, section, url")
    feed = PresetFeed(**fields)
    if feed.country not in COUNTRIES or feed.section not in SECTIONS:
        raise PresetError(f"{file}: feed {index + 1} ({feed.name}): unknown country or section")
    if not feed.url.startswith("https://"):
        raise PresetError(f"{file}: feed {index + 1} ({feed.name}): not an https:// address")
    return feed
