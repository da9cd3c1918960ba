"""Telegram's 4096 limit (issue 13, item 5): examples that broke, and a property-based test —
any text, any tags: every part fits after entity parsing, tags balance, no part is empty, and
the parts together keep all the text."""

import html

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.brief.render import split_message
from tests.botapi.telegram_html import parse_html, utf16_len

pytestmark = pytest.mark.store_free

TAGS = ["b", "i", "u", "s", "code", "pre", "blockquote", "tg-spoiler"]


def visible(html_text: str) -> str:
    return parse_html(html_text).text


# Whitespace and the invisible characters Telegram strips from a message's ends may go at a cut.
_UNSHOWN = dict.fromkeys(map(ord, " \t\r\n\u200b\u200c\u200d\u2060\ufeff"))


def shown(text: str) -> str:
    return "".join(text.split()).translate(_UNSHOWN)


def check(html_text: str, limit: int = 4096) -> list[str]:
    parts = split_message(html_text, limit)
    for part in parts:
        parsed = parse_html(part)  # raises like Telegram on unbalanced or broken markup
        assert utf16_len(parsed.text) <= limit
        assert utf16_len(part) <= limit
        assert parsed.text, f"empty part: {part!r}"  # (parse_html strips as Telegram does)
    whole = shown(visible(html_text)) if html_text.strip() else ""
    assert "".join(shown(visible(p)) for p in parts) == whole

    return parts


def test_one_huge_token_never_makes_an_oversized_part():
    html_text = "Kurz.\n\n" + "Absatz " * 20 + "\n\n" + "x" * 10_000 + "\n\n" + "Ende " * 70
    assert all(len(p) <= 4096 for p in check(html_text))


def test_a_cut_inside_a_tag_makes_no_empty_messages():
    parts = check("<b>" + "x" * 10_000 + "</b>")
    assert [len(p) for p in parts] == [4096, 4096, 1829]
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_entities_and_emoji_are_never_cut_and_emoji_count_two():
    parts = check("&amp;" * 3000 + "🙂" * 3000)
    assert all(not p.endswith("&") for p in parts)
    assert sum(p.count("🙂") for p in parts) == 3000


def test_a_tag_too_long_to_fit_becomes_plain_text():
    parts = check('<a href="https://example.org/' + "p" * 5000 + '">Link</a> und Text', 200)
    assert parts == ["Link und Text"]


def test_paragraphs_are_preferred_to_spaces():
    first, second = check("a " * 100 + "\n\n" + "b " * 100, 300)
    assert first.strip() == ("a " * 100).strip() and second.strip() == ("b " * 100).strip()


texts = st.text(
    # Any character but NUL, which ends a text for Telegram's parser as for C.
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
    | st.sampled_from(" \n\n&<>🙂\u200b"),
    max_size=60,
).map(html.escape)


def element(children):
    return st.builds(
        lambda tag, inner: f"<{tag}>{''.join(inner)}</{tag}>",
        st.sampled_from(TAGS),
        st.lists(children, max_size=4),
    ) | st.builds(
        lambda href, inner: f'<a href="{html.escape(href)}">{"".join(inner)}</a>',
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
        st.lists(children, max_size=3),
    )


documents = st.lists(st.recursive(texts, element, max_leaves=12), max_size=12).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.integers(30, 400))
@example("\x0c", 30)  # visible to Telegram, but whitespace to Python's str.strip
def test_any_text_any_tags_small_limits(document, limit):
    check(document, limit)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.integers(20, 200))
def test_any_text_any_tags_at_telegrams_limit(document, repeat):
    check((document + "\n\n") * repeat)
