"""The fake Telegram Bot API (tests/botapi) against the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

pytestmark = pytest.mark.store_free

try:
    from tests.botapi import FakeTelegramServer, RateLimits, parse_html
except ImportError:  # pytest put tests/ itself on sys.path (no tests/__init__.py)
    from botapi import FakeTelegramServer, RateLimits, parse_html


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as srv:
        yield srv


# PTB 22 warns (on RetryAfter) that retry_after will become a timedelta in v23.
ignore_retry_after_warning = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def api(server: FakeTelegramServer, method: str, token: str | None = None, **kwargs):
    """A raw call, to check the exact JSON Telegram would answer."""
    url = f"{server.base_url}{token or server.token}/{method}"
    response = httpx.post(url, timeout=5, **kwargs)
    return response.status_code, response.json()


# ------------------------------------------------------------------------------ raw protocol


def test_raw_json_shapes_tokens_and_unknown_methods(server: FakeTelegramServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/bot"

    status, body = api(server, "getMe")
    assert status == 200 and body["ok"] is True
    assert body["result"]["username"] == "MorgenlageTestBot" and body["result"]["is_bot"]

    status, body = api(server, "getMe", token="123456789:wrongwrongwrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})

    status, body = api(server, "sendFoo")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})

    # JSON body, form body and query string are all accepted; form values hold JSON for objects
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    status, body = api(
        server, "sendMessage", json={"chat_id": 5, "text": "<b>a</b>", "parse_mode": "HTML"}
    )
    assert status == 200 and body["result"]["entities"] == [
        {"offset": 0, "length": 1, "type": "bold"}
    ]
    status, body = api(
        server,
        "sendMessage",
        data={"chat_id": "5", "text": "123", "reply_markup": json.dumps(markup)},
    )
    assert status == 200 and body["result"]["text"] == "123"
    assert body["result"]["reply_markup"] == markup
    status, body = api(server, "sendMessage", params={"chat_id": "5", "text": "q"})
    assert status == 200 and body["result"]["message_id"] == 3

    status, body = api(
        server, "sendMessage", json={"chat_id": 5, "text": "<x>", "parse_mode": "HTML"}
    )
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": 'Bad Request: can\'t parse entities: Unsupported start tag "x" '
        "at byte offset 0",
    }
    assert [r.status for r in server.calls("sendmessage")] == [200, 200, 200, 400]
    assert server.requests[0].method == "getMe"


def test_html_parser_matches_telegram_wording() -> None:
    text = "Hallo Welt, <foo>!"
    with pytest.raises(ValueError) as info:
        parse_html(text)
    assert info.value.description == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 12'
    )
    # byte offsets count UTF-8 bytes
    with pytest.raises(ValueError, match='Unsupported start tag "x" at byte offset 7'):
        parse_html("äöü <x>")  # three 2-byte letters and a space before the "<"
    with pytest.raises(ValueError, match='Unsupported start tag "" at byte offset 2'):
        parse_html("a < b")  # a stray "<" is an empty start tag
    cases = {
        "<b>x": 'Can\'t find end tag corresponding to start tag "b"',
        "<b>x</i>": 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
        "x</b>": "Unexpected end tag at byte offset 1",
        "x <b": "Unclosed start tag at byte offset 2",
        "<span>s</span>": 'Tag "span" must have class "tg-spoiler" at byte offset 0',
    }
    for source, message in cases.items():
        with pytest.raises(ValueError) as info:
            parse_html(source)
        assert str(info.value) == message
    parsed = parse_html(
        "<b>B</b> <i>I</i> <u>U</u> <s>S</s> <tg-spoiler>P</tg-spoiler> <code>c</code> "
        '<pre><code class="language-python">p</code></pre> <a href="https://x.de">l</a> '
        "<blockquote expandable>q</blockquote> &lt;&gt;&amp;&quot;&#228; AT&T 😀<b>x</b>"
    )
    assert parsed.text == 'B I U S P c p l q <>&"ä AT&T 😀x'
    types = [e["type"] for e in parsed.entities]
    assert types == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "text_link",
        "expandable_blockquote",
        "bold",
    ]
    assert parsed.entities[-1]["offset"] == len(parsed.text.encode("utf-16-le")) // 2 - 1


def test_get_updates_long_poll_returns_as_soon_as_an_update_arrives(
    server: FakeTelegramServer,
) -> None:
    timer = threading.Timer(0.2, server.send_user_message, args=(42, "Hallo"))
    started = time.monotonic()
    timer.start()
    status, body = api(server, "getUpdates", json={"timeout": 3})
    elapsed = time.monotonic() - started
    assert status == 200 and 0.15 < elapsed < 2.0
    [update] = body["result"]
    assert update["message"]["text"] == "Hallo"
    assert update["message"]["chat"] == {
        "id": 42,
        "type": "private",
        "first_name": "Test",
        "username": "user42",
    }
    # unconfirmed updates come again; an offset confirms them
    status, body = api(server, "getUpdates", json={"timeout": 0})
    assert [u["update_id"] for u in body["result"]] == [update["update_id"]]
    status, body = api(server, "getUpdates", json={"offset": update["update_id"] + 1})
    assert body["result"] == [] and server.pending_updates == []


# ------------------------------------------------------------------------------ PTB Bot


async def test_ptb_bot_get_me_send_and_html_validation(server: FakeTelegramServer) -> None:
    async with server.make_bot() as bot:
        me = await bot.get_me()
        assert me.username == "MorgenlageTestBot" and me.id == server.bot_id

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Mehr", callback_data="more:1")]])
        first = await bot.send_message(
            42,
            '<b>Morgenlage</b> für <i>Dienstag</i>: <a href="https://example.org">Quelle</a>',
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        assert first.text == "Morgenlage für Dienstag: Quelle"
        assert [e.type for e in first.entities] == ["bold", "italic", "text_link"]
        assert first.reply_markup == keyboard and first.from_user.is_bot

        second = await bot.send_message(
            42, "Antwort", reply_parameters=ReplyParameters(message_id=first.message_id)
        )
        assert second.reply_to_message.message_id == first.message_id

        with pytest.raises(BadRequest, match='unsupported start tag "foo" at byte offset 12'):
            await bot.send_message(42, "Hallo Welt, <foo>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(42, "x" * 4097)
        # 4096 visible characters pass even with markup around them
        await bot.send_message(42, "<b>" + "ä" * 4096 + "</b>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(42, "😀" * 2049)  # 4098 UTF-16 code units
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(42, "   ")
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(
                42,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("zu lang", callback_data="d" * 65)]]
                ),
            )
        with pytest.raises(BadRequest, match="Message to be replied not found"):
            await bot.send_message(42, "x", reply_parameters=ReplyParameters(message_id=999))

    sent = server.messages_for(42)
    assert [m.message_id for m in sent] == [1, 2, 3]
    assert sent[0].parse_mode == "HTML" and sent[0].text.startswith("<b>Morgenlage</b>")
    assert sent[0].visible_text == "Morgenlage für Dienstag: Quelle"
    assert sent[0].disable_web_page_preview and sent[0].callback_data == ["more:1"]
    assert sent[1].reply_to_message_id == 1


async def test_wrong_token_and_unknown_method_raise_ptb_errors(server: FakeTelegramServer) -> None:
    bot = Bot("987654321:AAnotTheRightToken", base_url=server.base_url)
    with pytest.raises(InvalidToken, match="Unauthorized"):
        await bot.get_me()
    async with server.make_bot() as good:
        with pytest.raises(EndPointNotFound):
            await good.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})


async def test_edit_message_text_markup_and_errors(server: FakeTelegramServer) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    async with server.make_bot() as bot:
        message = await bot.send_message(7, "eins", reply_markup=keyboard)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("eins", 7, message.message_id, reply_markup=keyboard)
        edited = await bot.edit_message_text(
            "<b>zwei</b>", 7, message.message_id, parse_mode=ParseMode.HTML
        )
        assert edited.text == "zwei" and edited.edit_date is not None
        assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
        edited = await bot.edit_message_reply_markup(7, message.message_id, reply_markup=keyboard)
        assert edited.reply_markup == keyboard
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", 7, 999)
        await bot.send_chat_action(7, ChatAction.TYPING)
        assert await bot.delete_message(7, message.message_id)
    kinds = [m.kind for m in server.messages_for(7, include_edits=True)]
    assert kinds == ["send", "edit_text", "edit_markup"]
    assert server.message_state(7, message.message_id) is None
    assert [(a.chat_id, a.action) for a in server.chat_actions] == [(7, "typing")]


async def test_commands_and_webhook_methods(server: FakeTelegramServer) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    async with server.make_bot() as bot:
        commands = [BotCommand("start", "Anmelden"), BotCommand("heute", "Die Lage von heute")]
        assert await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
        assert await bot.get_my_commands() == ()
        got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
        assert [c.command for c in got] == ["start", "heute"]
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Start", "x")])

        server.send_user_message(1, "früh")
        assert (await bot.get_webhook_info()).pending_update_count == 1
        assert await bot.set_webhook("http://127.0.0.1:9/hook", drop_pending_updates=True)
        info = await bot.get_webhook_info()
        assert info.url == "http://127.0.0.1:9/hook" and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        with pytest.raises(BadRequest, match="failed to resolve host"):
            await bot.set_webhook("https://example.invalid/hook")
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
        assert await bot.close() and await bot.log_out()


async def test_webhook_delivery_to_a_local_receiver(server: FakeTelegramServer) -> None:
    received: list[tuple[dict, str | None]] = []
    got_one = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        got_one.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with server.make_bot() as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="geheim")
            server.send_user_message(3, "/start")
            await asyncio.wait_for(got_one.wait(), 5)
            await server.wait_for_async(lambda: not server.pending_updates, 5)
            await bot.delete_webhook()
    finally:
        await runner.cleanup()
    [(update, secret)] = received
    assert secret == "geheim" and update["message"]["text"] == "/start"


# ------------------------------------------------------------------------------ failures


@ignore_retry_after_warning
async def test_rate_limits_private_group_and_global() -> None:
    clock = FakeClock()
    limits = RateLimits(private_burst=3, group_per_minute=20, group_burst=20, global_burst=30)
    with FakeTelegramServer(rate_limits=limits, clock=clock) as server:
        async with server.make_bot() as bot:
            for n in range(3):
                await bot.send_message(42, f"Nachricht {n}")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(42, "eine zu viel")
            assert retry_seconds(info.value) == 1
            clock.now += 1.0
            await bot.send_message(42, "wieder erlaubt")

            for n in range(20):
                await bot.send_message(-100, f"Gruppe {n}")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(-100, "zu viel")
            assert retry_seconds(info.value) == 3  # 20/min refills one every 3 s

        status, body = api(server, "sendMessage", json={"chat_id": 42, "text": "x"})
        assert status == 429 and body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        assert server.rate_limited == {42: 2, -100: 1}
        assert server.rate_limited_count(42) == 2

    limits = RateLimits(global_per_second=30, global_burst=5, private_per_second=None)
    with FakeTelegramServer(rate_limits=limits, clock=FakeClock()) as server:
        async with server.make_bot() as bot:
            for chat_id in range(1, 6):
                await bot.send_message(chat_id, "hi")
            with pytest.raises(RetryAfter):
                await bot.send_message(6, "hi")


async def test_blocked_and_unknown_chats() -> None:
    with FakeTelegramServer(strict_chats=True, rate_limits=RateLimits.disabled()) as server:
        server.send_user_message(42, "/start")
        server.add_chat(-500, "supergroup", title="Redaktion")
        async with server.make_bot() as bot:
            await bot.send_message(42, "Willkommen")
            await bot.send_message(-500, "Hallo Gruppe")
            with pytest.raises(BadRequest, match="Chat not found"):
                await bot.send_message(43, "wer?")
            server.block_chat(42)
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(42, "noch da?")
            server.block_chat(-500)
            with pytest.raises(Forbidden, match="kicked from the supergroup chat"):
                await bot.send_message(-500, "x")
            server.unblock_chat(42)
            await bot.send_message(42, "wieder da")
    status_of = [r.status for r in server.calls("sendMessage")]
    assert status_of == [200, 200, 400, 403, 403, 200]
    assert server.requests[-1].response["result"]["text"] == "wieder da"


@ignore_retry_after_warning
async def test_fault_injection(server: FakeTelegramServer) -> None:
    async with server.make_bot() as bot:
        server.fail_next("sendMessage", 2, error_code=502, description="Bad Gateway")
        for _ in range(2):
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.send_message(1, "x")
        await bot.send_message(1, "jetzt klappt's")

        server.fail_next("sendMessage", error_code=429, retry_after=7, chat_id=2)
        await bot.send_message(1, "andere Chats sind nicht betroffen")
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(2, "x")
        assert retry_seconds(info.value) == 7

        server.fail_next("getMe", error_code=502, raw_body="<html>502 Bad Gateway</html>")
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()

        server.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(1, "langsam", read_timeout=0.2)
        started = time.monotonic()
        await bot.send_message(1, "wieder schnell", read_timeout=2)
        assert time.monotonic() - started < 0.5
    assert [m.text for m in server.messages_for(1)][-1] == "wieder schnell"


# ------------------------------------------------------------------------------ Application


async def test_application_answers_start_and_button_press_via_long_polling(
    server: FakeTelegramServer,
) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Ja", callback_data="sub:yes")],
                [InlineKeyboardButton("Nein", callback_data="sub:no")],
            ]
        )
        await update.effective_message.reply_text(
            f"<b>Guten Morgen</b>, {update.effective_user.first_name}! Abonnieren?",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Gespeichert")
        await query.edit_message_text(f"Auswahl: {query.data}")

    app = server.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            server.send_user_message(42, "/start", first_name="Anna")
            [reply] = await server.wait_for_messages_async(42, 1, timeout=5)
            assert reply.visible_text == "Guten Morgen, Anna! Abonnieren?"
            assert reply.callback_data == ["sub:yes", "sub:no"]
            assert reply.reply_to_message_id is None  # PTB quotes by default only in groups

            update = server.press_button(42, reply.message_id, "sub:yes")
            edits = await server.wait_for_async(
                lambda: [m for m in server.messages_for(42, include_edits=True) if m.edited], 5
            )
            assert edits[0].visible_text == "Auswahl: sub:yes"
            assert edits[0].reply_markup is None
            [answer] = server.callback_answers
            assert answer.callback_query_id == update["callback_query"]["id"]
            assert answer.text == "Gespeichert"

            # a group: "/start@BotName" is a command for this bot, "/start@Other" is not
            server.send_user_message(-100, "/start@OtherBot", user_id=7)
            command = server.send_user_message(-100, "/start", user_id=7, mention_bot=True)
            assert command["message"]["text"] == "/start@MorgenlageTestBot"
            [group_reply] = await server.wait_for_messages_async(-100, 1, timeout=5)
            assert group_reply.message["chat"]["type"] == "group"
            assert group_reply.reply_to_message_id == command["message"]["message_id"]
        finally:
            await app.updater.stop()
            await app.stop()
    assert len(server.messages_for(-100)) == 1
    with pytest.raises(LookupError):
        server.press_button(42, reply.message_id, "not-a-button")


def test_sync_helpers_with_a_bot_in_another_thread(server: FakeTelegramServer) -> None:
    """A synchronous test: the bot runs in its own thread/loop, the test blocks on helpers."""
    update = server.send_user_message(-100123, "/heute@MorgenlageTestBot bitte", user_id=9)
    assert update["message"]["entities"] == [
        {"offset": 0, "length": len("/heute@MorgenlageTestBot"), "type": "bot_command"}
    ]
    update = server.send_user_message(5, "😀 /start")
    assert update["message"]["entities"] == [{"offset": 3, "length": 6, "type": "bot_command"}]

    async def echo_bot() -> None:
        async with server.make_bot() as bot:
            updates = await bot.get_updates(timeout=2)
            for upd in updates:
                await bot.send_message(upd.effective_chat.id, f"Echo: {upd.message.text}")

    thread = threading.Thread(target=asyncio.run, args=(echo_bot(),))
    thread.start()
    try:
        [echo] = server.wait_for_messages(5, 1, timeout=5)
        assert echo.text == "Echo: 😀 /start"
        server.wait_for_messages(-100123, 1, timeout=5)
        with pytest.raises(TimeoutError, match="2 message"):
            server.wait_for_messages(5, 2, timeout=0.1)
    finally:
        thread.join(5)
    assert [r.method for r in server.wait_for_calls("sendMessage", 2, timeout=1)] == [
        "sendMessage",
        "sendMessage",
    ]


async def test_answer_callback_query_checks_the_query_id(server: FakeTelegramServer) -> None:
    async with server.make_bot() as bot:
        message = await bot.send_message(
            8,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
        )
        update = server.press_button(8, message.message_id, button_text="A")
        query_id = update["callback_query"]["id"]
        assert update["callback_query"]["message"]["message_id"] == message.message_id
        assert await bot.answer_callback_query(query_id, text="ok")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("123")
