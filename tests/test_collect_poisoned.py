"""Poisoned local files and feed items (issue 13, items 2, 3 and 6): each bad item is skipped
with a one-line reason, the rest of the run goes on; dates are read as written; one stray byte
does not turn a UTF-8 file's umlauts into mojibake."""

import datetime as dt
import json
import sys
import unicodedata

import pytest

from bot.collect import files
from bot.collect.feeds import parse_feed
from bot.collect.files import read_path
from bot.collect.ingest import ingest_paths
from bot.collect.text import _NOT_PROSE, decode, looks_binary, parse_date
from bot.collect.types import RawArticle, Skipped
from bot.store.sources import health

BODY = (
    "Die Regierung hat am Dienstag einen neuen Haushalt vorgelegt. Finanzminister Max Muster "
    "sagte, die Lage sei ernst. Die Opposition kritisierte den Entwurf scharf."
)


def poison(folder):
    """Good files beside files that each stopped a whole collection before."""
    folder.mkdir()
    (folder / "a_good.txt").write_text(f"Haushalt\n{BODY}", encoding="utf-8")
    (folder / "b_bad_date.md").write_text(
        f"---\ntitle: Kaputtes Datum\ndate: 2025-02-30\n---\n{BODY}", encoding="utf-8"
    )
    (folder / "c_long_number.json").write_text(
        json.dumps({"title": "Zahl", "text": BODY})[:-1] + ', "id": ' + "9" * 5000 + "}",
        encoding="utf-8",
    )
    (folder / "d_deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "e_surprise.md").write_text(f"SURPRISE\n{BODY}", encoding="utf-8")
    (folder / "f_deep_front_matter.md").write_text(
        "---\nx: " + "[" * 50_000 + "\n---\n" + BODY, encoding="utf-8"
    )
    (folder / "g_empty.json").write_text("[]", encoding="utf-8")
    (folder / "z_good.json").write_text(
        json.dumps({"title": "Z", "text": BODY, "date": "2026-12-02"}), encoding="utf-8"
    )


@pytest.fixture
def surprise(monkeypatch):
    """A bug nobody expected, in one file's reading: any exception must cost that file only."""
    strip = files._strip_markdown

    def failing(body):
        if body.startswith("SURPRISE"):
            raise KeyError("a bug nobody expected")
        return strip(body)

    monkeypatch.setattr(files, "_strip_markdown", failing)


def test_a_folder_of_poisoned_files_beside_good_ones(tmp_path, surprise):
    poison(tmp_path / "poisoned")
    items = {item.url.rsplit("/", 1)[-1] if isinstance(item, RawArticle) else item.where: item
             for item in read_path(tmp_path / "poisoned")}  # fmt: skip
    read = {name for name, item in items.items() if isinstance(item, RawArticle)}
    assert read == {
        "a_good.txt", "b_bad_date.md", "c_long_number.json", "f_deep_front_matter.md",
        "z_good.json",
    }  # fmt: skip
    assert items["b_bad_date.md"].published_at is None  # the impossible date only is dropped
    assert items["z_good.json"].published_at == dt.datetime(2026, 12, 2)  # not 12 February
    skipped = {name.rsplit("/", 1)[-1]: item.reason for name, item in items.items()
               if isinstance(item, Skipped)}  # fmt: skip
    assert skipped["d_deep.json"] == "invalid JSON (nested too deeply)"
    assert skipped["g_empty.json"] == "JSON without articles (an empty list)"
    assert skipped["e_surprise.md"].startswith("unreadable: KeyError")
    assert all("\n" not in reason for reason in skipped.values())


def test_collection_goes_on_after_poisoned_paths(store, tmp_path, surprise):
    poison(tmp_path / "poisoned")
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "later.txt").write_text(f"Später\n{BODY} Noch ein Satz.", "utf-8")
    report = ingest_paths(store, [tmp_path / "poisoned", tmp_path / "missing", tmp_path / "later"])
    assert report.new + report.duplicate == 6  # five of the poisoned folder's files, and later
    reasons = [f"{s.where}: {s.reason}" for s in report.skipped]
    assert any("d_deep.json: invalid JSON (nested too deeply)" in r for r in reasons)
    assert any("e_surprise.md: unreadable: KeyError" in r for r in reasons)
    assert any("no such file or folder" in r for r in reasons)
    with store.session() as session:
        [poisoned] = [h for h in health(session) if h.location.endswith("poisoned")]
    assert "skipped (first: d_deep.json: invalid JSON (nested too deeply))" in poisoned.last_status


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-03-04T08:00:00+01:00", dt.datetime(2025, 3, 4, 7, 0)),  # not 3 April
        ("2026-12-02", dt.datetime(2026, 12, 2)),  # not 12 February
        ("2025-03-04 08:00", dt.datetime(2025, 3, 4, 8, 0)),
        ("04.03.2025", dt.datetime(2025, 3, 4)),  # German order stays day first
        ("Tue, 04 Mar 2025 08:00:00 +0100", dt.datetime(2025, 3, 4, 7, 0)),
        ("-1", None),  # was the 1st of the current month
        ("12", None),
        ("2025", None),
        ("März 2025", None),
        ("2025-02-30", None),
    ],
)
def test_dates_are_read_as_written(text, expected):
    assert parse_date(text) == expected


