"""The real python-telegram-bot Application against a Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

import pytest
import time_machine

from bot.chat.reply import Services
from bot.chat.telegram import TelegramSender, build_application
from bot.config import DeliveryConfig, TelegramConfig
from bot.deliver import RateLimiter, deliver_due
from bot.jobs import collect
from bot.store import open_store
from bot.store.readers import reader
from bot.store.schema import Delivery
from tests.botapi import FakeTelegramServer, RateLimits
from tests.conftest import make_config

ADMIN = 999


@pytest.fixture
def server():
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as fake:
        yield fake


# The seed is collected at 05:00 in Berlin on a fixed day (a frozen clock), before the default
# 07:00 slot; the bot's clock then stands an hour later.
COLLECTED = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def services(tmp_path, analyser, server):
    config = make_config(tmp_path)
    config = dataclasses.replace(
        config,
        telegram=TelegramConfig(token=server.token, base_url=server.base_url, admins=(ADMIN,)),
        delivery=DeliveryConfig(collect_minutes=600, messages_per_second=30, lease_seconds=2),
    )
    store = open_store(config.store.url)
    with time_machine.travel(COLLECTED, tick=True):
        collect(store, config, analyser=analyser)
    yield Services(store, config, clock=lambda: COLLECTED + dt.timedelta(hours=1))
    store.close()


@pytest.fixture
async def running(services):
    application = build_application(services)
    for job in application.job_queue.jobs():  # tests drive jobs themselves
        job.schedule_removal()
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def say(server, chat_id, text, count=1, **kwargs):
    before = len(server.messages_for(chat_id))
    server.send_user_message(chat_id, text, **kwargs)
    messages = await server.wait_for_messages_async(chat_id, before + count, timeout=20)
    return messages[before:]


async def test_commands_buttons_and_hints(server, running, services):
    start = await say(server, 101, "/start", count=2)
    assert "Willkommen" in start[0].visible_text and "/actor Rubio" in start[1].visible_text
    with services.store.session() as session:
        assert reader(session, 101).subscribed

    [today] = await say(server, 101, "/today")
    assert "Marco Rubio" in today.visible_text and today.parse_mode == "HTML"
    assert "Holen Sie sich" not in today.visible_text
    button = next(b for b in today.callback_data if b.startswith("/actor #"))

    before = len(server.messages_for(101))
    server.press_button(101, today.message["message_id"], button)
    [dossier] = (await server.wait_for_messages_async(101, before + 1, timeout=20))[before:]
    assert dossier.visible_text.split("\n")[0].startswith("Marco Rubio")
    assert server.callback_answers  # the button's spinner was stopped

    [hint] = await say(server, 101, "/frobnicate")
    assert "/help" in hint.visible_text
    [plain] = await say(server, 101, "Was gibt es Neues?")
    assert "/today" in plain.visible_text
    [odd] = await say(server, 101, "/actor <b>Rubio</b> & 🙂 \u202e")
    assert odd.visible_text  # answered, and the server accepted its HTML
    [empty] = await say(server, 101, "/actor")
    assert "Namen" in empty.visible_text
    [long] = await say(server, 101, "/actor " + "x" * 5000)
    assert "zu lang" in long.visible_text


async def test_english_settings_by_button(server, running):
    [settings] = await say(server, 102, "/settings")
    assert "07:00" in settings.visible_text
    before = len(server.messages_for(102))
    server.press_button(102, settings.message["message_id"], "/language en")
    [saved] = (await server.wait_for_messages_async(102, before + 1, timeout=20))[before:]
    assert "Saved." in saved.visible_text
    [today] = await say(server, 102, "/today")
    assert "Top developments" in today.visible_text


async def test_groups(server, running):
    [answer] = await say(server, -500, "/today", mention_bot=True)
    assert "Marco Rubio" in answer.visible_text
    server.send_user_message(-500, "/today@SomeOtherBot")
    server.send_user_message(-500, "nur geplaudert")
    await say(server, -500, "/help@" + server.username)
    texts = [m.visible_text for m in server.messages_for(-500)]
    assert len(texts) == 2  # other bots' commands and chatter are not answered


async def test_admin_commands(server, running):
    [denied] = await say(server, 103, "/stats")
    assert "kenne ich nicht" in denied.visible_text
    [stats] = await say(server, ADMIN, "/stats")
    assert "Artikel" in stats.visible_text


async def test_flood_is_limited_and_others_stay_served(server, running):
    from bot.chat.flood import FloodGuard

    # Five answers a minute instead of twenty: the same rule, a shorter test (answers to
    # one chat go out at Telegram's one per second).
    running.bot_data["morgenlage"].flood = FloodGuard(limit=5)
    for i in range(100):
        server.send_user_message(104, f"/today {i}")
    [other] = await say(server, 105, "/help")
    assert "Befehle" in other.visible_text
    flood = await server.wait_for_messages_async(104, 6, timeout=20)
    await asyncio.sleep(1.5)
    flood = server.messages_for(104)
    assert len(flood) == 6
    assert sum("langsamer" in m.visible_text for m in flood) == 1


def subscribe(services, *chat_ids, time="07:00"):
    from bot.chat.handlers import dispatch
    from bot.chat.reply import Chat

    for chat_id in chat_ids:
        dispatch(services, Chat(chat_id), f"/subscribe {time}")


def morning(services, minute=1) -> dt.datetime:
    """07:MM in Berlin on the day the seed came in: the default delivery slot has just passed."""
    local = COLLECTED.astimezone(services.config.zone).replace(hour=7, minute=minute, second=0)
    return local.astimezone(dt.UTC)


async def test_delivery_exactly_once_with_failures(server, services):
    subscribe(services, 201, 202, 203, 204, 205)
    server.block_chat(202)
    server.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=203)
    server.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: can't parse entities: Unsupported start tag",
        chat_id=204,
    )
    server.fail_next("sendMessage", times=4, error_code=502, description="Bad Gateway", chat_id=205)
    bot = server.make_bot()
    async with bot:
        sender = TelegramSender(bot)
        first = await deliver_due(services, sender, now=morning(services), sleep=fast_sleep)
        assert (first.sent, first.blocked, first.pending, first.retries_429) == (3, 1, 1, 1)
        assert first.plain_fallbacks == 1
        second = await deliver_due(services, sender, now=morning(services, 5), sleep=fast_sleep)
        assert (second.due, second.sent) == (1, 1)  # 205 retried, nobody else again
        third = await deliver_due(services, sender, now=morning(services, 9), sleep=fast_sleep)
        assert third.due == 0
    for chat_id in (201, 203, 204, 205):
        assert len(server.messages_for(chat_id)) == 1, chat_id
    assert server.messages_for(204)[0].parse_mode is None  # resent as plain text
    assert server.messages_for(202) == []
    with services.store.session() as session:
        assert not reader(session, 202).active


async def test_no_news_no_message(server, services):
    subscribe(services, 302)
    bot = server.make_bot()
    async with bot:
        sender = TelegramSender(bot)
        next_day = morning(services) + dt.timedelta(days=1)  # the seed is today's only news
        report = await deliver_due(services, sender, now=next_day)
        assert (report.due, report.waiting, report.sent) == (1, 1, 0)
    assert server.messages_for(302) == []


async def test_missed_slot_within_grace_and_not_after(server, services):
    subscribe(services, 301, time="07:00")
    bot = server.make_bot()
    async with bot:
        sender = TelegramSender(bot)
        too_late = morning(services) + dt.timedelta(hours=7)
        assert (await deliver_due(services, sender, now=too_late)).due == 0
        restarted = morning(services) + dt.timedelta(hours=2)  # bot was down from 07:00 to 09:01
        assert (await deliver_due(services, sender, now=restarted)).sent == 1
    assert len(server.messages_for(301)) == 1


async def fast_sleep(seconds: float) -> None:
    await asyncio.sleep(min(seconds, 0.05))


class Crash(BaseException):
    """The process dying (an interrupt, a fatal error) in the middle of a send."""


class CrashingSender(TelegramSender):
    """Dies after a number of successful sends."""

    def __init__(self, bot, crash_after: int) -> None:
        super().__init__(bot)
        self.left = crash_after

    async def send(self, chat_id, text, html, buttons) -> None:
        if self.left == 0:
            raise Crash
        self.left -= 1
        await super().send(chat_id, text, html, buttons)


async def test_crash_mid_fanout_then_restart_sends_each_once(server, services):
    """The fan-out stops all its senders when one dies; a restart (once the dead sender's
    lease ran out) sends the rest, nobody twice."""
    chats = list(range(401, 431))
    subscribe(services, *chats)
    bot = server.make_bot()
    async with bot:
        with pytest.raises(Crash):
            await deliver_due(services, CrashingSender(bot, 12), now=morning(services))
        stopped = len(server.messages)
        await asyncio.sleep(0.5)
        assert len(server.messages) == stopped  # no sender went on after the crash
        assert 12 <= stopped < len(chats)
        await asyncio.sleep(services.config.delivery.lease_seconds)  # the dead lease runs out
        resumed = await deliver_due(services, TelegramSender(bot), now=morning(services, 2))
    assert resumed.sent == len(chats) - stopped
    for chat_id in chats:
        assert len(server.messages_for(chat_id)) == 1, chat_id
    with services.store.session() as session:
        assert session.query(Delivery).filter(Delivery.state == "sent").count() == len(chats)


async def test_telegram_limits_respected(services):
    limits = RateLimits(global_per_second=30, private_per_second=1, private_burst=1)
    with FakeTelegramServer(rate_limits=limits) as server:
        subscribe(services, *range(501, 561))
        bot = server.make_bot()
        async with bot:
            report = await deliver_due(
                services, TelegramSender(bot), now=morning(services), limiter=RateLimiter(28)
            )
        assert report.sent == 60 and report.retries_429 == 0
        assert sum(server.rate_limited.values()) == 0


async def test_token_never_logged(server, services, caplog):
    from bot.logs import RedactSecrets

    caplog.set_level(logging.DEBUG)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets([server.token]))
    subscribe(services, 601)
    bot = server.make_bot()
    async with bot:
        await deliver_due(services, TelegramSender(bot), now=morning(services))
    logging.getLogger("test").info("url was http://x/bot%s/sendMessage", server.token)
    assert server.token not in caplog.text


async def test_webhook_mode(server, services):
    """The same Application, fed by webhook calls instead of long polling."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    application = build_application(services)
    for job in application.job_queue.jobs():
        job.schedule_removal()
    async with application:
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            secret_token="morgenlage-test-secret",
        )
        try:
            [reply] = await say(server, 701, "/actor Lavrov")
            assert reply.visible_text.startswith("Sergey Lavrov")
            assert server.webhook["secret_token"] == "morgenlage-test-secret"
        finally:
            await application.updater.stop()
            await application.stop()


