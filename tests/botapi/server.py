"""A local fake of the Telegram Bot API for end-to-end tests and benchmarks.

The server runs aiohttp on ``127.0.0.1`` (a free port) in a background thread with its own event
loop, so synchronous tests, ``pytest-asyncio`` tests and benchmarks can all talk to it through
the real python-telegram-bot::

    with FakeTelegramServer() as server:
        app = server.application_builder().build()      # or:
        bot = telegram.Bot(server.token, base_url=server.base_url,
                           base_file_url=server.base_file_url)

PTB builds request URLs as ``f"{base_url}{token}/{method}"``; ``server.base_url`` is
``http://127.0.0.1:<port>/bot`` accordingly.

One server emulates one bot.  Answers follow Telegram's shapes and wording
(``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": N, "description": ...,
"parameters": {...}}``).  Everything that arrives is recorded: raw requests
(:attr:`FakeTelegramServer.requests`), sent and edited messages
(:attr:`FakeTelegramServer.messages`), callback answers, chat actions and 429s per chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout, web

from .ratelimit import FloodControl, RateLimits
from .telegram_html import EntityParseError, ParsedText, parse_html, parse_plain, utf16_len

_log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TOKEN = "123456789:AAFakeMorgenlageTestTokenForE2ETests0"
DEFAULT_USERNAME = "MorgenlageTestBot"

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class ApiError(Exception):
    """An error answer: HTTP status = ``error_code``, Telegram's ``description``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# Records


@dataclass
class RecordedRequest:
    """One HTTP request to the fake API, whatever its outcome."""

    method: str
    http_method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    content_type: str
    token: str
    time: float  # time.monotonic() when the answer was ready
    duration: float  # seconds spent answering (including injected delays and long polling)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class RecordedMessage:
    """A message the bot sent (``kind="send"``) or a successful edit of one."""

    kind: str  # "send" | "edit_text" | "edit_markup"
    method: str
    chat_id: int
    message_id: int
    text: str | None  # the text parameter as sent (HTML source when parse_mode is HTML)
    parse_mode: str | None
    visible_text: str | None  # the text after entity parsing, as Telegram shows it
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    link_preview_options: dict[str, Any] | None
    reply_to_message_id: int | None
    time: float  # time.monotonic()
    date: int  # unix time, as in the returned Message
    message: dict[str, Any] = field(repr=False)  # the Message object that was answered

    @property
    def edited(self) -> bool:
        return self.kind != "send"

    @property
    def disable_web_page_preview(self) -> bool:
        return bool((self.link_preview_options or {}).get("is_disabled"))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """All inline keyboard buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    time: float


@dataclass
class ChatActionRecord:
    chat_id: int
    action: str
    time: float


@dataclass
class _Fault:
    method: str  # lower-case method name or "*"
    chat_id: int | None
    remaining: int | None  # None: until cleared
    delay: float
    error: ApiError | None
    raw_body: tuple[int, str] | None


class _Params:
    """Request parameters as PTB sends them: JSON values or form strings holding JSON."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def int(self, name: str, default: int | None = None, *, error: str | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise bad_request(error or f"invalid {name} specified")

    def float(self, name: str, default: float) -> float:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json(self, name: str, error: str) -> Any:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value


@dataclass
class _CallbackQuery:
    created: float
    answered: bool = False


# --------------------------------------------------------------------------------------------
# The server


class FakeTelegramServer:
    """A fake Telegram Bot API for one bot, listening on 127.0.0.1.

    Args:
        token: the bot token the server accepts (any other well-formed one gets 401).
        username: the bot's username in getMe and for ``/cmd@username`` commands.
        first_name: the bot's first name in getMe.
        rate_limits: flood control, see :class:`RateLimits`; ``RateLimits.disabled()``
            turns it off.  Defaults to Telegram's documented limits.
        strict_chats: answer "Bad Request: chat not found" for chats the server has never
            seen (seen = a scripted user wrote there, or :meth:`add_chat`).
        clock: monotonic clock for flood control (inject a fake one for deterministic tests).
        callback_query_ttl: seconds a callback query can be answered (Telegram: about 15).
        max_message_length: "message is too long" above this many UTF-16 code units.
        reject_unescaped_ampersand: reject a stray ``&`` in HTML (real Telegram keeps it).
        webhook_retry_delay: seconds between attempts to deliver to a failing webhook.
        record_requests: keep every raw request in :attr:`requests` (switch off for long
            benchmarks; messages, answers and 429 counts are recorded regardless).
        port: 0 picks a free port.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = DEFAULT_USERNAME,
        first_name: str = "Morgenlage",
        rate_limits: RateLimits | None = None,
        strict_chats: bool = False,
        clock: Callable[[], float] = time.monotonic,
        callback_query_ttl: float = 15.0,
        max_message_length: int = MAX_MESSAGE_LENGTH,
        reject_unescaped_ampersand: bool = False,
        webhook_retry_delay: float = 0.2,
        record_requests: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if host not in _LOOPBACK_HOSTS:
            raise ValueError("the fake Bot API only listens on the loopback interface")
        if not _TOKEN_SHAPE.match(token):
            raise ValueError("a bot token looks like '<digits>:<letters, digits, _ or ->'")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.rate_limits = rate_limits or RateLimits()
        self.strict_chats = strict_chats
        self.callback_query_ttl = callback_query_ttl
        self.max_message_length = max_message_length
        self.reject_unescaped_ampersand = reject_unescaped_ampersand
        self.webhook_retry_delay = webhook_retry_delay
        self.record_requests = record_requests
        self._host = "127.0.0.1" if host == "localhost" else host
        self._requested_port = port
        self._clock = clock

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._flood = FloodControl(self.rate_limits, clock)

        # state (guarded by _lock)
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._blocked: dict[int, str] = {}
        self._missing_chats: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._store: dict[tuple[int, int], dict[str, Any]] = {}
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: list[str] = []
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._callback_ids = itertools.count(4_242_424_242_000_000_001)
        self._webhook: dict[str, Any] | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._faults: list[_Fault] = []
        self._poll_generation = 0
        self._held_method: str | None = None  # see hold()
        self._release = threading.Event()
        self._in_flight = 0

        # records (guarded by _lock)
        self._requests: list[RecordedRequest] = []
        self._messages: list[RecordedMessage] = []
        self._messages_by_chat: dict[int, list[RecordedMessage]] = {}
        self._callback_answers: list[CallbackAnswer] = []
        self._chat_actions: list[ChatActionRecord] = []
        self._deleted: list[tuple[int, int]] = []
        self._rate_limited: Counter[int] = Counter()

        # loop side
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._stop_event: asyncio.Event | None = None
        self._waiters: set[asyncio.Future[None]] = set()
        self._closing = False
        self._port: int | None = None
        self._started = False

        self._handlers: dict[str, Callable[[_Params], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "getchat": self._get_chat,
            "close": self._close,
            "logout": self._log_out,
        }

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeTelegramServer:
        """Start listening (returns once the port is bound); idempotent."""
        if self._started:
            if self._thread is None:
                raise RuntimeError("a stopped FakeTelegramServer cannot be restarted")
            return self
        self._started = True
        self._thread = threading.Thread(
            target=self._run, name=f"fake-telegram-{self.username}", daemon=True
        )
        self._thread.start()
        self._ready.wait(10)
        if self._startup_error is not None:
            raise RuntimeError("the fake Bot API did not start") from self._startup_error
        if self._port is None:
            raise RuntimeError("the fake Bot API did not start within 10 s")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server: open long polls end, connections close, the thread ends."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive() and self._stop_event is not None:
            with contextlib.suppress(RuntimeError):  # the loop may be closing already
                loop.call_soon_threadsafe(self._stop_event.set)
        thread.join(timeout)
        self._thread = None

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeTelegramServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:  # pragma: no cover - reported to start()
            if not self._ready.is_set():
                self._startup_error = exc
            else:
                _log.exception("fake Bot API crashed")
        finally:
            self._ready.set()
            with contextlib.suppress(Exception):
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self) -> None:
        self._stop_event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._requested_port))
        sock.setblocking(False)
        site = web.SockSite(runner, sock)
        await site.start()
        self._port = sock.getsockname()[1]
        webhook_task = asyncio.create_task(self._webhook_worker())
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            self._closing = True
            self._wake_waiters()
            webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await webhook_task
            await runner.cleanup()
            with self._lock:
                self._changed.notify_all()

    # ---------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For PTB's ``base_url``: PTB appends ``{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def method_url(self, method: str) -> str:
        return f"{self.base_url}{self.token}/{method}"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    # ---------------------------------------------------------------- PTB conveniences

    def make_bot(self, **kwargs: Any) -> Any:
        """A ``telegram.Bot`` pointed at this server (not yet initialised)."""
        from telegram import Bot

        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("base_file_url", self.base_file_url)
        return Bot(self.token, **kwargs)

    def application_builder(self) -> Any:
        """A ``telegram.ext.ApplicationBuilder`` with token and URLs of this server set."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ---------------------------------------------------------------- scripted users

    def add_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """Make a chat known (e.g. for ``strict_chats``); returns its Chat object."""
        chat_type = chat_type or ("private" if chat_id > 0 else "group")
        if chat_type == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": "private"}
            chat["first_name"] = first_name or "Test"
            if username:
                chat["username"] = username
        else:
            chat = {"id": chat_id, "type": chat_type, "title": title or f"Gruppe {chat_id}"}
            if username:
                chat["username"] = username
        with self._lock:
            self._chats[chat_id] = chat
            self._missing_chats.discard(chat_id)
        return dict(chat)

    def send_user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        language_code: str | None = "de",
        reply_to_message_id: int | None = None,
        mention_bot: bool = False,
    ) -> dict[str, Any]:
        """A user writes ``text`` into ``chat_id``; the Update is queued for getUpdates.

        ``chat_type`` defaults to "private" for positive and "group" for negative ids; in a
        private chat ``user_id`` defaults to ``chat_id``.  ``bot_command`` entities are set for
        ``/cmd`` and ``/cmd@BotName``; ``mention_bot=True`` turns a leading ``/cmd`` into
        ``/cmd@<bot username>`` as Telegram clients do in groups.  Returns the Update dict.
        """
        chat_type = chat_type or ("private" if chat_id > 0 else "group")
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 1_000_001
        if mention_bot and text.startswith("/"):
            head, sep, rest = text.partition(" ")
            if "@" not in head:
                text = f"{head}@{self.username}{sep}{rest}"
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        user["username"] = username or f"user{user_id}"
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or chat.get("type") != chat_type:
                if chat_type == "private":
                    chat = {"id": chat_id, "type": "private", "first_name": first_name}
                    if last_name:
                        chat["last_name"] = last_name
                    chat["username"] = user["username"]
                else:
                    chat = {"id": chat_id, "type": chat_type, "title": f"Gruppe {chat_id}"}
                self._chats[chat_id] = chat
            self._missing_chats.discard(chat_id)
            self._users[user_id] = user
            message: dict[str, Any] = {
                "message_id": self._new_message_id(chat_id),
                "from": dict(user),
                "chat": dict(chat),
                "date": int(time.time()),
                "text": text,
            }
            entities = command_entities(text)
            if entities:
                message["entities"] = entities
            if reply_to_message_id is not None:
                replied = self._store.get((chat_id, reply_to_message_id))
                if replied is not None:
                    message["reply_to_message"] = _without_reply(replied)
            self._store[(chat_id, message["message_id"])] = message
        return self.queue_update({"message": copy.deepcopy(message)})

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str | None = None,
        *,
        button_text: str | None = None,
        user_id: int | None = None,
        username: str | None = None,
        first_name: str = "Test",
        language_code: str | None = "de",
        check: bool = True,
    ) -> dict[str, Any]:
        """A user presses an inline button of the bot's message; returns the queued Update.

        Give the button's ``data`` (callback_data) or its ``button_text``.  With ``check`` the
        button must exist on the message's current keyboard (a real client cannot press
        anything else).  The callback query id is ``update["callback_query"]["id"]``.
        """
        with self._lock:
            message = self._store.get((chat_id, message_id))
            if message is None:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            buttons = [
                b
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            if button_text is not None:
                found = [b for b in buttons if b.get("text") == button_text]
                if not found or "callback_data" not in found[0]:
                    raise LookupError(f"no callback button {button_text!r} on the message")
                data = found[0]["callback_data"]
            if data is None:
                raise ValueError("give data or button_text")
            if check and not any(b.get("callback_data") == data for b in buttons):
                raise LookupError(
                    f"message {message_id} in chat {chat_id} has no button with data {data!r}; "
                    f"it has {[b.get('callback_data') for b in buttons]}"
                )
            chat = message["chat"]
            if user_id is None:
                user_id = chat_id if chat.get("type") == "private" else 1_000_001
            user = dict(self._users.get(user_id) or {})
            if not user:
                user = {"id": user_id, "is_bot": False, "first_name": first_name}
                user["username"] = username or f"user{user_id}"
                if language_code:
                    user["language_code"] = language_code
            query_id = str(next(self._callback_ids))
            self._callback_queries[query_id] = _CallbackQuery(created=time.monotonic())
            query = {
                "id": query_id,
                "from": user,
                "message": copy.deepcopy(message),
                "chat_instance": str(abs(chat_id) * 7919 + 1_234_567),
                "data": data,
            }
        return self.queue_update({"callback_query": query})

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any Update (``update_id`` is assigned); getUpdates / the webhook gets it."""
        with self._lock:
            full = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
            self._pending.append(full)
            self._changed.notify_all()
        self._signal()
        return copy.deepcopy(full)

    # ---------------------------------------------------------------- chat states

    def block_chat(
        self, chat_id: int, *, description: str | None = None, send_update: bool = False
    ) -> None:
        """From now on sending to ``chat_id`` gets 403 (user blocked the bot / bot kicked).

        ``send_update=True`` also queues the ``my_chat_member`` Update Telegram sends then.
        """
        with self._lock:
            chat = self._chat_object(chat_id)
            if description is None:
                if chat["type"] == "private":
                    description = "Forbidden: bot was blocked by the user"
                elif chat["type"] == "channel":
                    description = "Forbidden: bot is not a member of the channel chat"
                else:
                    description = f"Forbidden: bot was kicked from the {chat['type']} chat"
            self._blocked[chat_id] = description
            user = self._users.get(chat_id) if chat["type"] == "private" else None
        if send_update:
            actor = user or {"id": 1_000_001, "is_bot": False, "first_name": "Test"}
            self.queue_update(
                {
                    "my_chat_member": {
                        "chat": chat,
                        "from": actor,
                        "date": int(time.time()),
                        "old_chat_member": {"user": self.bot_user, "status": "member"},
                        "new_chat_member": {
                            "user": self.bot_user,
                            "status": "kicked",
                            "until_date": 0,
                        },
                    }
                }
            )

    def unblock_chat(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.pop(chat_id, None)

    def set_chat_not_found(self, chat_id: int, missing: bool = True) -> None:
        """Make one chat answer "Bad Request: chat not found" (independent of strict_chats)."""
        with self._lock:
            if missing:
                self._missing_chats.add(chat_id)
            else:
                self._missing_chats.discard(chat_id)

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str = "*",
        times: int | None = 1,
        *,
        error_code: int = 500,
        description: str = "Internal Server Error",
        parameters: dict[str, Any] | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        delay: float = 0.0,
        raw_body: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" = any; None = until cleared) fail.

        The answer is ``{"ok": false, "error_code": error_code, "description": ...}``;
        ``retry_after`` adds ``parameters.retry_after`` (and a 429-style description when the
        code is 429 and no description was given).  ``raw_body`` answers that text instead of
        JSON (e.g. a proxy's HTML error page).  ``chat_id`` limits the fault to one chat.
        """
        if retry_after is not None:
            parameters = {**(parameters or {}), "retry_after": retry_after}
            if error_code == 429 and description == "Internal Server Error":
                description = f"Too Many Requests: retry after {retry_after}"
        fault = _Fault(
            method=method.lower(),
            chat_id=chat_id,
            remaining=times,
            delay=delay,
            error=ApiError(error_code, description, parameters),
            raw_body=(error_code, raw_body) if raw_body is not None else None,
        )
        with self._lock:
            self._faults.append(fault)

    def delay_next(
        self,
        method: str = "*",
        seconds: float = 1.0,
        times: int | None = 1,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Delay the answers to the next ``times`` calls of ``method`` (None = until cleared)."""
        with self._lock:
            self._faults.append(
                _Fault(method.lower(), chat_id, times, seconds, error=None, raw_body=None)
            )

    def hold(self, method: str = "sendMessage") -> None:
        """From now on, calls of ``method`` wait at the door, unanswered and unrecorded, until
        :meth:`drop_held` turns them away — requests that never reached Telegram. With
        :meth:`wait_quiet`, a test can kill a client at a moment when nothing it sent is half
        way: everything before was answered, everything after was never accepted."""
        with self._lock:
            self._release.clear()
            self._held_method = method.lower()

    def drop_held(self) -> None:
        """Answer the held calls with 502 (not recorded) and stop holding."""
        with self._lock:
            self._held_method = None
            self._release.set()

    def wait_quiet(self, timeout: float = 10.0) -> None:
        """Wait until no call is being processed (held ones do not count)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._in_flight == 0:
                    return
            time.sleep(0.01)
        raise TimeoutError("calls still being processed")

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_faults(self, method: str, chat_id: int | None) -> tuple[float, _Fault | None]:
        delay = 0.0
        failure: _Fault | None = None
        with self._lock:
            for fault in list(self._faults):
                if fault.method not in ("*", method.lower()):
                    continue
                if fault.chat_id is not None and fault.chat_id != chat_id:
                    continue
                is_failure = fault.error is not None
                if is_failure and failure is not None:
                    continue
                if not is_failure and delay:
                    continue
                delay = max(delay, fault.delay)
                if is_failure:
                    failure = fault
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
        return delay, failure

    # ---------------------------------------------------------------- records

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def calls(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive), in arrival order."""
        method = method.lower()
        with self._lock:
            return [r for r in self._requests if r.method.lower() == method]

    @property
    def messages(self) -> list[RecordedMessage]:
        """Every successful send and edit, in order."""
        with self._lock:
            return list(self._messages)

    def messages_for(self, chat_id: int, *, include_edits: bool = False) -> list[RecordedMessage]:
        with self._lock:
            found = self._messages_by_chat.get(chat_id, [])
            return list(found) if include_edits else [m for m in found if m.kind == "send"]

    def last_message(self, chat_id: int) -> RecordedMessage | None:
        sent = self.messages_for(chat_id)
        return sent[-1] if sent else None

    def message_state(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current Message object (after all edits), or None if unknown / deleted."""
        with self._lock:
            message = self._store.get((chat_id, message_id))
            return copy.deepcopy(message) if message is not None else None

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        with self._lock:
            return list(self._callback_answers)

    @property
    def chat_actions(self) -> list[ChatActionRecord]:
        with self._lock:
            return list(self._chat_actions)

    @property
    def deleted_messages(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self._deleted)

    @property
    def rate_limited(self) -> Counter[int]:
        """Number of 429 answers per chat id."""
        with self._lock:
            return Counter(self._rate_limited)

    def rate_limited_count(self, chat_id: int) -> int:
        with self._lock:
            return self._rate_limited[chat_id]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by getUpdates ``offset`` (or webhook delivery)."""
        with self._lock:
            return copy.deepcopy(self._pending)

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self._lock:
            return dict(self._webhook) if self._webhook else None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    def reset_records(self) -> None:
        """Forget recorded requests, messages, answers, actions and 429 counts (not state)."""
        with self._lock:
            self._requests.clear()
            self._messages.clear()
            self._messages_by_chat.clear()
            self._callback_answers.clear()
            self._chat_actions.clear()
            self._deleted.clear()
            self._rate_limited.clear()

    def reset_rate_limits(self) -> None:
        with self._lock:
            self._flood.reset()

    # ---------------------------------------------------------------- waiting

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition"
    ) -> T:
        """Block until ``predicate()`` is truthy (re-checked on every change); return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
                self._changed.wait(min(remaining, 0.25))

    async def wait_for_async(
        self, predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition"
    ) -> T:
        """Like :meth:`wait_for` without blocking the calling event loop."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.005)

    def _messages_predicate(
        self, chat_id: int, count: int, include_edits: bool
    ) -> Callable[[], list[RecordedMessage]]:
        def predicate() -> list[RecordedMessage]:
            found = self.messages_for(chat_id, include_edits=include_edits)
            return found if len(found) >= count else []

        return predicate

    def _describe_messages(self, chat_id: int, count: int) -> str:
        got = [m.text for m in self.messages_for(chat_id, include_edits=True)]
        return f"{count} message(s) in chat {chat_id} (so far: {got!r})"

    def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 10.0, *, include_edits: bool = False
    ) -> list[RecordedMessage]:
        """Block until ``count`` messages were sent to ``chat_id``; return all sent there.

        Do not call this from the event loop that runs the bot (it would block the bot);
        use :meth:`wait_for_messages_async` there.
        """
        predicate = self._messages_predicate(chat_id, count, include_edits)
        try:
            return self.wait_for(predicate, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"timed out after {timeout} s waiting for {self._describe_messages(chat_id, count)}"
            ) from None

    async def wait_for_messages_async(
        self, chat_id: int, count: int = 1, timeout: float = 10.0, *, include_edits: bool = False
    ) -> list[RecordedMessage]:
        predicate = self._messages_predicate(chat_id, count, include_edits)
        try:
            return await self.wait_for_async(predicate, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"timed out after {timeout} s waiting for {self._describe_messages(chat_id, count)}"
            ) from None

    def _calls_predicate(
        self, method: str, count: int, ok_only: bool
    ) -> Callable[[], list[RecordedRequest]]:
        def predicate() -> list[RecordedRequest]:
            found = [r for r in self.calls(method) if r.ok or not ok_only]
            return found if len(found) >= count else []

        return predicate

    def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 10.0, *, ok_only: bool = False
    ) -> list[RecordedRequest]:
        """Block until ``method`` was called ``count`` times; return those requests."""
        return self.wait_for(
            self._calls_predicate(method, count, ok_only), timeout, f"{count} x {method}"
        )

    async def wait_for_calls_async(
        self, method: str, count: int = 1, timeout: float = 10.0, *, ok_only: bool = False
    ) -> list[RecordedRequest]:
        return await self.wait_for_async(
            self._calls_predicate(method, count, ok_only), timeout, f"{count} x {method}"
        )

    # ---------------------------------------------------------------- loop helpers

    def _signal(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_waiters)

    def _wake_waiters(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)

    async def _sleep_unless_closing(self, seconds: float) -> None:
        assert self._stop_event is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_event.wait(), seconds)

    async def _wait_signal(self, timeout: float) -> None:
        assert self._loop is not None
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        finally:
            self._waiters.discard(waiter)

    # ---------------------------------------------------------------- HTTP

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON")
            params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"file": value.filename, "size": len(value.file.read())}
                else:
                    params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        token = request.match_info["token"]
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        raw_answer: tuple[int, str] | None = None
        counted = False
        try:
            params = await self._read_params(request)
            if token != self.token:
                if _TOKEN_SHAPE.match(token):
                    raise ApiError(401, "Unauthorized")
                raise ApiError(404, "Not Found")
            handler = self._handlers.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            if self._held_method == method.lower():
                while not self._release.is_set():
                    await asyncio.sleep(0.01)
                return web.json_response(ApiError(502, "Bad Gateway").body(), status=502)
            with self._lock:
                self._in_flight += 1
                counted = True
            chat = params.get("chat_id")
            delay, failure = self._take_faults(method, int(chat) if _is_numeric(chat) else None)
            if delay:
                await self._sleep_unless_closing(delay)
            if failure is not None and failure.error is not None:
                raw_answer = failure.raw_body
                raise failure.error
            result = await handler(_Params(params))
            if isinstance(result, _Described):
                body = {"ok": True, "result": result.value, "description": result.description}
            else:
                body = {"ok": True, "result": result}
            status = 200
        except ApiError as exc:
            body, status = exc.body(), exc.error_code
            if status == 429:
                chat = params.get("chat_id")
                if _is_numeric(chat):
                    with self._lock:
                        self._rate_limited[int(chat)] += 1
        except Exception:  # a bug in the fake: answer like Telegram's 500, keep serving
            _log.exception("fake Bot API failed on %s", method)
            body, status = ApiError(500, "Internal Server Error").body(), 500
        self._record_request(request, token, method, params, status, body, started)
        if counted:
            with self._lock:
                self._in_flight -= 1
        if raw_answer is not None:
            return web.Response(status=raw_answer[0], text=raw_answer[1], content_type="text/html")
        return web.Response(
            status=status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
        )

    def _record_request(
        self,
        request: web.Request,
        token: str,
        method: str,
        params: dict[str, Any],
        status: int,
        body: dict[str, Any],
        started: float,
    ) -> None:
        now = time.monotonic()
        record = RecordedRequest(
            method=method,
            http_method=request.method,
            params=params,
            status=status,
            response=body,
            content_type=request.content_type,
            token=token,
            time=now,
            duration=now - started,
        )
        with self._lock:
            if self.record_requests:
                self._requests.append(record)
            self._changed.notify_all()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    async def _handle_unknown_path(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    # ---------------------------------------------------------------- chats & messages

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _chat_object(self, chat_id: int) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return dict(chat)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        if chat_id < -1_000_000_000_000:
            return {"id": chat_id, "type": "supergroup", "title": f"Gruppe {chat_id}"}
        return {"id": chat_id, "type": "group", "title": f"Gruppe {chat_id}"}

    def _resolve_chat_id(self, params: _Params) -> int:
        value = params.raw.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if _is_numeric(value):
            return int(value)
        if isinstance(value, str) and value.startswith("@"):
            with self._lock:
                for chat in self._chats.values():
                    if chat.get("username", "").lower() == value[1:].lower():
                        return int(chat["id"])
        raise bad_request("chat not found")

    def _check_chat(self, chat_id: int) -> None:
        with self._lock:
            if chat_id in self._missing_chats or (self.strict_chats and chat_id not in self._chats):
                raise bad_request("chat not found")
            blocked = self._blocked.get(chat_id)
        if blocked is not None:
            raise ApiError(403, blocked)

    def _flood_check(self, chat_id: int) -> None:
        with self._lock:
            retry_after = self._flood.acquire(chat_id)
        if retry_after:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    def _format_text(
        self, params: _Params, *, text_field: str = "text"
    ) -> tuple[str, str | None, ParsedText]:
        text = params.str(text_field)
        if text is None or not text.strip():
            raise bad_request("message text is empty")
        parse_mode = params.str("parse_mode") or None
        if parse_mode is not None and parse_mode.lower() not in ("html", "markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
        if parse_mode is not None and parse_mode.lower() == "html":
            try:
                parsed = parse_html(
                    text, reject_unescaped_ampersand=self.reject_unescaped_ampersand
                )
            except EntityParseError as exc:
                raise ApiError(400, exc.description) from None
        else:
            # Markdown is not parsed by the fake: the text arrives as sent.
            entities = params.json("entities", "can't parse entities JSON object")
            parsed = parse_plain(text, entities if isinstance(entities, list) else None)
        if not parsed.text:
            raise bad_request("text must be non-empty")
        if utf16_len(parsed.text) > self.max_message_length:
            raise bad_request("message is too long")
        return text, parse_mode, parsed

    def _reply_markup(self, params: _Params) -> dict[str, Any] | None:
        markup = params.json("reply_markup", "can't parse reply keyboard markup JSON object")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('field "inline_keyboard" must be an Array of Arrays')
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return {"inline_keyboard": rows}
        if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup

    def _link_preview_options(self, params: _Params) -> dict[str, Any] | None:
        options = params.json(
            "link_preview_options", "can't parse link preview options JSON object"
        )
        if options is not None and not isinstance(options, dict):
            raise bad_request("can't parse link preview options JSON object")
        if params.has("disable_web_page_preview"):
            options = dict(options or {})
            if params.bool("disable_web_page_preview"):
                options["is_disabled"] = True
        return options or None

    def _record_message(
        self,
        kind: str,
        method: str,
        message: dict[str, Any],
        text: str | None,
        parse_mode: str | None,
        link_preview_options: dict[str, Any] | None,
    ) -> None:
        reply_to = message.get("reply_to_message")
        record = RecordedMessage(
            kind=kind,
            method=method,
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            text=text,
            parse_mode=parse_mode,
            visible_text=message.get("text"),
            entities=copy.deepcopy(message.get("entities", [])),
            reply_markup=copy.deepcopy(message.get("reply_markup")),
            link_preview_options=link_preview_options,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
            time=time.monotonic(),
            date=message.get("edit_date", message["date"]),
            message=copy.deepcopy(message),
        )
        with self._lock:
            self._messages.append(record)
            self._messages_by_chat.setdefault(record.chat_id, []).append(record)
            self._changed.notify_all()

    # ---------------------------------------------------------------- methods

    async def _get_me(self, params: _Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_chat(self, params: _Params) -> dict[str, Any]:
        chat_id = self._resolve_chat_id(params)
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or chat_id in self._missing_chats:
                raise bad_request("chat not found")
            return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    async def _close(self, params: _Params) -> bool:
        return True

    async def _log_out(self, params: _Params) -> bool:
        return True

    async def _send_message(self, params: _Params) -> dict[str, Any]:
        chat_id = self._resolve_chat_id(params)
        self._check_chat(chat_id)
        text, parse_mode, parsed = self._format_text(params)
        markup = self._reply_markup(params)
        preview = self._link_preview_options(params)
        reply_params = params.json("reply_parameters", "can't parse reply parameters JSON object")
        reply_to_id = params.int("reply_to_message_id")
        allow_without = params.bool("allow_sending_without_reply")
        if isinstance(reply_params, dict):
            reply_to_id = _Params(reply_params).int("message_id", reply_to_id)
            allow_without = _Params(reply_params).bool("allow_sending_without_reply", allow_without)
            reply_chat = reply_params.get("chat_id")
            if reply_chat is not None and _is_numeric(reply_chat) and int(reply_chat) != chat_id:
                raise bad_request("message to be replied not found")
        with self._lock:
            replied = self._store.get((chat_id, reply_to_id)) if reply_to_id else None
        if reply_to_id and replied is None and not allow_without:
            raise bad_request("message to be replied not found")
        self._flood_check(chat_id)
        with self._lock:
            message: dict[str, Any] = {
                "message_id": self._new_message_id(chat_id),
                "from": self.bot_user,
                "chat": self._chat_object(chat_id),
                "date": int(time.time()),
                "text": parsed.text,
            }
            if parsed.entities:
                message["entities"] = parsed.entities
            if preview:
                message["link_preview_options"] = preview
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            if replied is not None:
                message["reply_to_message"] = _without_reply(replied)
            self._store[(chat_id, message["message_id"])] = message
            answer = copy.deepcopy(message)
        self._record_message("send", "sendMessage", answer, text, parse_mode, preview)
        return answer

    def _message_to_edit(self, params: _Params) -> tuple[int, int, dict[str, Any]]:
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat_id = self._resolve_chat_id(params)
        message_id = params.int("message_id", error="message identifier is not specified")
        if not message_id:
            raise bad_request("message identifier is not specified")
        self._check_chat(chat_id)
        with self._lock:
            message = self._store.get((chat_id, message_id))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return chat_id, message_id, message

    async def _edit_message_text(self, params: _Params) -> dict[str, Any]:
        chat_id, message_id, message = self._message_to_edit(params)
        text, parse_mode, parsed = self._format_text(params)
        markup = self._reply_markup(params)
        new_markup = markup if markup and "inline_keyboard" in markup else None
        preview = self._link_preview_options(params)
        if (
            message.get("text") == parsed.text
            and message.get("entities", []) == parsed.entities
            and message.get("reply_markup") == new_markup
        ):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        if self.rate_limits.count_edits:
            self._flood_check(chat_id)
        with self._lock:
            message["text"] = parsed.text
            message.pop("entities", None)
            if parsed.entities:
                message["entities"] = parsed.entities
            # Like Telegram: an edit without reply_markup removes the inline keyboard.
            message.pop("reply_markup", None)
            if new_markup:
                message["reply_markup"] = new_markup
            if preview:
                message["link_preview_options"] = preview
            message["edit_date"] = int(time.time())
            answer = copy.deepcopy(message)
        self._record_message("edit_text", "editMessageText", answer, text, parse_mode, preview)
        return answer

    async def _edit_message_reply_markup(self, params: _Params) -> dict[str, Any]:
        chat_id, message_id, message = self._message_to_edit(params)
        markup = self._reply_markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("can't parse inline keyboard markup JSON object")
        new_markup = markup if markup and markup["inline_keyboard"] else None
        if message.get("reply_markup") == new_markup:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        if self.rate_limits.count_edits:
            self._flood_check(chat_id)
        with self._lock:
            message.pop("reply_markup", None)
            if new_markup:
                message["reply_markup"] = new_markup
            message["edit_date"] = int(time.time())
            answer = copy.deepcopy(message)
        self._record_message("edit_markup", "editMessageReplyMarkup", answer, None, None, None)
        return answer

    async def _delete_message(self, params: _Params) -> bool:
        chat_id = self._resolve_chat_id(params)
        message_id = params.int("message_id", error="message identifier is not specified")
        if not message_id:
            raise bad_request("message identifier is not specified")
        self._check_chat(chat_id)
        with self._lock:
            message = self._store.get((chat_id, message_id))
            if message is None:
                raise bad_request("message to delete not found")
            if message["from"]["id"] != self.bot_id and message["chat"]["type"] != "private":
                raise bad_request("message can't be deleted")
            del self._store[(chat_id, message_id)]
            self._deleted.append((chat_id, message_id))
            self._changed.notify_all()
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.str("callback_query_id")
        text = params.str("text")
        with self._lock:
            query = self._callback_queries.get(query_id or "")
            if (
                query is None
                or query.answered
                or time.monotonic() - query.created > self.callback_query_ttl
            ):
                raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
            if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
                raise bad_request("MESSAGE_TOO_LONG")
            query.answered = True
            self._callback_answers.append(
                CallbackAnswer(
                    callback_query_id=query_id or "",
                    text=text,
                    show_alert=params.bool("show_alert"),
                    url=params.str("url"),
                    cache_time=params.int("cache_time", 0) or 0,
                    time=time.monotonic(),
                )
            )
            self._changed.notify_all()
        return True

    async def _send_chat_action(self, params: _Params) -> bool:
        chat_id = self._resolve_chat_id(params)
        self._check_chat(chat_id)
        action = params.str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        with self._lock:
            self._chat_actions.append(ChatActionRecord(chat_id, action, time.monotonic()))
            self._changed.notify_all()
        return True

    # ---------------------------------------------------------------- updates & webhook

    async def _get_updates(self, params: _Params) -> list[dict[str, Any]]:
        offset = params.int("offset", 0) or 0
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        timeout = max(params.float("timeout", 0.0), 0.0)
        allowed = params.json("allowed_updates", "can't parse allowed updates JSON object")
        with self._lock:
            if self._webhook is not None:
                raise ApiError(409, CONFLICT_WEBHOOK)
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed]
            self._poll_generation += 1
            generation = self._poll_generation
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            elif offset < 0:
                self._pending = self._pending[offset:]
            self._changed.notify_all()
        self._wake_waiters()  # an older long poll ends with 409 "terminated by other ..."
        assert self._loop is not None
        deadline = self._loop.time() + timeout
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(409, CONFLICT_TERMINATED)
                updates = [u for u in self._pending if self._is_allowed(u)][:limit]
            remaining = deadline - self._loop.time()
            if updates or remaining <= 0 or self._closing:
                return copy.deepcopy(updates)
            await self._wait_signal(remaining)

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        if not self._allowed_updates:
            return True
        return any(kind in update for kind in self._allowed_updates)

    async def _set_webhook(self, params: _Params) -> _Described:
        url = params.str("url") or ""
        if not url:
            return await self._delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parts.hostname not in _LOOPBACK_HOSTS:
            # the fake never connects anywhere but the loopback interface
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = params.str("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.json("allowed_updates", "can't parse allowed updates JSON object")
        with self._lock:
            if params.bool("drop_pending_updates"):
                self._pending.clear()
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed]
            already = self._webhook is not None and self._webhook["url"] == url
            self._webhook = {
                "url": url,
                "secret_token": secret,
                "max_connections": params.int("max_connections", 40),
            }
            self._webhook_error = None
            self._poll_generation += 1  # a running long poll ends
        self._signal()
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    async def _delete_webhook(self, params: _Params) -> _Described:
        with self._lock:
            if params.bool("drop_pending_updates"):
                self._pending.clear()
            existed = self._webhook is not None
            self._webhook = None
            self._webhook_error = None
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    async def _get_webhook_info(self, params: _Params) -> dict[str, Any]:
        with self._lock:
            info: dict[str, Any] = {
                "url": self._webhook["url"] if self._webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
            if self._webhook:
                info["max_connections"] = self._webhook["max_connections"]
                info["ip_address"] = "127.0.0.1"
                if self._allowed_updates:
                    info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _webhook_worker(self) -> None:
        session: ClientSession | None = None
        try:
            while not self._closing:
                with self._lock:
                    hook = dict(self._webhook) if self._webhook else None
                    update = (
                        next((u for u in self._pending if self._is_allowed(u)), None)
                        if hook
                        else None
                    )
                if hook is None or update is None:
                    await self._wait_signal(1.0)
                    continue
                if session is None:
                    session = ClientSession(timeout=ClientTimeout(total=10))
                headers = {"Content-Type": "application/json"}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                error: str | None = None
                try:
                    async with session.post(
                        hook["url"], data=json.dumps(update), headers=headers
                    ) as response:
                        await response.read()
                        if not 200 <= response.status < 300:
                            error = (
                                f"Wrong response from the webhook: {response.status} "
                                f"{response.reason}"
                            )
                except (TimeoutError, OSError) as exc:
                    error = f"Connection failed: {exc}"
                except Exception as exc:  # noqa: BLE001 - any client failure is a delivery error
                    error = f"Connection failed: {exc!r}"
                with self._lock:
                    if error is None:
                        self._pending = [
                            u for u in self._pending if u["update_id"] != update["update_id"]
                        ]
                        self._changed.notify_all()
                    else:
                        self._webhook_error = (int(time.time()), error)
                if error is not None:
                    await self._wait_signal(self.webhook_retry_delay)
        finally:
            if session is not None:
                await session.close()

    # ---------------------------------------------------------------- commands

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not _BOT_COMMAND_RE.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256:
                raise bad_request(
                    "command description is empty"
                    if not description.strip()
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params)
        with self._lock:
            if cleaned:
                self._commands[key] = cleaned
            else:
                self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: _Params) -> list[dict[str, Any]]:
        key = self._commands_key(params)
        with self._lock:
            return copy.deepcopy(self._commands.get(key, []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        key = self._commands_key(params)
        with self._lock:
            self._commands.pop(key, None)
        return True

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.json("scope", "can't parse BotCommandScope JSON object")
        if scope is not None and not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        return _scope_key(scope), params.str("language_code") or ""


@dataclass
class _Described:
    """A successful result that also carries a ``description`` (setWebhook & co.)."""

    value: Any
    description: str


# --------------------------------------------------------------------------------------------
# helpers


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities of a user's text, offsets in UTF-16 code units."""
    return [
        {
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group(0)),
            "type": "bot_command",
        }
        for match in _COMMAND_RE.finditer(text)
    ]


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    reply = copy.deepcopy(message)
    reply.pop("reply_to_message", None)
    return reply


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value) is not None


def _scope_key(scope: dict[str, Any] | None) -> str:
    if not scope or scope.get("type", "default") == "default":
        return "default"
    return json.dumps(scope, sort_keys=True)


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(prefix + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
    if not kinds:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= (
            MAX_CALLBACK_DATA_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
