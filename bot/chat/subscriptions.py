"""Reader commands: subscribing, settings, following actors, and the admin's commands."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from bot.chat.console import CONSOLE_CHAT_ID
from bot.chat.filter_view import filter_settings_lines
from bot.chat.handlers import command, help_, one_actor
from bot.chat.reply import Button, Chat, Reply, Services, message
from bot.i18n import LANGUAGES, t
from bot.inputs import BadInput, parse_clock, parse_zone
from bot.store.readers import follow, followed, reader, reader_or_new, unfollow
from bot.store.schema import Actor, Article, Delivery, Subscriber

TIMES = ("06:00", "07:00", "08:00", "12:00", "18:00")
ZONES = ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "UTC")


def _defaults(services: Services, chat: Chat) -> dict:
    return {
        "language": chat.language,
        "timezone": services.config.briefing.timezone,
        "delivery_time": services.config.delivery.default_time,
    }


@command("start", "/start", "Begrüßung und Abo der täglichen Lage", "welcome and subscription")
def start(services: Services, chat: Chat, args: str) -> list[Reply]:
    if chat.chat_id == CONSOLE_CHAT_ID:
        return [message(t(chat.language, "sub.local")), help_(services, chat, "")]
    with services.store.session() as session:
        row = reader_or_new(session, chat.chat_id, chat.chat_type, _defaults(services, chat))
        row.subscribed = row.active = True
        time, zone = row.delivery_time, row.timezone
    welcome = (
        f"{t(chat.language, 'start')}\n\n{t(chat.language, 'sub.started', time=time, zone=zone)}"
    )
    return [message(welcome), help_(services, chat, "")]


@command("subscribe", "/subscribe 07:30", "tägliche Lage abonnieren", "subscribe to the briefing")
def subscribe(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    try:
        time = parse_clock(args) if args else None
    except BadInput as error:
        return message(error.message(lang))
    if chat.chat_id == CONSOLE_CHAT_ID:  # nobody to deliver to: no subscriber row
        return message(t(lang, "sub.local"))
    with services.store.session() as session:
        row = reader_or_new(session, chat.chat_id, chat.chat_type, _defaults(services, chat))
        row.subscribed = row.active = True
        if time is not None:
            row.delivery_time = time.strftime("%H:%M")
        return message(t(lang, "sub.subscribed", time=row.delivery_time, zone=row.timezone))


@command("unsubscribe", "/unsubscribe", "Abo beenden", "stop the daily briefing")
def unsubscribe(services: Services, chat: Chat, args: str) -> Reply:
    with services.store.session() as session:
        row = reader(session, chat.chat_id)
        if row is None or not row.subscribed:
            return message(t(chat.language, "sub.not_subscribed"))
        row.subscribed = False
    return message(t(chat.language, "sub.unsubscribed"))


def _settings_reply(row: Subscriber, lang: str, note: str = "") -> Reply:
    yes_no = t(lang, "settings.yes" if row.subscribed else "settings.no")
    lines = [
        *([note] if note else []),
        t(lang, "settings.title"),
        f"{t(lang, 'settings.time')}: {row.delivery_time}",
        f"{t(lang, 'settings.zone')}: {row.timezone}",
        f"{t(lang, 'settings.language')}: {row.language}",
        f"{t(lang, 'settings.subscribed')}: {yes_no}",
        *filter_settings_lines(object_session(row), row.id, lang),
    ]
    buttons = [
        [Button(time, f"/subscribe {time}") for time in TIMES],
        [Button("Deutsch", "/language de"), Button("English", "/language en")],
        [Button(zone.split("/")[-1], f"/timezone {zone}") for zone in ZONES],
    ]
    return message("\n".join(lines), buttons)


@command("settings", "/settings", "Zeit, Zeitzone, Sprache (mit Knöpfen)", "time, zone, language")
def settings(services: Services, chat: Chat, args: str) -> Reply:
    with services.store.session() as session:
        row = reader_or_new(session, chat.chat_id, chat.chat_type, _defaults(services, chat))
        return _settings_reply(row, chat.language)


@command("language", "/language en", "Sprache: de oder en", "language: de or en", hidden=True)
def language(services: Services, chat: Chat, args: str) -> Reply:
    choice = args.strip().lower()
    if choice not in LANGUAGES:
        return message(t(chat.language, "settings.bad_language"))
    with services.store.session() as session:
        row = reader_or_new(session, chat.chat_id, chat.chat_type, _defaults(services, chat))
        row.language = choice
        return _settings_reply(row, choice, t(choice, "settings.saved"))


@command("timezone", "/timezone Europe/Berlin", "Zeitzone", "time zone", hidden=True)
def timezone(services: Services, chat: Chat, args: str) -> Reply:
    try:
        zone = parse_zone(args)
    except BadInput as error:
        return message(error.message(chat.language))
    with services.store.session() as session:
        row = reader_or_new(session, chat.chat_id, chat.chat_type, _defaults(services, chat))
        row.timezone = zone.key
        return _settings_reply(row, chat.language, t(chat.language, "settings.saved"))


@command("follow", "/follow Rubio", "bei neuen Meldungen zu NAME benachrichtigen", "follow NAME")
def follow_(services: Services, chat: Chat, args: str) -> Reply:
    found = one_actor(services, chat, args, "follow", "follow.missing")
    if isinstance(found, Reply):
        return found
    with services.store.session() as session:
        row = reader_or_new(session, chat.chat_id, chat.chat_type, _defaults(services, chat))
        actor = session.get(Actor, found)
        new, name = follow(session, row, actor), actor.name
    return message(t(chat.language, "follow.done" if new else "follow.already", name=name))


@command("unfollow", "/unfollow Rubio", "nicht mehr folgen", "stop following NAME")
def unfollow_(services: Services, chat: Chat, args: str) -> Reply:
    found = one_actor(services, chat, args, "unfollow", "follow.missing")
    if isinstance(found, Reply):
        return found
    with services.store.session() as session:
        row, actor = reader(session, chat.chat_id), session.get(Actor, found)
        gone, name = row is not None and unfollow(session, row, actor), actor.name
    key = "follow.undone" if gone else "follow.not_following"
    return message(t(chat.language, key, name=name))


@command("following", "/following", "wem Sie folgen", "who you follow")
def following(services: Services, chat: Chat, args: str) -> Reply:
    with services.store.session() as session:
        row = reader(session, chat.chat_id)
        actors = followed(session, row) if row else []
        names = [(a.id, a.name) for a in actors]
    if not names:
        return message(t(chat.language, "follow.none"))
    text = t(chat.language, "follow.list") + "\n" + "\n".join(f"• {name}" for _id, name in names)
    buttons = [[Button(name[:60], f"/actor #{actor_id}")] for actor_id, name in names[:8]]
    return message(text, buttons)


@command("stats", "/stats", "Zahlen zum Betrieb", "operating figures", admin=True)
def stats(services: Services, chat: Chat, args: str) -> Reply:
    with services.store.session() as session:

        def count(query) -> int:
            return session.scalar(query) or 0

        figures = {
            "subscribers": count(
                select(func.count()).select_from(Subscriber).where(Subscriber.subscribed)
            ),
            "articles": count(select(func.count()).select_from(Article)),
            "actors": count(select(func.count()).select_from(Actor)),
            "sent": count(select(func.count()).where(Delivery.state == "sent")),
        }
    return message(t(chat.language, "stats", **figures))


@command("collect", "/collect", "jetzt Nachrichten sammeln", "collect news now", admin=True)
def collect_now(services: Services, chat: Chat, args: str) -> Reply:
    report = services.collect()
    return message(t(chat.language, "collect.done", summary=report.summary()))
