"""The bot's commands: one small function each, answering a `Reply`. No transport here — the
console and Telegram adapters call `dispatch` with the text a user typed."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.brief.build import source_of
from bot.brief.dossier import build_dossier
from bot.brief.window import Window, day_window, since_window
from bot.chat.briefings import BriefingCache
from bot.chat.reply import Button, Chat, Reply, Services, message
from bot.i18n import t
from bot.inputs import BadInput, parse_day, parse_id
from bot.store.actors import find_actor, top_actors
from bot.store.articles import articles_between
from bot.store.db import StoreUnavailable, one_line
from bot.store.deliveries import last_window_end
from bot.store.reader_filters import filter_of_chat
from bot.store.readers import reader
from bot.store.search import search_sentences
from bot.store.sources import health as source_health

log = logging.getLogger(__name__)
MAX_ARGUMENT = 200
SEARCH_DAYS = 14

Handler = Callable[[Services, Chat, str], Reply | list[Reply]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    example: str
    description: dict[str, str]  # language → one line
    admin: bool = False
    hidden: bool = False  # reached through buttons, not listed in /help


COMMANDS: dict[str, Command] = {}


def command(name: str, example: str, de: str, en: str, admin: bool = False, hidden: bool = False):
    """Register a handler as /name, with its line for /help."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(name, handler, example, {"de": de, "en": en}, admin, hidden)
        return handler

    return register


_COMMAND = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.S
)


def parse(text: str) -> tuple[str, str, str | None] | None:
    """ "/actor@MorgenlageBot Marco Rubio" → ("actor", "Marco Rubio", "MorgenlageBot")."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    args = " ".join((match.group("args") or "").split())
    return match.group("name").lower(), args, match.group("bot")


def dispatch(
    services: Services, chat: Chat, text: str, bot_username: str | None = None
) -> list[Reply]:
    """Answer one message. Unknown commands and plain text get a hint, never silence."""
    parsed = parse(text)
    if parsed is None:
        return [message(t(chat.language, "plain_text"))] if text.strip() else []
    name, args, addressed = parsed
    if addressed and bot_username and addressed.lower() != bot_username.lower():
        return []  # "/today@OtherBot" in a group is not for us
    try:
        with services.store.session() as session:
            known = reader(session, chat.chat_id)
            if known is not None:
                chat.language, chat.timezone = known.language, known.timezone
    except StoreUnavailable as error:  # answer with the chat's defaults what needs no store
        log.error("store unreachable: %s", one_line(error))
    entry = COMMANDS.get(name)
    if entry is None or (entry.admin and not chat.is_admin):
        return [message(t(chat.language, "unknown", command=f"/{name}"))]
    if len(args) > MAX_ARGUMENT:
        return [message(t(chat.language, "too_long", limit=MAX_ARGUMENT))]
    try:
        replies = entry.handler(services, chat, args)
    except StoreUnavailable as error:  # the database went away: say so, it comes back
        log.error("/%s: store unreachable: %s", name, one_line(error))
        return [message(t(chat.language, "error.store"))]
    except Exception:  # a bug must cost one answer, never the console or the update
        log.exception("/%s failed", name)
        return [message(t(chat.language, "error.internal"))]
    return replies if isinstance(replies, list) else [replies]


# --- briefings --------------------------------------------------------------------------------


BRIEFINGS = BriefingCache()


def zone_of(services: Services, chat: Chat) -> str:
    return chat.timezone or services.config.briefing.timezone


def since_last_briefing(services: Services, chat: Chat) -> Window:
    """The news since this reader's last delivered briefing (the last 24 hours before the
    first), as of now, in the reader's zone: what the next scheduled briefing would cover."""
    with services.store.session() as session:
        last = last_window_end(session, chat.chat_id)
    longest = dt.timedelta(hours=services.config.delivery.longest_window_hours)
    # Up to the next full minute: what arrived a second ago is in, and readers asking within
    # the same minute share one cached briefing.
    now = services.clock().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return since_window(last, now, zone_of(services, chat), longest)


def local_day(services: Services, chat: Chat, days_back: int = 0) -> Window:
    """A calendar day in the reader's zone: today, or `days_back` days before."""
    zone = zone_of(services, chat)
    today = services.clock().astimezone(ZoneInfo(zone)).date()
    return day_window(today - dt.timedelta(days=days_back), zone)


def briefing_reply(services: Services, chat: Chat, window: Window) -> Reply:
    with services.store.session() as session:
        found = filter_of_chat(session, chat.chat_id)
    briefing = BRIEFINGS.get(services, window, chat.language, found)
    buttons = [
        [Button(t(chat.language, "briefing.more", name=line.name)[:60], f"/actor #{line.actor_id}")]
        for line in briefing.actors[:3]
    ]
    return Reply("briefing", {"briefing": briefing}, buttons)


@command(
    "today", "/today", "das Neue seit Ihrer letzten Lage", "what is new since your last briefing"
)
def today(services: Services, chat: Chat, args: str) -> Reply:
    return briefing_reply(services, chat, since_last_briefing(services, chat))


@command("yesterday", "/yesterday", "die Lage von gestern", "yesterday's briefing")
def yesterday(services: Services, chat: Chat, args: str) -> Reply:
    return briefing_reply(services, chat, local_day(services, chat, days_back=1))


@command("briefing", "/briefing 2025-02-18", "die Lage eines Tages", "the briefing of a given day")
def briefing(services: Services, chat: Chat, args: str) -> Reply:
    try:
        day = parse_day(args)
    except BadInput as error:
        return message(error.message(chat.language))
    return briefing_reply(services, chat, day_window(day, zone_of(services, chat)))


# --- actors -----------------------------------------------------------------------------------


def _since(services: Services, chat: Chat) -> dt.datetime:
    """What counts as new for this reader: since their last briefing, else the last 24 hours."""
    return since_last_briefing(services, chat).start


def one_actor(services: Services, chat: Chat, args: str, verb: str, missing: str) -> int | Reply:
    """The id of the one actor a reader means by `args`, or the reply that lets them pick
    (buttons run `/verb #id`) or says nobody matched, with close names."""
    lang = chat.language
    if not args:
        return message(t(lang, missing))
    if args.startswith("#"):  # a button's "/actor #12": an id, checked before the store sees it
        try:
            parse_id(args)
        except BadInput as error:
            return message(error.message(lang))
    with services.store.session() as session:
        match = find_actor(session, args)
        if len(match.exact) == 1:
            return match.exact[0].id
        choices = match.exact or match.close
        buttons = [[Button(a.name[:60], f"/{verb} #{a.id}")] for a in choices]
    if match.exact:
        return message(t(lang, "actor.pick", query=args), buttons)
    text = t(lang, "actor.not_found", query=args)
    return message(f"{text} {t(lang, 'actor.close')}" if buttons else text, buttons)


@command("actor", "/actor Rubio", "Dossier: Rolle, Taten, Zitate, Kontakte", "dossier of an actor")
def actor(services: Services, chat: Chat, args: str) -> Reply:
    found = one_actor(services, chat, args, "actor", "actor.missing_name")
    if isinstance(found, Reply):
        return found
    now = services.clock().astimezone(dt.UTC).replace(tzinfo=None)
    with services.store.session() as session:
        dossier = build_dossier(
            session, found, _since(services, chat), now=now, zone=services.config.zone
        )
    buttons = [[Button(p.name[:60], f"/actor #{p.actor_id}")] for p in dossier.partners[:3]]
    return Reply("actor", {"dossier": dossier}, buttons)


@command("actors", "/actors", "die wichtigsten Akteure von heute", "today's key actors")
def actors(services: Services, chat: Chat, args: str) -> Reply:
    window = local_day(services, chat)
    with services.store.session() as session:
        ids = [a.id for a in articles_between(session, window.start, window.end)]
        found = top_actors(session, ids, services.config.briefing.actors)
        rows = [{"name": a.name, "role": None, "id": a.id} for a in found]
    if not rows:
        return message(t(chat.language, "actors.none"))
    buttons = [[Button(r["name"][:60], f"/actor #{r['id']}")] for r in rows]
    return Reply("actors", {"actors": rows}, buttons)


# --- search -----------------------------------------------------------------------------------


@command("search", "/search Riad", "Meldungen der letzten Tage durchsuchen", "search recent news")
def search(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    words = [w for w in re.split(r"\s+", args) if len(w) > 1][:6]
    if not words:
        return message(t(lang, "search.missing"))
    since = services.clock().astimezone(dt.UTC).replace(tzinfo=None) - dt.timedelta(
        days=SEARCH_DAYS
    )
    with services.store.session() as session:
        results, seen = [], set()
        for hit in search_sentences(session, words, since):
            if hit.article.id in seen:
                continue
            seen.add(hit.article.id)
            results.append(
                {
                    "title": hit.article.title,
                    "snippet": hit.sentence,
                    "source": source_of(hit.article),
                    "day": hit.article.day_time.date(),
                }
            )
    if not results:
        return message(t(lang, "search.none", query=args, days=SEARCH_DAYS))
    return Reply("search", {"query": args, "results": results[:8]})


# --- about ------------------------------------------------------------------------------------


@command("help", "/help", "alle Befehle mit Beispiel", "all commands with an example")
def help_(services: Services, chat: Chat, args: str) -> Reply:
    commands = [
        {"example": c.example, "description": c.description.get(chat.language, c.description["de"])}
        for c in COMMANDS.values()
        if (not c.admin or chat.is_admin) and not c.hidden
    ]
    return Reply("help", {"commands": commands})


# --- sources ----------------------------------------------------------------------------------


def sources_reply(services: Services, chat: Chat) -> Reply:
    """Every source with its health: the same for /sources and `morgenlage sources`."""
    zone = services.config.zone

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.replace(tzinfo=dt.UTC).astimezone(zone) if moment else None

    with services.store.session() as session:
        rows = [
            {
                "name": h.title or h.location,
                "location": h.location,
                "feed_url": h.feed_url,
                "state": h.state,
                "status": h.last_status,
                "articles": h.articles,
                "last_success": local(h.last_success_at),
                "last_error": h.last_error,
                "last_error_at": local(h.last_error_at),
            }
            for h in source_health(session)
        ]
    return Reply("sources", {"sources": rows})


@command("sources", "/sources", "Quellen und ihr Zustand", "sources and their health")
def sources(services: Services, chat: Chat, args: str) -> Reply:
    return sources_reply(services, chat)
