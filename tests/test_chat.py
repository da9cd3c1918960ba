"""The commands, through the same dispatch the console and Telegram use."""

import io
import threading
import time

import pytest

from bot.chat.console import run_console
from bot.chat.handlers import COMMANDS, dispatch, parse
from bot.chat.reply import Button, Services
from bot.config import load_config


def texts(services, chat, line, fmt="text"):
    return [r.render(fmt, chat.language) for r in dispatch(services, chat, line)]


def test_parse_commands():
    assert parse("/actor@MorgenlageBot  Marco   Rubio") == ("actor", "Marco Rubio", "MorgenlageBot")
    assert parse("/TODAY") == ("today", "", None)
    assert parse("hallo") is None


@pytest.mark.parametrize("query", ["Rubio", "rubio", "Rubios", "Marco Rubio", "RUBIO", "Rubo"])
def test_actor_fuzzy(seeded, chat, query):
    [text] = texts(seeded, chat, f"/actor {query}")
    assert text.startswith("Marco Rubio — Außenminister der Vereinigten Staaten")
    assert "Wir müssen lebendige diplomatische Missionen" in text
    assert "Sergey Lavrov" in text  # who he dealt with


def test_actor_unknown_suggests_or_explains(seeded, chat):
    [text] = texts(seeded, chat, "/actor Napoleon Bonaparte")
    assert "kenne ich niemanden" in text
    [reply] = dispatch(seeded, chat, "/actor Lavrv")
    assert "Lavrov" in reply.render("text", "de") or any(
        "Lavrov" in b.label for row in reply.buttons for b in row
    )


def test_actor_bad_arguments(seeded, chat):
    assert "Namen angeben" in texts(seeded, chat, "/actor")[0]
    assert "zu lang" in texts(seeded, chat, "/actor " + "x" * 5000)[0]
    [html] = texts(seeded, chat, "/actor <b>Rubio</b> & 🙂", fmt="telegram")
    assert "<b>Rubio</b>" not in html.split("\n")[0] or "&lt;b&gt;" in html


def test_unknown_command_and_plain_text_get_a_hint(seeded, chat):
    assert "/help" in texts(seeded, chat, "/frobnicate")[0]
    assert "/today" in texts(seeded, chat, "Guten Morgen")[0]
    assert dispatch(seeded, chat, "   ") == []
    assert dispatch(seeded, chat, "/today@SomeOtherBot", bot_username="MorgenlageBot") == []


def test_help_lists_every_public_command_with_example(seeded, chat):
    [text] = texts(seeded, chat, "/help")
    for entry in COMMANDS.values():
        if not entry.admin and not entry.hidden:
            assert entry.example in text


def test_briefing_date_and_search(seeded, chat):
    assert "verstehe ich nicht" in texts(seeded, chat, "/briefing morgen")[0]
    [found] = texts(seeded, chat, "/search Riad")
    assert "Treffer" in found and "Riad" in found
    assert "Keine Treffer" in texts(seeded, chat, "/search Quantenchromodynamik")[0]
    assert "Keine Treffer" in texts(seeded, chat, "/search 100%_")[0]


def test_button_data_fits_telegram():
    with pytest.raises(ValueError):
        Button("x", "/actor " + "ü" * 40)


def test_console_script_mode(seeded):
    out = io.StringIO()
    run_console(seeded, io.StringIO("/actor Rubio\n1\n/quit\n/today\n"), out)
    text = out.getvalue()
    assert "Marco Rubio — Außenminister" in text
    assert "[1]" in text  # buttons shown, and "1" pressed the first one
    assert text.count(" — ") >= 2
    assert "MORGENLAGE" not in text  # /quit stopped before /today


def test_collections_run_one_at_a_time(tmp_path, monkeypatch):
    """The scheduled collection and an admin's /collect come from different threads; the second
    waits for the first (they share the spaCy pipeline and the parse thread)."""
    running, most, lock = 0, 0, threading.Lock()

    def slow_collect(store, config, analyser=None):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "report"

    monkeypatch.setattr("bot.jobs.collect", slow_collect)
    monkeypatch.setattr("bot.analyse.analyser.Analyser", lambda settings: object())
    services = Services(store=None, config=load_config(None, environ={}))
    threads = [threading.Thread(target=services.collect) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
