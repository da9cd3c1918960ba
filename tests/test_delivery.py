"""Delivery as a service runs it: several sending processes on one store, a sender killed in
the middle, readers in Tokyo, New York and Berlin, midnight and DST — against the local Bot API
server, on SQLite and (in the suite's PostgreSQL pass) on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import re
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.chat.telegram import TelegramSender
from bot.config import DeliveryConfig, TelegramConfig
from bot.deliver import deliver_due
from bot.jobs import collect
from bot.store import open_store
from bot.store.db import StoreUnavailable
from bot.store.schema import Delivery, Edition
from tests.botapi import FakeTelegramServer, RateLimits
from tests.conftest import SEEDS, folder_config, make_config, postgres_only
from tests.fixtures.processes import deployment_config, morgenlage

BERLIN = ZoneInfo("Europe/Berlin")


def _config_file(tmp_path: Path, services: Services, server: FakeTelegramServer, rate: float):
    """The config every `morgenlage deliver` process of this deployment reads."""
    return deployment_config(
        tmp_path,
        services.config.store.url,
        server.base_url,
        str(SEEDS),
        messages_per_second=rate,
        lease_seconds=5,
        concurrent_readers=8,
    )


def _deliver_process(config: Path, token: str) -> subprocess.Popen:
    return morgenlage(config, token, "deliver")


@pytest.fixture
def deployment(tmp_path, analyser):
    """A store with the seed collected ten minutes ago, the local Bot API server with Telegram's
    limits but 12 messages a second overall, and a deployment configured to send 10 a second
    (all processes together)."""
    limits = RateLimits(global_per_second=12, global_burst=12)
    with FakeTelegramServer(rate_limits=limits) as server:
        config = make_config(tmp_path)
        config = dataclasses.replace(
            config,
            telegram=TelegramConfig(token=server.token, base_url=server.base_url),
            delivery=DeliveryConfig(messages_per_second=10, lease_seconds=5, concurrent_readers=8),
        )
        store = open_store(config.store.url)
        # The seed came in ten minutes ago: before the slot of readers due this minute.
        ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        with time_machine.travel(ago, tick=True):
            collect(store, config, analyser=analyser)
        yield Services(store, config), server
        store.close()


def _subscribe_due_now(services: Services, chat_ids) -> None:
    """Readers whose delivery time is this minute (Berlin): due for every sender right now."""
    now = dt.datetime.now(BERLIN).strftime("%H:%M")
    for chat_id in chat_ids:
        dispatch(services, Chat(chat_id), f"/subscribe {now}")


def _parts_of_the_edition(services: Services) -> list[str]:
    with services.store.session() as session:
        [parts] = session.scalars(select(Edition.parts)).all()  # one window: one edition
    return list(parts)


def _assert_each_got_the_briefing_once(services, server, chat_ids) -> None:
    parts = _parts_of_the_edition(services)
    for chat_id in chat_ids:
        received = [m.text for m in server.messages_for(chat_id)]
        assert received == parts, f"chat {chat_id}: {len(received)} of {len(parts)} parts"
    with services.store.session() as session:
        states = session.scalars(select(Delivery.state)).all()
    assert sorted(states) == ["sent"] * len(chat_ids)


async def test_three_processes_and_the_bot_deliver_each_briefing_once(deployment, tmp_path):
    services, server = deployment
    chats = list(range(7001, 7061))
    _subscribe_due_now(services, chats)
    config = _config_file(tmp_path, services, server, rate=10)
    processes = [_deliver_process(config, server.token) for _ in range(3)]
    bot = server.make_bot()
    async with bot:
        # The bot's own minute tick, while the three `morgenlage deliver` run beside it (each
        # asks getMe as it starts, then plans).
        await asyncio.to_thread(server.wait_for, lambda: len(server.calls("getMe")) >= 3, 60)
        mine = await deliver_due(services, TelegramSender(bot))
    outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    sent = [mine.sent] + [int(re.search(r"(\d+) zugestellt", out).group(1)) for out, _ in outputs]
    assert sum(sent) == len(chats)
    assert sum(1 for n in sent if n) >= 2, (sent, outputs)  # the work was shared
    _assert_each_got_the_briefing_once(services, server, chats)
    # One rate for all four: each alone at 10/s would have run into the server's 12/s.
    assert sum(server.rate_limited.values()) == 0


async def test_a_sender_killed_mid_fanout_leaves_nothing_lost_or_twice(deployment, tmp_path):
    services, server = deployment
    chats = list(range(7101, 7141))
    _subscribe_due_now(services, chats)
    config = _config_file(tmp_path, services, server, rate=10)
    first = _deliver_process(config, server.token)
    await asyncio.to_thread(server.wait_for, lambda: len(server.messages) >= 10, 60)
    # Kill it when no message is half way: what was answered is recorded by then, what comes
    # after never reaches the server (see FakeTelegramServer.hold).
    server.hold("sendMessage")
    await asyncio.to_thread(server.wait_quiet)
    await asyncio.sleep(1.0)
    first.kill()
    first.wait()
    server.drop_held()
    delivered_before = len(server.messages)
    assert 10 <= delivered_before < len(chats)
    await asyncio.sleep(5.5)  # the dead sender's leases run out
    second = _deliver_process(config, server.token)
    out, err = await asyncio.to_thread(second.communicate, timeout=120)
    assert second.returncode == 0, err
    assert f"{len(chats) - delivered_before} zugestellt" in out
    _assert_each_got_the_briefing_once(services, server, chats)


# --- what a briefing covers, with a frozen clock -----------------------------------------------

NEWS = {
    "haushalt": (
        dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC),  # Berlin 15:00, yesterday afternoon
        "Bundestag beschließt den Haushalt",
        "Berlin – Der Bundestag hat den Bundeshaushalt für das kommende Jahr beschlossen. "
        "Finanzminister Lars Klingbeil verteidigte die neuen Schulden in der Debatte. Die "
        "Opposition kritisierte die Kürzungen bei der Bildung.",
    ),
    "hochwasser": (
        dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.UTC),  # Berlin 23:30, Tokyo 07:30 next day
        "Hochwasser an der Donau steigt weiter",
        "Passau – Der Pegel der Donau ist in der Nacht weiter gestiegen. Mehr als 200 Menschen "
        "mussten ihre Wohnungen verlassen. Die Feuerwehr ist mit 1.500 Einsatzkräften vor Ort.",
    ),
    "zinsen": (
        dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),  # Berlin 00:30, after midnight
        "EZB lässt die Leitzinsen unverändert",
        "Frankfurt – Die Europäische Zentralbank lässt die Leitzinsen unverändert. Die "
        "Inflation im Euroraum sei gesunken, sagte EZB-Präsidentin Christine Lagarde.",
    ),
}


def _arrive(services: Services, folder: Path, name: str, analyser, at=None) -> None:
    """One article arrives (is collected and analysed) five minutes after it was published."""
    published, title, text = NEWS[name]
    at = at or published
    (folder / f"{name}.md").write_text(
        f'---\ntitle: "{title}"\ndate: {at.isoformat()}\n---\n{text}\n', encoding="utf-8"
    )
    with time_machine.travel(at + dt.timedelta(minutes=5), tick=False):
        collect(services.store, services.config, analyser=analyser)


@pytest.fixture
def newsroom(tmp_path, analyser):
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        folder, config = folder_config(tmp_path, delivery=DeliveryConfig(messages_per_second=100))
        store = open_store(config.store.url)
        yield Services(store, config), server, folder
        store.close()


def _reader(services: Services, chat_id: int, zone: str, time: str = "07:00") -> None:
    dispatch(services, Chat(chat_id), f"/subscribe {time}")
    dispatch(services, Chat(chat_id), f"/timezone {zone}")


async def _tick(services: Services, server: FakeTelegramServer, local: dt.datetime):
    bot = server.make_bot()
    async with bot:
        return await deliver_due(services, TelegramSender(bot), now=local.astimezone(dt.UTC))


def _texts(server: FakeTelegramServer, chat_id: int) -> list[str]:
    return [m.visible_text for m in server.messages_for(chat_id)]


async def test_a_morning_briefing_covers_everything_since_the_last_one_in_each_zone(
    newsroom, analyser
):
    services, server, folder = newsroom
    for name in NEWS:
        _arrive(services, folder, name, analyser)
    _reader(services, 1, "Asia/Tokyo")
    _reader(services, 2, "Europe/Berlin")
    _reader(services, 3, "America/New_York")  # summer time since 8 March

    tokyo = dt.datetime(2026, 3, 10, 7, 1, tzinfo=ZoneInfo("Asia/Tokyo"))  # Berlin 23:01 the 9th
    assert (await _tick(services, server, tokyo)).sent == 1
    [first] = _texts(server, 1)
    assert "Dienstag, 10. März 2026" in first and "seit gestern 07:00" in first
    assert "Haushalt" in first  # Berlin's afternoon is Tokyo's last night
    assert "Donau" not in first and "Leitzinsen" not in first  # not yet arrived

    berlin = dt.datetime(2026, 3, 10, 7, 1, tzinfo=BERLIN)
    assert (await _tick(services, server, berlin)).sent == 1
    [morning] = _texts(server, 2)
    # Yesterday afternoon, late last night and after midnight: all in the morning briefing.
    assert all(word in morning for word in ("Haushalt", "Donau", "Leitzinsen"))

    new_york = dt.datetime(2026, 3, 10, 7, 1, tzinfo=ZoneInfo("America/New_York"))
    assert (await _tick(services, server, new_york)).sent == 1
    assert "seit gestern 07:00" in _texts(server, 3)[0]

    tokyo_next = tokyo + dt.timedelta(days=1)
    assert (await _tick(services, server, tokyo_next)).sent == 1
    second = _texts(server, 1)[1]
    assert "Donau" in second and "Leitzinsen" in second
    assert "Haushalt" not in second  # already in the first one

    # On request, the same window as of now: nothing new since the morning's briefing.
    asked = dataclasses.replace(services, clock=lambda: berlin + dt.timedelta(minutes=30))
    [reply] = dispatch(asked, Chat(2), "/today")
    assert "Nichts Neues seit heute 07:00." in reply.render("text", "de")
    [calendar] = dispatch(asked, Chat(2), "/yesterday")
    assert "Haushalt" in calendar.render("text", "de")  # /yesterday: the 9th, as published


async def test_summer_time_day_and_the_repeated_hour(newsroom, analyser):
    services, server, folder = newsroom
    _reader(services, 4, "Europe/Berlin")
    # The night clocks go forward (29 March 2026, 02:00 → 03:00).
    _arrive(services, folder, "haushalt", analyser, at=dt.datetime(2026, 3, 28, 5, tzinfo=dt.UTC))
    saturday = dt.datetime(2026, 3, 28, 7, 1, tzinfo=BERLIN)
    assert (await _tick(services, server, saturday)).sent == 1
    _arrive(
        services, folder, "hochwasser", analyser, at=dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.UTC)
    )
    sunday = dt.datetime(2026, 3, 29, 7, 1, tzinfo=BERLIN)  # 23 hours later
    assert (await _tick(services, server, sunday)).sent == 1
    first, second = _texts(server, 4)
    assert "Haushalt" in first and "seit gestern 07:00" in second
    assert "Donau" in second and "Haushalt" not in second
    with services.store.session() as session:
        windows = session.execute(
            select(Delivery.window_start, Delivery.window_end).order_by(Delivery.id)
        ).all()
    assert windows[1].window_start == windows[0].window_end  # no gap, no overlap
    assert windows[1].window_end - windows[1].window_start == dt.timedelta(hours=23)

    # 25 October: 02:30 comes twice. A tick every ten minutes through the night sends once.
    _reader(services, 5, "Europe/Berlin", time="02:30")
    _arrive(services, folder, "zinsen", analyser, at=dt.datetime(2026, 10, 24, 20, tzinfo=dt.UTC))
    start = dt.datetime(2026, 10, 24, 23, 0, tzinfo=dt.UTC)  # 01:00 summer time
    reports = [
        await _tick(services, server, (start + dt.timedelta(minutes=10 * step)).astimezone(BERLIN))
        for step in range(24)  # until 04:50 winter time
    ]
    assert sum(r.sent for r in reports) == 1
    [autumn] = _texts(server, 5)
    assert "Leitzinsen" in autumn


def test_run_jobs_option():
    """`run --jobs` / `worker --jobs` name the scheduled jobs a process runs."""
    from bot.cli import _jobs

    assert _jobs("collect,deliver") == ("collect", "deliver")
    assert _jobs("deliver") == ("deliver",)
    assert _jobs("none") == ()
    with pytest.raises(Exception, match="unknown job"):
        _jobs("collect,cook")


@postgres_only("stops and starts the suite's PostgreSQL server")
async def test_the_database_goes_away_for_ten_seconds(deployment, caplog):
    """The bot keeps answering what it can, says when it cannot, logs one line per failure,
    and carries on once the database is back; a delivery run stops and the next one sends."""
    from bot.chat.telegram import build_application
    from tests.test_telegram_e2e import say

    services, server = deployment
    control = os.environ["MORGENLAGE_TEST_PG_CTL"]
    application = build_application(services, jobs=())
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            [before] = await say(server, 9001, "/today")
            assert "Marco Rubio" in before.visible_text
            _subscribe_due_now(services, [9002])
            subprocess.run([control, "stop"], check=True, capture_output=True)
            stopped = time.monotonic()
            try:
                caplog.clear()
                [help_] = await say(server, 9001, "/help")
                assert "/today" in help_.visible_text  # needs no database
                [down] = await say(server, 9001, "/today")
                assert "Datenbank ist gerade nicht erreichbar" in down.visible_text
                bot = server.make_bot()
                async with bot:
                    with pytest.raises(StoreUnavailable):
                        await deliver_due(services, TelegramSender(bot))
                errors = [r for r in caplog.records if r.levelname == "ERROR"]
                assert 1 <= len(errors) <= 3 and not any(r.exc_info for r in errors)
                await asyncio.sleep(max(0.0, 10 - (time.monotonic() - stopped)))
            finally:
                subprocess.run([control, "start"], check=True, capture_output=True)
            [after] = await say(server, 9001, "/today")
            assert "Marco Rubio" in after.visible_text
            bot = server.make_bot()
            async with bot:
                assert (await deliver_due(services, TelegramSender(bot))).sent == 1
        finally:
            await application.updater.stop()
            await application.stop()
    assert len(server.messages_for(9002)) == 1
