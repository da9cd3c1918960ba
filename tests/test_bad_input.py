"""User-given numbers, dates, times, ids and zones (issue 13, item 4): one validator per kind,
with ranges; out of range is the same friendly answer in the console and in Telegram."""

import dataclasses
import datetime as dt
import io
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.chat.console import run_console
from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.chat.telegram import build_application
from bot.config import ConfigError, TelegramConfig, parse_config, parse_hhmm
from bot.inputs import BadInput, parse_clock, parse_day, parse_id, parse_number, parse_zone
from bot.store.schema import Subscriber
from tests.botapi import FakeTelegramServer, RateLimits
from tests.conftest import REPO

# What a careless or hostile user types, and the kind of value it is.
BAD = [
    ("/briefing 9999-12-31", "day"),
    ("/briefing 0001-01-01", "day"),
    ("/briefing 2025-02-30", "day"),
    ("/subscribe 99999999999999999999:00", "time"),
    ("/subscribe 24:00", "time"),
    ("/actor #99999999999999999999", "id"),
    ("/follow #99999999999999999999", "id"),
    ("/unfollow #0", "id"),
    ("/timezone Europe", "zone"),  # a folder of the zone database: IsADirectoryError
    ("/timezone ../../etc/passwd", "zone"),
]


@pytest.fixture
def services(store, config):
    return Services(store, config)


def test_validators_have_ranges():
    assert parse_day(" 2025-02-18 ") == dt.date(2025, 2, 18)
    assert parse_clock("7.30") == dt.time(7, 30) and parse_clock("23:59") == dt.time(23, 59)
    assert parse_id("#12") == 12 and parse_number("3", 1, 5) == 3
    assert parse_zone("Europe/Berlin").key == "Europe/Berlin"
    for parse, value in [
        (parse_day, "9999-12-31"), (parse_day, "1989-12-31"), (parse_day, "18.02.2025"),
        (parse_clock, "99999999999999999999:00"), (parse_clock, "7:60"), (parse_clock, "-1:00"),
        (parse_id, "#0"), (parse_id, "#2147483648"), (parse_id, "#" + "9" * 5000),
        (lambda v: parse_number(v, 1, 9), "²"), (lambda v: parse_number(v, 1, 9), "9" * 5000),
        (parse_zone, "Europe"), (parse_zone, "\x00"),
    ]:  # fmt: skip
        with pytest.raises(BadInput):
            parse(value)
    assert parse_hhmm("99999999999999999999:00") is None  # the delivery's reading of a time


@pytest.mark.parametrize("line,kind", BAD)
def test_console_answers_out_of_range_input_in_words(services, line, kind):
    value = line.split(" ", 1)[1]
    validator = {"day": parse_day, "time": parse_clock, "id": parse_id, "zone": parse_zone}[kind]
    with pytest.raises(BadInput) as expected:
        validator(value)
    [reply] = dispatch(services, Chat(chat_id=7, language="de"), line)
    assert reply.render("text", "de") == expected.value.message("de")
    assert value in expected.value.message("de")


def test_config_time_out_of_range_is_a_config_error():
    with pytest.raises(ConfigError, match="delivery.default_time"):
        parse_config({"delivery": {"default_time": "99999999999999999999:00"}})
    for section, key, value in [
        ("telegram", "webhook_port", 99999),
        ("delivery", "collect_minutes", 10**12),
        ("analysis", "batch_size", 10**12),
    ]:
        with pytest.raises(ConfigError, match=key):
            parse_config({section: {key: value}})


def test_cli_date_out_of_range_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "brief", "--date", "0001-01-01"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "0001-01-01" in result.stderr and "1990-01-01" in result.stderr


def test_console_survives_odd_button_numbers_and_local_subscribe(services):
    out = io.StringIO()
    lines = "/settings\n²\n" + "9" * 5000 + "\n0\n/subscribe 07:30\n/start\n"
    assert run_console(services, io.StringIO(lines), out) == 0
    assert out.getvalue().count("Die lokale Konsole stellt nichts zu") == 2
    with services.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber).where(
            Subscriber.subscribed.is_(True))) == 0  # fmt: skip


async def test_telegram_gives_the_console_answer(tmp_path, store, config):
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        telegram = TelegramConfig(token=server.token, base_url=server.base_url)
        services = Services(store, dataclasses.replace(config, telegram=telegram))
        application = build_application(services)
        for job in application.job_queue.jobs():
            job.schedule_removal()
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                for number, (line, _kind) in enumerate(BAD):
                    chat_id = 300 + number
                    server.send_user_message(chat_id, line)
                    [answer] = await server.wait_for_messages_async(chat_id, 1, timeout=20)
                    [console] = dispatch(services, Chat(chat_id=chat_id, language="de"), line)
                    assert answer.visible_text == console.render("text", "de"), line
            finally:
                await application.updater.stop()
                await application.stop()
