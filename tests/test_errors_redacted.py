"""Errors on stderr (issue 13, items 1 and 8): one redacted line from the CLI's top-level
handler and from PTB's error handler; -v adds the traceback, masked too."""

import dataclasses
import logging
import os
import socket
import subprocess
import sys

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.chat.reply import Services
from bot.chat.telegram import build_application
from bot.config import TelegramConfig
from bot.logs import describe_error, redact
from tests.botapi import FakeTelegramServer
from tests.conftest import REPO

WRONG = "987654:WRONGwrongWRONGwrong0123456789"


def morgenlage(tmp_path, base_url, *args):
    (tmp_path / "empty").mkdir(exist_ok=True)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[sources]\npaths = ["{tmp_path / "empty"}"]\n[telegram]\nbase_url = "{base_url}"\n'
    )
    env = {
        **os.environ,
        "MORGENLAGE_STORE_URL": f"sqlite:///{tmp_path}/store.sqlite",
        "MORGENLAGE_CONFIG": str(config),
        "MORGENLAGE_TELEGRAM_TOKEN": WRONG,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


@pytest.fixture(scope="module")
def bot_api():
    with FakeTelegramServer() as server:
        yield server


def test_rejected_token_is_one_line_without_the_token(tmp_path, bot_api):
    result = morgenlage(tmp_path, bot_api.base_url, "deliver")
    assert result.returncode == 1
    assert result.stderr == (
        "morgenlage: Telegram rejected the bot token "
        "(MORGENLAGE_TELEGRAM_TOKEN or telegram.token)\n"
    )


def test_rejected_token_in_run_shows_no_traceback_and_no_token(tmp_path, bot_api):
    result = morgenlage(tmp_path, bot_api.base_url, "run")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and WRONG not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("morgenlage: Telegram rejected the bot token")


def test_verbose_adds_the_traceback_masked(tmp_path, bot_api):
    result = morgenlage(tmp_path, bot_api.base_url, "-v", "deliver")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "InvalidToken" in result.stderr
    assert WRONG not in result.stderr and WRONG.split(":")[1] not in result.stderr


def test_unreachable_bot_api_is_one_line(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = morgenlage(tmp_path, f"http://127.0.0.1:{port}/bot", "deliver")
    assert result.returncode == 1
    assert result.stderr == (
        f"morgenlage: cannot reach the Bot API at http://127.0.0.1:{port}/bot: connection refused\n"
    )


def test_exception_text_with_a_token_url_is_masked():
    error = RuntimeError(f"GET https://api.telegram.org/bot{WRONG}/getMe failed")
    assert describe_error(error) == "GET https://api.telegram.org/bot<token>/getMe failed"
    assert redact("key 123:abc here", ["123:abc"]) == "key <token> here"
    assert "/bottles/" in redact("https://example.org/bottles/2")  # not a token


async def test_ptb_error_handler_logs_one_redacted_line(store, config, caplog):
    telegram = TelegramConfig(token=WRONG, base_url="http://127.0.0.1:9/bot")
    application = build_application(Services(store, dataclasses.replace(config, telegram=telegram)))
    for job in application.job_queue.jobs():
        job.schedule_removal()
    with caplog.at_level(logging.WARNING, logger="bot.chat.telegram"):
        await application.process_error(None, InvalidToken(f"The token `{WRONG}` was rejected"))
        await application.process_error(None, NetworkError(f"POST .../bot{WRONG}/getUpdates"))
    first, second = (r for r in caplog.records if r.name == "bot.chat.telegram")
    assert first.getMessage() == (
        "update failed: Telegram rejected the bot token "
        "(MORGENLAGE_TELEGRAM_TOKEN or telegram.token)"
    )
    assert second.getMessage().startswith(
        "update failed: cannot reach the Bot API at http://127.0.0.1:9/bot"
    )
    assert all(WRONG not in r.getMessage() and r.exc_info is None for r in caplog.records)
