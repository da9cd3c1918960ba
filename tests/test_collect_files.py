"""Local files as a source, and bad input of every kind."""

import json

import pytest

from bot.collect.files import read_path
from bot.collect.ingest import ingest_paths
from bot.collect.text import clean_text
from bot.collect.types import RawArticle, Skipped
from tests.conftest import SEED

BODY = (
    "Die Regierung hat am Dienstag einen neuen Haushalt vorgelegt. Finanzminister Max Muster "
    "sagte, die Lage sei ernst. Die Opposition kritisierte den Entwurf scharf."
)


def one(path):
    [item] = list(read_path(path))
    return item


def test_seed_txt_title_is_first_line_cut_at_a_word():
    item = one(SEED)
    assert isinstance(item, RawArticle)
    assert item.title.startswith("Außenminister der Vereinigten Staaten Marco Rubio")
    assert len(item.title) <= 202
    assert "Holen Sie sich" in item.text  # stored whole; analysis marks the plug
    assert item.url.startswith("file://")


def test_markdown_front_matter(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: Haushalt vorgelegt\ndate: 2025-02-18\nsource: Testblatt\n"
        "url: https://example.org/a?utm_source=x\n---\n# Überschrift\n\n" + BODY,
        encoding="utf-8",
    )
    item = one(path)
    assert item.title == "Haushalt vorgelegt"
    assert item.published_at.date().isoformat() == "2025-02-18"
    assert item.outlet == "Testblatt"
    assert "# " not in item.text


def test_json_list_and_broken_records(tmp_path):
    path = tmp_path / "a.json"
    records = [{"title": "Eins", "text": BODY, "url": "https://example.org/1"}, 5, {"title": "x"}]
    path.write_text(json.dumps(records), encoding="utf-8")
    items = list(read_path(path))
    assert isinstance(items[0], RawArticle) and items[0].title == "Eins"
    assert [type(i) for i in items[1:]] == [Skipped, Skipped]


def test_html_main_text_without_scripts(tmp_path):
    path = tmp_path / "a.html"
    path.write_text(
        "<html><head><title>Haushalt</title><script>alert('x');var secret=1;</script></head>"
        f"<body><nav>Startseite | Politik</nav><article><h1>Haushalt</h1><p>{BODY}</p>"
        f"<p>{BODY}</p></article><script>document.write('evil')</script></body></html>",
        encoding="utf-8",
    )
    item = one(path)
    assert isinstance(item, RawArticle)
    assert "Finanzminister Max Muster" in item.text
    assert "alert" not in item.text and "evil" not in item.text


def test_bad_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)) * 40)
    (tmp_path / "huge.txt").write_bytes(b"Wort " * (20 * 1024 * 1024 // 5))
    (tmp_path / "short.txt").write_text("Nur ein Satz.", encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "tags.html").write_text("<html><body><script>x()</script></body></html>")
    reasons = {item.where.rsplit("/", 1)[-1]: item.reason for item in read_path(tmp_path)}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "no article text" in reasons["short.txt"]
    assert "invalid JSON" in reasons["broken.json"]
    assert "no article text" in reasons["tags.html"]


def test_wrong_encoding_is_decoded(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(("Überschrift für Größe\n\n" + BODY + " Äußerst übel.").encode("cp1252"))
    item = one(path)
    assert item.title == "Überschrift für Größe"
    assert "Äußerst" in item.text


def test_odd_unicode_is_cleaned(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text("Titel\u200b mit\u00a0Lücken\r\n\r\n\x07" + BODY + "\ufeff", encoding="utf-8")
    item = one(path)
    assert item.title == "Titel mit Lücken"
    assert "\x07" not in item.text and "\u200b" not in item.text


def test_missing_path():
    [item] = list(read_path(SEED.parent / "nope"))
    assert isinstance(item, Skipped) and "no such" in item.reason


def test_reingest_is_a_noop_and_bad_input_does_not_stop_the_rest(store, tmp_path):
    (tmp_path / "good.txt").write_text("Haushalt\n\n" + BODY, encoding="utf-8")
    (tmp_path / "copy.txt").write_text("Haushalt\n\n" + BODY, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    first = ingest_paths(store, [tmp_path, SEED])
    assert (first.new, first.duplicate, len(first.skipped)) == (2, 1, 1)
    again = ingest_paths(store, [tmp_path, SEED])
    assert (again.new, again.unchanged, again.duplicate) == (0, 2, 1)
    # copy.txt sorts first, so it is the stored one and good.txt its duplicate
    (tmp_path / "copy.txt").write_text("Haushalt\n\n" + BODY + " Neu.", encoding="utf-8")
    assert ingest_paths(store, [tmp_path]).updated == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n\n\n\n\nb", "a\n\nb"),  # at most one empty line
        ("a\r\n\r\n\r\nb\rc", "a\n\nb\nc"),
        ("a\n \n\t\n\u00a0\nb", "a\n\nb"),  # lines of blanks are empty lines
        ("a\n\nb", "a\n\nb"),
        ("  a \t\u00a0\u2003 b\u3000 \n\n", "a b"),
        ("a\x00b\u200bc\ufeff\x1f", "abc"),
        ("e\u0301 und Gro\u00dfe", "\u00e9 und Gro\u00dfe"),
        ("", ""),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected
