"""Reader filter commands: /topics (toggle buttons), /mute, /unmute, /muted, /only — the same
in Telegram and the console. What they save is read back as a `ReaderFilter`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.chat.handlers import command
from bot.chat.reply import Button, Chat, Reply, Services, message
from bot.chat.subscriptions import _defaults as reader_defaults
from bot.collect.topics import TOPICS
from bot.filters import (
    MAX_LETTERS,
    MAX_MUTES,
    MAX_WORDS,
    FilterError,
    ReaderFilter,
    muted_phrase,
    topic_named,
)
from bot.i18n import t, topic_label
from bot.store.reader_filters import (
    MUTE,
    ONLY,
    TOPIC_OFF,
    add_entry,
    clear_entries,
    count_entries,
    filter_of,
    remove_entry,
)
from bot.store.readers import reader_or_new
from bot.store.schema import Subscriber

ONLY_WORDS = 5  # alternatives in one /only


def _reader(services: Services, chat: Chat, session: Session) -> Subscriber:
    return reader_or_new(session, chat.chat_id, chat.chat_type, reader_defaults(services, chat))


def _topic_list(lang: str) -> str:
    return ", ".join(topic_label(lang, topic) for topic in TOPICS)


def _filter_error(lang: str, error: FilterError, words: int = MAX_WORDS) -> Reply:
    return message(t(lang, f"filter.{error}", words=words, letters=MAX_LETTERS))


def topics_reply(lang: str, found: ReaderFilter, note: str = "") -> Reply:
    """The topics as toggle buttons, ✓ on and ✗ off, two a row; each runs /topic KEY."""
    buttons = [
        Button(
            f"{'✗' if topic in found.topics_off else '✓'} {topic_label(lang, topic)}",
            f"/topic {topic}",
        )
        for topic in TOPICS
    ]
    off = [topic_label(lang, topic) for topic in TOPICS if topic in found.topics_off]
    state = t(lang, "topics.off", topics=", ".join(off)) if off else t(lang, "topics.all_on")
    lines = [*([note] if note else []), t(lang, "topics.title"), state]
    return message("\n".join(lines), [buttons[i : i + 2] for i in range(0, len(buttons), 2)])


@command("topics", "/topics", "Themen der Lage ein- und ausschalten", "switch topics on and off")
def topics(services: Services, chat: Chat, args: str) -> Reply:
    with services.store.session() as session:
        found = filter_of(session, _reader(services, chat, session).id)
    return topics_reply(chat.language, found)


@command("topic", "/topic sport", "ein Thema umschalten", "toggle one topic", hidden=True)
def topic(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    key = topic_named(args)
    if key is None:
        return message(t(lang, "topics.unknown", value=args or "—", topics=_topic_list(lang)))
    with services.store.session() as session:
        row = _reader(services, chat, session)
        if not remove_entry(session, row.id, TOPIC_OFF, key):
            add_entry(session, row.id, TOPIC_OFF, key)
        found = filter_of(session, row.id)
    return topics_reply(lang, found, t(lang, "settings.saved"))


@command("mute", "/mute Fußball", "Wort oder Thema stumm schalten", "mute a word or topic")
def mute(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    if not args.strip():
        return message(t(lang, "mute.missing"))
    key = topic_named(args)
    with services.store.session() as session:
        row = _reader(services, chat, session)
        if key is not None:
            add_entry(session, row.id, TOPIC_OFF, key)
            return message(t(lang, "mute.topic_done", topic=topic_label(lang, key)))
        try:
            phrase = muted_phrase(args)
        except FilterError as error:
            return _filter_error(lang, error)
        if count_entries(session, row.id, MUTE) >= MAX_MUTES:
            return message(t(lang, "mute.limit", limit=MAX_MUTES))
        if not add_entry(session, row.id, MUTE, phrase):
            return message(t(lang, "mute.already", value=args.strip()))
    return message(t(lang, "mute.done", value=args.strip()))


@command("unmute", "/unmute Fußball", "stummes Wort freigeben", "unmute a word or topic")
def unmute(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    if not args.strip():
        return muted(services, chat, "")
    key = topic_named(args)
    with services.store.session() as session:
        row = _reader(services, chat, session)
        if key is not None and remove_entry(session, row.id, TOPIC_OFF, key):
            return message(t(lang, "mute.topic_undone", topic=topic_label(lang, key)))
        try:
            phrase = muted_phrase(args)
        except FilterError as error:
            return _filter_error(lang, error)
        if not remove_entry(session, row.id, MUTE, phrase):
            return message(t(lang, "mute.not_muted", value=args.strip()))
    return message(t(lang, "mute.undone", value=args.strip()))


@command("muted", "/muted", "was stumm geschaltet ist", "what is muted")
def muted(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    with services.store.session() as session:
        found = filter_of(session, _reader(services, chat, session).id)
    if not (found.mutes or found.topics_off):
        return message(t(lang, "mute.none"))
    lines = [t(lang, "mute.list"), *(f"• {phrase}" for phrase in sorted(found.mutes))]
    off = [topic_label(lang, topic) for topic in TOPICS if topic in found.topics_off]
    if off:
        lines.append(t(lang, "mute.topics", topics=", ".join(off)))
    buttons = [[Button(f"🔊 {phrase}"[:60], f"/unmute {phrase}")] for phrase in sorted(found.mutes)]
    return message("\n".join(lines), buttons[:10])


@command("only", "/only Ukraine", "nur Meldungen zu einem Wort (/only off)", "only news on a word")
def only(services: Services, chat: Chat, args: str) -> Reply:
    lang = chat.language
    with services.store.session() as session:
        row = _reader(services, chat, session)
        if not args.strip():
            current = filter_of(session, row.id).only
            if current:
                return message(t(lang, "only.current", words=", ".join(sorted(current))))
            return message(t(lang, "only.missing"))
        if args.strip().casefold() in ("off", "aus"):
            clear_entries(session, row.id, ONLY)
            return message(t(lang, "only.off"))
        words = args.split()
        if len(words) > ONLY_WORDS:
            return _filter_error(lang, FilterError("too_many_words"), ONLY_WORDS)
        try:
            phrases = sorted({muted_phrase(word) for word in words})
        except FilterError as error:
            return _filter_error(lang, error, ONLY_WORDS)
        clear_entries(session, row.id, ONLY)
        for phrase in phrases:
            add_entry(session, row.id, ONLY, phrase)
    return message(t(lang, "only.done", words=", ".join(phrases)))