def test_feed_text_dates_are_iso_first_and_never_invented():
    items = "".join(
        f"<item><title>T{n}</title><link>https://example.org/{n}</link>"
        f"<description>{BODY}</description><dc:date>{date}</dc:date></item>"
        for n, date in enumerate(["2025-03-04T08:00:00+01:00", "-1"])
    )
    feed = (
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>F</title>'
        f"{items}</channel></rss>"
    ).encode()
    first, second = parse_feed(feed, "https://example.org/feed").entries
    assert first.article.published_at == dt.datetime(2025, 3, 4, 7, 0)
    assert second.article.published_at is None


def test_one_stray_byte_keeps_the_umlauts(tmp_path):
    text = "Größere Änderungen für Bürger. " * 20
    assert decode(text.encode() + b"\xff" + text.encode()).startswith(text)
    path = tmp_path / "stray.txt"
    path.write_bytes(f"Änderungen\n{text}".encode() + b"\xff\n" + text.encode())
    [item] = list(read_path(path))
    assert item.title == "Änderungen" and "Größere Änderungen für Bürger" in item.text
    # A Latin-1 file is still recognised as Latin-1, not read as broken UTF-8.
    assert decode(text.encode("latin-1")) == text


def test_one_odd_feed_item_is_skipped_alone(monkeypatch):
    """Any exception while reading one feed item costs that item, not the feed."""
    from bot.collect import feeds

    html_to_text = feeds.html_to_text

    def failing(fragment):
        if "BOOM" in fragment:
            raise RecursionError("a surprise in one item")
        return html_to_text(fragment)

    monkeypatch.setattr(feeds, "html_to_text", failing)
    items = "".join(
        f"<item><title>{title}</title><link>https://example.org/{n}</link>"
        f"<description>{BODY}</description></item>"
        for n, title in enumerate(["Gut", "BOOM", "Auch gut"])
    )
    feed = f'<rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()
    good, odd, also_good = parse_feed(feed, "https://example.org/feed").entries
    assert isinstance(good.article, RawArticle) and isinstance(also_good.article, RawArticle)
    assert odd.article.reason == "unreadable item: RecursionError: a surprise in one item"
    assert odd.article.where == "https://example.org/feed#item-2"


def test_text_that_is_mostly_replacement_or_private_use_characters_is_not_prose():
    """`looks_binary` counts exactly the replacement character and the characters of the
    categories Cs and Co, over all of Unicode, and judges by their share."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        expected = char == "\ufffd" or unicodedata.category(char) in ("Co", "Cs")
        assert bool(_NOT_PROSE.match(char)) == expected, hex(code)
    assert looks_binary("Text \ufffd\ue000\U000f0001" * 3)
    assert not looks_binary("Ein ganz normaler Satz mit einem \ufffd darin." * 3)
