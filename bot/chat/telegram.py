"""Telegram: the python-telegram-bot Application, assembled in one place.

Every command goes through the same transport-free `dispatch` the console uses; this module
only turns updates into `Chat`s and `Reply`s into messages. Jobs (collection, delivery, follow
pushes) run on PTB's JobQueue (APScheduler) — see `bot/schedule.py`.
"""

from __future__ import annotations

import asyncio
import logging
import signal as signal_module
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import bot.chat  # noqa: F401  (registers every command)
from bot.brief.render import split_message
from bot.chat.flood import FloodGuard
from bot.chat.handlers import COMMANDS, dispatch
from bot.chat.reply import Button, Chat, Reply, Services, message
from bot.deliver import (
    BadMarkup,
    Blocked,
    Rejected,
    RetryLater,
    SendError,
    Transient,
    Unauthorized,
    plain_text,
    shared_limiter,
)
from bot.i18n import t
from bot.logs import describe_error
from bot.ratelimit import RateLimiter
from bot.schedule import JOBS, schedule_jobs

log = logging.getLogger(__name__)
SWITCH_INTERVAL = 0.001  # seconds a thread may hold the interpreter lock before handing it on
# Commands run in threads of their own: a fan-out's senders waiting for the store (e.g. for a
# collection's write lock) fill the default executor, and an answer must not queue behind them.
COMMAND_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="morgenlage-command")


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def keyboard(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.command) for b in row] for row in buttons]
    )


class TelegramSender:
    """Sends one message through a PTB Bot, translating its errors for `bot.deliver`."""

    def __init__(self, bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, html: bool, buttons: list[list[Button]]) -> None:
        try:
            await self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML if html else None,
                reply_markup=keyboard(buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except RetryAfter as error:
            raise RetryLater(_seconds(error)) from error
        except Forbidden as error:
            raise Blocked(error.message) from error
        except BadRequest as error:
            text_of = error.message.lower()
            if "parse entities" in text_of:
                raise BadMarkup(error.message) from error
            if "chat not found" in text_of:
                raise Blocked(error.message) from error
            raise Rejected(error.message) from error
        except InvalidToken as error:
            raise Unauthorized("the Bot API refused the token") from error
        except NetworkError as error:  # includes TimedOut
            raise Transient(error.message) from error
        except TelegramError as error:
            raise Transient(error.message) from error


def chat_of(update: Update, services: Services) -> Chat:
    tg_chat = update.effective_chat
    user = update.effective_user
    language = services.config.briefing.language
    if user is not None and (user.language_code or "").startswith("en"):
        language = "en"
    return Chat(
        chat_id=tg_chat.id,
        language=language,
        user_id=user.id if user else None,
        chat_type=tg_chat.type,
        username=user.username if user else None,
        is_admin=bool(user and user.id in services.config.telegram.admins),
    )


@dataclass(frozen=True)
class Rendered:
    """A reply as Telegram gets it: its parts (≤ 4096 each) and the last part's buttons."""

    parts: list[str]
    buttons: list[list[Button]]


def render_replies(replies: list[Reply], language: str, user_dir: str) -> list[Rendered]:
    """Render and split replies (templates are CPU work: callers run this off the loop)."""
    return [
        Rendered(split_message(reply.render("telegram", language, user_dir)), reply.buttons)
        for reply in replies
    ]


async def send_replies(
    sender: TelegramSender, limiter: RateLimiter, chat: Chat, replies: list[Rendered]
) -> None:
    """Send rendered replies: buttons on the last part, plain text when Telegram refuses the
    HTML, a wait when it asks for one."""
    for reply in replies:
        for index, part in enumerate(reply.parts):
            buttons = reply.buttons if index == len(reply.parts) - 1 else []
            as_html = True
            for _attempt in range(4):
                await limiter.wait(chat.chat_id, first=True)  # a reader waits for it
                try:
                    await sender.send(
                        chat.chat_id, part if as_html else plain_text(part), as_html, buttons
                    )
                    break
                except RetryLater as error:
                    await asyncio.sleep(min(error.seconds, 60))
                except BadMarkup:
                    log.warning("chat %s: reply HTML refused, sending plain text", chat.chat_id)
                    as_html = False
                except (Blocked, Rejected) as error:
                    log.info("chat %s: reply not delivered: %s", chat.chat_id, error)
                    return
                except SendError:
                    await asyncio.sleep(1.0)


class _Application(Application):
    """PTB's Application, minus one unbounded map: it remembers every chat and user that sent
    an update "to be saved" — and only a persistence, which the bot has none of, forgets them;
    with 50,000 users that was memory that only grew (bench/soak.py)."""

    __slots__ = ()

    def _mark_for_persistence_update(self, *, update=None, job=None) -> None:
        if self.persistence:
            super()._mark_for_persistence_update(update=update, job=job)


class Bot:
    """The running bot's parts, kept in `application.bot_data["morgenlage"]`."""

    def __init__(self, services: Services, application: Application) -> None:
        self.services = services
        self.sender = TelegramSender(application.bot)
        self.limiter = shared_limiter(services)
        self.flood = FloodGuard()


def _parts(context: ContextTypes.DEFAULT_TYPE) -> Bot:
    return context.application.bot_data["morgenlage"]


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Run one command text for the update's chat and send what it answers."""
    parts = _parts(context)
    services = parts.services
    chat = chat_of(update, services)
    verdict = parts.flood.check(chat.user_id or chat.chat_id)
    if verdict == "drop":
        return
    # Handlers touch the database and templates cost CPU: both run off the event loop, so
    # other chats and the jobs go on meanwhile.
    rendered = await asyncio.get_running_loop().run_in_executor(
        COMMAND_THREADS, respond, services, chat, text, context.bot.username, verdict == "warn"
    )
    await send_replies(parts.sender, parts.limiter, chat, rendered)


def respond(
    services: Services, chat: Chat, text: str, bot_username: str | None, flooded: bool = False
) -> list[Rendered]:
    """What to send for one command text, rendered: blocking work, for a worker thread."""
    if flooded:
        replies = [message(t(chat.language, "flood"))]
    else:
        replies = dispatch(services, chat, text, bot_username)
    return render_replies(replies, chat.language, services.config.briefing.templates)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commands, unknown commands, and plain text in private chats."""
    if update.effective_message and update.effective_message.text:
        await answer(update, context, update.effective_message.text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button runs the command it carries."""
    query = update.callback_query
    await query.answer()
    if query.data and update.effective_chat:
        await answer(update, context, query.data)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One redacted line per failed update or job; with -v (INFO) the masked traceback too."""
    error = context.error
    if error is None:
        return
    base_url = context.application.bot_data["morgenlage"].services.config.telegram.base_url
    verbose = log.isEnabledFor(logging.INFO)
    log.error(
        "update failed: %s", describe_error(error, base_url), exc_info=error if verbose else None
    )


async def _announce_commands(application: Application) -> None:
    """The command menu Telegram shows, in German and English."""
    for language in ("de", "en"):
        commands = [
            BotCommand(c.name, c.description[language][:256])
            for c in COMMANDS.values()
            if not (c.admin or c.hidden)
        ]
        await application.bot.set_my_commands(commands, language_code=language)


def file_url(base_url: str) -> str:
    """ "http://host:8081/bot" → "http://host:8081/file/bot", as Telegram lays them out."""
    root = base_url.rstrip("/").removesuffix("/bot")
    return f"{root}/file/bot"


def make_bot(token: str, base_url: str = ""):
    """A plain PTB Bot (no Application) for one-off jobs such as `morgenlage deliver`."""
    from telegram import Bot as TelegramBot

    if not base_url:
        return TelegramBot(token)
    return TelegramBot(token, base_url=base_url, base_file_url=file_url(base_url))


def build_application(
    services: Services, jobs: tuple[str, ...] = JOBS, collected: bool = False
) -> Application:
    """The Application with all handlers and the given jobs; the one place the bot is
    assembled. `collected`: a collection just ran, the first scheduled one waits."""
    # Worker threads (commands, store calls, the collection) share the interpreter lock with the
    # event loop; Python hands it over every 5 ms by default, so with a few busy threads the loop
    # waited tens of milliseconds for it. 1 ms keeps the loop's lag low (bench/loop_lag.py).
    sys.setswitchinterval(SWITCH_INTERVAL)
    config = services.config.telegram
    builder: ApplicationBuilder = (
        Application.builder().application_class(_Application).token(config.token)
    )
    if config.base_url:  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot
        builder = builder.base_url(config.base_url).base_file_url(file_url(config.base_url))
    application = (
        builder.concurrent_updates(32)  # one busy chat never blocks the others
        .post_init(_announce_commands)
        .build()
    )
    application.bot_data["morgenlage"] = Bot(services, application)
    names = list(COMMANDS)
    application.add_handler(CommandHandler(names, on_text))
    application.add_handler(MessageHandler(filters.COMMAND, on_text))  # unknown commands
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, on_text)
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)
    schedule_jobs(application, jobs, collected)
    return application


def run_bot(services: Services, jobs: tuple[str, ...] = JOBS, collected: bool = False) -> int:
    """Run until stopped: long polling, or a webhook server when one is configured."""
    application = build_application(services, jobs, collected)
    config = services.config.telegram
    if config.webhook_url:
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path="telegram",
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret or None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def run_worker(services: Services, jobs: tuple[str, ...] = JOBS, collected: bool = False) -> int:
    """Run the jobs only — no updates from Telegram (a bot front end elsewhere answers them) —
    until SIGINT or SIGTERM."""
    application = build_application(services, jobs, collected)

    async def work() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal in (signal_module.SIGINT, signal_module.SIGTERM):
            loop.add_signal_handler(signal, stop.set)
        async with application:
            await application.start()
            log.info("worker running: %s", ", ".join(jobs) or "no jobs")
            await stop.wait()
            await application.stop()

    asyncio.run(work())
    return 0
