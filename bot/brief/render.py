"""Rendering with Jinja: shipped templates, overridden file by file by a user's folder.

Templates are named `<view>.<format>.j2`: `briefing.telegram.html.j2`, `briefing.txt.j2`.
HTML templates are autoescaped, so article text is escaped exactly once, here.
"""

from __future__ import annotations

import functools
import html as html_lib
import logging
import re
from pathlib import Path

import jinja2

from bot.brief.sandbox import BoundedSandbox, render_bounded
from bot.collect.text import one_line
from bot.i18n import hidden_note, long_date, short_datetime, since_label, t
from bot.paths import shipped_templates_dir

log = logging.getLogger(__name__)

FORMATS = {"telegram": "telegram.html", "text": "txt"}
TELEGRAM_LIMIT = 4096


@functools.cache
def environment(user_dir: str = "") -> jinja2.Environment:
    """The shipped templates; with `user_dir`, the user's first, in a bounded sandbox."""
    loaders: list[jinja2.BaseLoader] = []
    if user_dir:
        loaders.append(jinja2.FileSystemLoader(str(Path(user_dir).expanduser())))
    loaders.append(jinja2.FileSystemLoader(str(shipped_templates_dir())))
    env = (BoundedSandbox if user_dir else jinja2.Environment)(
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
    if isinstance(env, BoundedSandbox):
        env.guard_filters()
    return env


def shorten(text: str, limit: int = 300) -> str:
    """Cut at a word boundary with an ellipsis; short texts stay as they are."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def render(view: str, fmt: str, user_dir: str = "", **context: object) -> str:
    """Render `view` ("briefing", "actor", …) in `fmt` ("telegram" or "text"). A user's
    template that fails — a syntax error, an exception, too slow, too long — is logged in one
    line and the shipped template answers instead."""
    name = f"{view}.{FORMATS[fmt]}.j2"
    if user_dir:
        template: jinja2.Template | None = None
        try:
            template = environment(user_dir).get_template(name)
            text = render_bounded(lambda: template.generate(**context))
            return re.sub(r"\n{3,}", "\n\n", text).strip()
        except Exception as error:
            where = getattr(error, "filename", None) or getattr(template, "filename", None)
            log.warning(
                "template %s failed, using the shipped one: %s: %s",
                where or name,
                type(error).__name__,
                one_line(error),
            )
    text = environment().get_template(name).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>")
# What a message is cut between: a tag, an entity, or one character — never inside the first two.
_ATOM = re.compile(
    r"<[^<>]*>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});|.", re.S
)
_BLANK = frozenset(" \t\n")
# What Telegram strips from a message's ends: a part of only these would be an empty message.
_INVISIBLE = _BLANK | frozenset("\r\u200b\u200c\u200d\u2060\ufeff")


def split_message(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram HTML into messages of at most `limit` UTF-16 code units (Telegram's unit):
    at paragraph boundaries where possible, else at line ends, else at spaces, else anywhere —
    never inside a tag or an entity. A tag open at a cut is closed and reopened in the next
    part; a part with no visible text is never made. Tags too long to ever fit (a link of
    thousands of characters) turn that rest into plain text rather than into a refused message.
    """
    atoms = _ATOM.findall(html)
    parts: list[str] = []
    start, open_tags = 0, []
    while True:
        while start < len(atoms) and atoms[start] in _BLANK:
            start += 1
        if start >= len(atoms):
            return parts
        cut = _cut(atoms, start, open_tags, limit)
        if cut is None:  # no visible text fits beside the open tags: the rest as plain text
            tagged = "".join(atoms[start:])
            rest = html_lib.escape(html_lib.unescape(_TAG.sub("", tagged)), quote=False)
            if rest == tagged or all(ch in _INVISIBLE for ch in rest):
                return parts  # nothing visible left (or a limit below one entity's length)
            return parts + split_message(rest, limit)
        end, after = cut
        body = "".join(atoms[start:end]).rstrip(" \t\n")
        closing = "".join(f"</{name}>" for name, _tag in reversed(after))
        parts.append("".join(tag for _name, tag in open_tags) + body + closing)
        start, open_tags = end, after


def _cut(
    atoms: list[str], start: int, open_tags: list[tuple[str, str]], limit: int
) -> tuple[int, list[tuple[str, str]]] | None:
    """Where the part beginning at `start` ends (the best break that fits), and the tags open
    there; None when not one visible character fits."""
    tags = list(open_tags)
    size = sum(_size(tag) for _name, tag in tags)
    closing = sum(len(name) + 3 for name, _tag in tags)
    best: tuple[int, int, list[tuple[str, str]]] | None = None  # (priority, end, tags)
    visible = False
    for index in range(start, len(atoms)):
        atom = atoms[index]
        size += _size(atom)
        if size > limit:
            break
        match = _TAG.fullmatch(atom) if atom[0] == "<" and len(atom) > 1 else None
        if match is None:
            visible = visible or atom not in _INVISIBLE
        elif match.group(1):  # a closing tag closes the innermost open one of its name
            name = match.group(2).lower()
            for position in range(len(tags) - 1, -1, -1):
                if tags[position][0] == name:
                    closing -= len(tags.pop(position)[0]) + 3
                    break
        elif not atom.endswith("/>"):
            tags.append((match.group(2).lower(), atom))
            closing += len(tags[-1][0]) + 3
        if visible and size + closing <= limit:
            priority = _break_priority(atoms, index + 1)
            if best is None or priority >= best[0]:
                best = (priority, index + 1, list(tags))
    return (best[1], best[2]) if best else None


def _break_priority(atoms: list[str], end: int) -> int:
    """How good a cut before atoms[end] is: the end 4, a paragraph 3, a line 2, a space 1."""
    if end >= len(atoms):
        return 4
    around = (atoms[end - 2] if end >= 2 else "") + atoms[end - 1] + "|" + atoms[end]
    around += atoms[end + 1] if end + 1 < len(atoms) else ""
    if "\n\n|" in around or "|\n\n" in around:
        return 3
    if "\n|" in around or "|\n" in around:
        return 2
    return 1 if " |" in around or "| " in around else 0


def _size(atom: str) -> int:
    """Length in UTF-16 code units: a character outside the BMP (an emoji) counts two."""
    return len(atom) + sum(1 for ch in atom if ord(ch) > 0xFFFF)