async def test_next_briefing_leads_with_what_is_new_for_the_reader(server, services, tmp_path):
    """Day 1 delivered; a new article of the same story arrives; the reader's next briefing
    says what is new since *their* last briefing."""
    subscribe(services, 801)
    bot = server.make_bot()
    async with bot:
        sender = TelegramSender(bot)
        assert (await deliver_due(services, sender, now=morning(services))).sent == 1
        news = tmp_path / "news"
        news.mkdir()
        tomorrow = (morning(services) + dt.timedelta(days=1, hours=2)).isoformat()
        (news / "tag2.md").write_text(
            f"---\ntitle: Rubio und Lavrov setzen Gespräche in Riad fort\ndate: {tomorrow}\n---\n"
            "Außenminister Marco Rubio und der russische Außenminister Sergey Lavrov haben ihre "
            "Gespräche in Riad am Mittwoch fortgesetzt. Lavrov sagte, beide Seiten hätten sich "
            "auf eine Arbeitsgruppe zur Ukraine geeinigt. Rubio nannte das Treffen konstruktiv.",
            encoding="utf-8",
        )
        with time_machine.travel(morning(services) + dt.timedelta(days=1, hours=3), tick=True):
            collect(services.store, services.config, extra_paths=[news])
        evening = morning(services) + dt.timedelta(days=1, hours=11)
        with services.store.session() as session:
            reader(session, 801).delivery_time = "18:00"
        report = await deliver_due(services, sender, now=evening)
    assert report.sent == 1
    first, second = (m.visible_text for m in server.messages_for(801))
    assert "Tag 2 der Geschichte" in second  # the story keeps its identity
    assert "Arbeitsgruppe" in second  # the new fact leads
    already_read = "Rubio sagte, dass Aktionen in den letzten Jahren"
    assert already_read in first and already_read not in second
