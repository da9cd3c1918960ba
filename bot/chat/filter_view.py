"""The reader's filter as lines of /settings (apart from bot/chat/filters.py, which imports
the settings module's reader defaults)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.collect.topics import TOPICS
from bot.i18n import t, topic_label
from bot.store.reader_filters import filter_of


def filter_settings_lines(session: Session, subscriber_id: int, lang: str) -> list[str]:
    """The reader's topics, mutes and "only" words, for /settings."""
    found = filter_of(session, subscriber_id)
    on = [topic_label(lang, topic) for topic in TOPICS if topic not in found.topics_off]
    none = t(lang, "settings.none")
    lines = [
        f"{t(lang, 'settings.topics')}: {', '.join(on) or none}",
        f"{t(lang, 'settings.muted')}: {', '.join(sorted(found.mutes)) or none}",
    ]
    if found.only:
        lines.append(f"{t(lang, 'settings.only')}: {', '.join(sorted(found.only))}")
    return lines
