"""Local files as a source: .txt, .md (front matter), .html (trafilatura) and .json articles."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.collect.pages import extract_article
from bot.collect.text import (
    NotText,
    clean_text,
    decode,
    looks_binary,
    one_line,
    parse_date,
    title_from_text,
)
from bot.collect.types import RawArticle, Skipped

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
MAX_FILE_BYTES = 10 * 1024 * 1024
MIN_TEXT_CHARS = 80


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, but dates stay text for `parse_date`: YAML's own reading raises on
    "date: 2025-02-30"."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def find_files(path: Path) -> Iterator[Path]:
    """The article files at `path` (a file, or a folder searched recursively), sorted."""
    if path.is_file():
        yield path
    elif path.is_dir():
        for child in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
            if child.is_file() and child.suffix.lower() in SUFFIXES and not hidden:
                yield child


def read_file(path: Path) -> list[RawArticle | Skipped]:
    """The articles in one file (a JSON file may hold several); problems come back as Skipped."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return [Skipped(where, f"too large ({size / 1e6:.1f} MB, limit 10 MB)")]
        if size == 0:
            return [Skipped(where, "empty file")]
        raw = decode(path.read_bytes())
    except NotText as error:
        return [Skipped(where, str(error))]
    except OSError as error:
        return [Skipped(where, f"cannot read: {error.strerror or error}")]
    if looks_binary(raw):
        return [Skipped(where, "binary file (not readable text)")]
    suffix = path.suffix.lower()
    url = path.resolve().as_uri()
    if suffix in (".html", ".htm"):
        items = [extract_article(raw, url)]
    elif suffix == ".json":
        items = _from_json(raw, url, where)
    elif suffix in (".md", ".markdown"):
        items = [_from_markdown(raw, url)]
    else:
        items = [_from_plain(clean_text(raw), url)]
    return [_checked(item, where) for item in items]


def _checked(item: RawArticle | Skipped, where: str) -> RawArticle | Skipped:
    if isinstance(item, RawArticle) and len(item.text) < MIN_TEXT_CHARS:
        return Skipped(where, f"no article text (only {len(item.text)} characters)")
    return item


def _from_plain(text: str, url: str, **meta) -> RawArticle:
    title = meta.pop("title", None) or title_from_text(text)
    return RawArticle(url=url, title=title, text=text, **meta)


def _from_markdown(raw: str, url: str) -> RawArticle:
    meta: dict = {}
    body = raw
    if raw.startswith("---"):
        parts = raw.split("\n---", 1)
        if len(parts) == 2:
            try:
                loaded = yaml.load(parts[0][3:], Loader=_FrontMatterLoader)  # a SafeLoader
                meta = loaded if isinstance(loaded, dict) else {}
                body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
            except (yaml.YAMLError, ValueError, RecursionError) as error:
                log.warning("%s: unreadable front matter, read as text: %s", url, one_line(error))
    text = clean_text(_strip_markdown(body))
    return _from_plain(
        text,
        str(meta.get("url") or url),
        title=_text_or_none(meta.get("title")),
        published_at=parse_date(meta.get("date")),
        outlet=_text_or_none(meta.get("source")),
        author=_text_or_none(meta.get("author")),
    )


def _strip_markdown(body: str) -> str:
    lines = []
    for line in body.split("\n"):
        stripped = line.lstrip("#>*- ").rstrip()
        lines.append(stripped.replace("**", "").replace("__", ""))
    return "\n".join(lines)


def _from_json(raw: str, url: str, where: str) -> list[RawArticle | Skipped]:
    try:
        data = json.loads(raw, parse_int=_json_int)
    except json.JSONDecodeError as error:
        return [Skipped(where, f"invalid JSON ({error.msg}, line {error.lineno})")]
    except RecursionError:
        return [Skipped(where, "invalid JSON (nested too deeply)")]
    records = data if isinstance(data, list) else [data]
    if not records:
        return [Skipped(where, "JSON without articles (an empty list)")]
    items: list[RawArticle | Skipped] = []
    for index, record in enumerate(records):
        item_url = url if len(records) == 1 else f"{url}#{index}"
        if not isinstance(record, dict):
            items.append(Skipped(f"{where}[{index}]", "not a JSON object"))
            continue
        text = _text_or_none(record.get("text") or record.get("body") or record.get("content"))
        if not text:
            items.append(Skipped(f"{where}[{index}]", "JSON article without text"))
            continue
        items.append(
            _from_plain(
                clean_text(text),
                str(record.get("url") or item_url),
                title=_text_or_none(record.get("title")),
                published_at=parse_date(record.get("date") or record.get("published")),
                outlet=_text_or_none(record.get("source")),
                author=_text_or_none(record.get("author")),
            )
        )
    return items


def _json_int(digits: str) -> int | str:
    """A JSON integer; one too long for int() (Python refuses 4300+ digits) stays text."""
    return int(digits) if len(digits) <= 100 else digits


def _text_or_none(value: object) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else None


def read_path(path: Path) -> Iterator[RawArticle | Skipped]:
    """Every article under `path`; a missing path is one Skipped. Each file is read inside its
    own error boundary: whatever it raises skips that file, with the reason, and no other."""
    try:
        if not path.exists():
            yield Skipped(str(path), "no such file or folder")
            return
        files = list(find_files(path))
    except OSError as error:
        yield Skipped(str(path), f"cannot read: {error.strerror or error}")
        return
    for file in files:
        try:
            items = read_file(file)
        except Exception as error:  # any surprise costs this file only
            verbose = log.isEnabledFor(logging.INFO)  # -v: with the traceback
            log.warning("%s: skipped: %s", file, one_line(error), exc_info=verbose)
            items = [Skipped(str(file), f"unreadable: {type(error).__name__}: {one_line(error)}")]
        yield from items
