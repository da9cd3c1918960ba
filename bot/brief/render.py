"""Rendering with Jinja: shipped templates, overridden file by file by a user's folder.

Templates are named `<view>.<format>.j2`: `briefing.telegram.html.j2`, `briefing.txt.j2`.
HTML templates are autoescaped, so article text is escaped exactly once, here.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2

from bot.i18n import hidden_note, long_date, short_datetime, since_label, t
from bot.paths import shipped_templates_dir

FORMATS = {"telegram": "telegram.html", "text": "txt"}
TELEGRAM_LIMIT = 4096


@functools.cache
def environment(user_dir: str = "") -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_dir:
        loaders.append(jinja2.FileSystemLoader(str(Path(user_dir).expanduser())))
    loaders.append(jinja2.FileSystemLoader(str(shipped_templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["t"] = t
    env.globals["hidden_note"] = hidden_note
    env.filters["long_date"] = long_date
    env.filters["short_datetime"] = short_datetime
    env.filters["since"] = lambda window, lang: since_label(
        window.local_start, window.local(window.end), lang
    )
    env.filters["shorten"] = shorten
    return env


def shorten(text: str, limit: int = 300) -> str:
    """Cut at a word boundary with an ellipsis; short texts stay as they are."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def render(view: str, fmt: str, user_dir: str = "", **context: object) -> str:
    """Render `view` ("briefing", "actor", …) in `fmt` ("telegram" or "text")."""
    template = environment(user_dir).get_template(f"{view}.{FORMATS[fmt]}.j2")
    text = template.render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>")


def split_message(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram HTML into messages of at most `limit` characters: at paragraph boundaries where
    possible, never inside a tag or an entity; a tag open at a cut is closed and reopened."""
    parts: list[str] = []
    current = ""
    for paragraph in html.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(paragraph) <= limit:
            current = paragraph
        else:
            *full, current = _split_long(paragraph, limit)
            parts.extend(full)
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _split_long(paragraph: str, limit: int) -> list[str]:
    """One over-long paragraph, cut at lines, else at spaces, keeping tags balanced."""
    pieces = re.split(r"(<[^>]+>|\n| )", paragraph)
    chunks: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    current = ""

    def closing() -> str:
        return "".join(f"</{name}>" for name, _tag in reversed(open_tags))

    for piece in pieces:
        if not piece:
            continue
        if len(current) + len(piece) + len(closing()) > limit and current.strip():
            chunks.append(current.rstrip() + closing())
            current = "".join(tag for _name, tag in open_tags)
        if len(piece) > limit - len(current) - len(closing()):
            # A single word longer than a message: cut it, but not inside an entity.
            room = max(1, limit - len(current) - len(closing()))
            cut = piece[:room]
            if "&" in cut[-8:]:
                cut = cut[: cut.rfind("&")] or cut
            chunks.append(current + cut + closing())
            current = "".join(tag for _name, tag in open_tags) + piece[len(cut) :]
            continue
        match = _TAG.fullmatch(piece)
        if match:
            closing_tag, name = match.group(1), match.group(2).lower()
            if closing_tag:
                for index in range(len(open_tags) - 1, -1, -1):
                    if open_tags[index][0] == name:
                        del open_tags[index]
                        break
            else:
                open_tags.append((name, piece))
        current += piece
    if current.strip():
        chunks.append(current)
    return chunks
