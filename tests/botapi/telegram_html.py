"""Telegram's ``parse_mode=HTML`` parser, as the real Bot API server runs it.

This follows tdlib's ``parse_html`` (``td/telegram/MessageEntity.cpp``) step by step, byte by
byte over the UTF-8 text, so that the error descriptions, including their byte offsets, read
exactly like the ones the real server returns, for example::

    Unsupported start tag "foo" at byte offset 12
    Can't find end tag corresponding to start tag "b"
    Unmatched end tag at byte offset 9, expected "</b>", found "</i>"

Two lenient corners of the real parser are kept on purpose, because a stricter fake would fail
tests that production would pass:

* an ``&`` that does not start one of ``&lt; &gt; &amp; &quot;`` or a numeric reference is kept
  as a literal ``&`` (a trailing ``;`` after an entity is optional);
* a stray ``>`` is kept as a literal character.

``reject_unescaped_ampersand=True`` turns the first into an error (a stricter, documentation-only
rule; the wording of that error is this module's own, real Telegram never sends it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
}

# What tdlib strips from both ends of a message text (fix_formatted_text).
_STRIP_CHARS = " \t\r\n\u200b\u200c\u200d\u2060\ufeff"


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(exc)`` is tdlib's own message."""

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self}"


@dataclass
class ParsedText:
    """Visible text after entity parsing plus Bot API style ``MessageEntity`` dicts."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    had_tags: bool = False


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of all Telegram offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _is_space(c: int) -> bool:
    # tdlib's is_space: ' ', '\t', '\r', '\n', '\0', '\v'
    return c in (0x20, 0x09, 0x0D, 0x0A, 0x00, 0x0B)


def _is_alnum(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_alpha(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_hex(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x46 or 0x61 <= c <= 0x66


class _Parser:
    def __init__(self, text: str, reject_unescaped_ampersand: bool) -> None:
        self.raw = text.encode("utf-8")
        self.n = len(self.raw)
        self.strict_amp = reject_unescaped_ampersand

    def at(self, i: int) -> int:
        return self.raw[i] if i < self.n else 0

    def decode_entity(self, pos: int) -> tuple[int, int]:
        """(code point, position after the entity) or (0, pos) if no entity starts at pos."""
        raw, at = self.raw, self.at
        end = pos + 1
        res = 0
        if at(pos + 1) == ord("#"):
            end += 1
            if at(pos + 2) == ord("x"):
                end += 1
                while _is_hex(at(end)):
                    res = res * 16 + int(chr(raw[end]), 16)
                    end += 1
                    if res >= 0x10FFFF:
                        return 0, pos
            else:
                while 0x30 <= at(end) <= 0x39:
                    res = res * 10 + raw[end] - 0x30
                    end += 1
                    if res >= 0x10FFFF:
                        return 0, pos
            if res == 0 or res >= 0x10FFFF or end - pos >= 10:
                return 0, pos
            if 0xD800 <= res <= 0xDFFF:  # a lone surrogate cannot be UTF-8 encoded
                return 0, pos
        else:
            while _is_alpha(at(end)):
                end += 1
            name = raw[pos + 1 : end]
            res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
            if not res:
                return 0, pos
        if at(end) == ord(";"):
            end += 1
        return res, end

    def parse(self) -> ParsedText:  # noqa: C901 - a faithful port reads best as one loop
        at = self.at
        result = bytearray()
        utf16 = 0
        entities: list[dict[str, Any]] = []
        # each open tag: [tag_name, argument, utf16 offset, byte length of result at open]
        nested: list[list[Any]] = []
        had_tags = False
        i = 0
        while i < self.n:
            c = self.raw[i]
            if c == ord("&"):
                ch, end = self.decode_entity(i)
                if ch:
                    encoded = chr(ch).encode("utf-8")
                    result += encoded
                    utf16 += 2 if ch > 0xFFFF else 1
                    i = end
                    continue
                if self.strict_amp:
                    raise EntityParseError(f'Unescaped "&" at byte offset {i}')
            if c != ord("<"):
                result.append(c)
                if (c & 0xC0) != 0x80:
                    utf16 += 2 if c >= 0xF0 else 1
                i += 1
                continue

            had_tags = True
            begin_pos = i
            i += 1
            if at(i) != ord("/"):
                # a start tag
                name_begin = i
                while at(i) != 0 and not _is_space(at(i)) and at(i) != ord(">"):
                    i += 1
                if at(i) == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin_pos}")
                tag_name = self.raw[name_begin:i].decode("utf-8", "replace").lower()
                if tag_name not in ALLOWED_TAGS:
                    raise EntityParseError(
                        f'Unsupported start tag "{tag_name}" at byte offset {begin_pos}'
                    )
                argument = ""
                while at(i) != ord(">"):
                    while at(i) != 0 and _is_space(at(i)):
                        i += 1
                    if at(i) == ord(">"):
                        break
                    attr_begin = i
                    while at(i) != 0 and not _is_space(at(i)) and at(i) not in b"=>/\"'":
                        i += 1
                    attr_name = self.raw[attr_begin:i].decode("utf-8", "replace")
                    if not attr_name:
                        raise EntityParseError(
                            f'Empty attribute name in the tag "{tag_name}" '
                            f"at byte offset {begin_pos}"
                        )
                    while at(i) != 0 and _is_space(at(i)):
                        i += 1
                    if at(i) != ord("="):
                        if at(i) == 0:
                            raise EntityParseError(
                                f'Unclosed start tag "{tag_name}" at byte offset {begin_pos}'
                            )
                        if tag_name == "blockquote" and attr_name == "expandable":
                            argument = "1"
                        continue
                    i += 1
                    while at(i) != 0 and _is_space(at(i)):
                        i += 1
                    if at(i) == 0:
                        raise EntityParseError(
                            f'Unclosed start tag "{tag_name}" at byte offset {begin_pos}'
                        )
                    if at(i) not in (ord("'"), ord('"')):
                        # an unquoted name token: letters, digits, periods, hyphens
                        token_begin = i
                        while _is_alnum(at(i)) or at(i) in (ord("."), ord("-")):
                            i += 1
                        value = self.raw[token_begin:i].decode("ascii").lower()
                        if not _is_space(at(i)) and at(i) != ord(">"):
                            raise EntityParseError(
                                f"Unexpected end of name token at byte offset {token_begin}"
                            )
                    else:
                        quote = at(i)
                        i += 1
                        buf = bytearray()
                        while at(i) != quote and at(i) != 0:
                            if at(i) == ord("&"):
                                ch, end = self.decode_entity(i)
                                if ch:
                                    buf += chr(ch).encode("utf-8")
                                    i = end
                                    continue
                            buf.append(self.raw[i])
                            i += 1
                        if at(i) == quote:
                            i += 1
                        if at(i) == 0:
                            raise EntityParseError(f"Unclosed start tag at byte offset {begin_pos}")
                        value = buf.decode("utf-8", "replace")
                    if tag_name == "a" and attr_name == "href":
                        argument = value
                    elif (
                        tag_name == "code"
                        and attr_name == "class"
                        and value.startswith("language-")
                    ):
                        argument = value[len("language-") :]
                    elif tag_name == "span" and attr_name == "class" and value.startswith("tg-"):
                        argument = value[len("tg-") :]
                    elif tag_name == "tg-emoji" and attr_name == "emoji-id":
                        argument = value
                    elif tag_name == "blockquote" and attr_name == "expandable":
                        argument = "1"
                if tag_name == "span" and argument != "spoiler":
                    raise EntityParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {begin_pos}'
                    )
                nested.append([tag_name, argument, utf16, len(result)])
            else:
                # an end tag
                if not nested:
                    raise EntityParseError(f"Unexpected end tag at byte offset {begin_pos}")
                i += 1
                end_name_begin = i
                while at(i) != 0 and not _is_space(at(i)) and at(i) != ord(">"):
                    i += 1
                end_tag_name = self.raw[end_name_begin:i].decode("utf-8", "replace").lower()
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) != ord(">"):
                    raise EntityParseError(f"Unclosed end tag at byte offset {begin_pos}")
                tag_name, argument, entity_offset, entity_begin = nested[-1]
                if end_tag_name and end_tag_name != tag_name:
                    raise EntityParseError(
                        f"Unmatched end tag at byte offset {begin_pos}, "
                        f'expected "</{tag_name}>", found "</{end_tag_name}>"'
                    )
                length = utf16 - entity_offset
                if length > 0:
                    inner = bytes(result[entity_begin:]).decode("utf-8", "replace")
                    entity = self._make_entity(
                        tag_name, argument, entity_offset, length, inner, nested, entities
                    )
                    if entity is not None:
                        entities.append(entity)
                nested.pop()
            i += 1  # skip the closing '>'

        if nested:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"'
            )
        return ParsedText(result.decode("utf-8", "replace"), entities, had_tags)

    @staticmethod
    def _make_entity(
        tag_name: str,
        argument: str,
        offset: int,
        length: int,
        inner: str,
        nested: list[list[Any]],
        entities: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        entity: dict[str, Any] = {"offset": offset, "length": length}
        if tag_name == "code":
            parent = nested[-2] if len(nested) >= 2 else None
            if argument and parent and parent[0] == "pre" and parent[2] == offset:
                # <pre><code class="language-x">: remembered, folded into the pre below
                entity.update(type="code", language=argument)
                return entity
            entity["type"] = "code"
            return entity
        if tag_name in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag_name]
            return entity
        if tag_name == "pre":
            last = entities[-1] if entities else None
            if (
                last
                and last.get("type") == "code"
                and last.get("language")
                and last["offset"] == offset
                and last["length"] == length
            ):
                entities.pop()
                entity.update(type="pre", language=last["language"])
            else:
                entity["type"] = "pre"
            return entity
        if tag_name == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
            return entity
        if tag_name == "tg-emoji":
            if not argument.isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
            return entity
        if tag_name == "a":
            url = argument or inner
            if url.startswith("tg://user?id="):
                user_id = url[len("tg://user?id=") :]
                if not user_id.isdigit():
                    return None
                entity.update(
                    type="text_mention",
                    user={"id": int(user_id), "is_bot": False, "first_name": "User"},
                )
                return entity
            lowered = url.lower()
            if not lowered.startswith(("http://", "https://", "tg://", "ton://")):
                if "." not in url or " " in url.strip():
                    return None  # not a URL: tdlib silently drops the link
                url = "http://" + url
            entity.update(type="text_link", url=url)
            return entity
        return None


def _strip(parsed: ParsedText) -> ParsedText:
    """Strip leading/trailing whitespace like tdlib and clip the entities to what remains."""
    text = parsed.text
    stripped_left = text.lstrip(_STRIP_CHARS)
    lead = utf16_len(text) - utf16_len(stripped_left)
    stripped = stripped_left.rstrip(_STRIP_CHARS)
    end = lead + utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            entities.append({**entity, "offset": start - lead, "length": stop - start})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(stripped, entities, parsed.had_tags)


def parse_html(text: str, *, reject_unescaped_ampersand: bool = False) -> ParsedText:
    """Parse ``text`` as Telegram HTML; raise :class:`EntityParseError` like Telegram would."""
    return _strip(_Parser(text, reject_unescaped_ampersand).parse())


def parse_plain(text: str, entities: list[dict[str, Any]] | None = None) -> ParsedText:
    """A text sent without parse_mode: only the surrounding whitespace goes."""
    return _strip(ParsedText(text, list(entities or [])))
