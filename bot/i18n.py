"""Texts the bot says, in German and English, and dates in the reader's language (Babel)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime, format_time

LANGUAGES = ("de", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "briefing.title": "Morgenlage",
        "briefing.developments": "Die wichtigsten Entwicklungen",
        "briefing.actors": "Wer hat was getan oder gesagt",
        "briefing.empty": "Für {day} liegen noch keine Meldungen vor.",
        "briefing.empty_since": "Nichts Neues {since}.",
        "window.since": "seit {when}",
        "window.today": "heute {time}",
        "window.yesterday": "gestern {time}",
        "briefing.source": "Quelle",
        "briefing.articles": "{count} Artikel ausgewertet",
        "briefing.said": "sagte",
        "briefing.said_reported": "sagte, {text}",
        "briefing.more": "Mehr zu {name}",
        "briefing.sources": "Quellen",
        "briefing.day": "Tag {day} der Geschichte, seit {since:%d.%m.}",
        "briefing.date": "{day:%d.%m.}",
        "briefing.new_yesterday": "Neu seit gestern",
        "quote.reported": "sinngemäß",
        "briefing.new_last": "Neu seit Ihrer letzten Lage",
        "briefing.new_actors": "Neu dabei",
        "briefing.figures": "Zahlen des Tages",
        "briefing.stories": "Geschichten: {count}",
        "actor.timeline": "Verlauf der letzten Tage",
        "actor.fresh_yesterday": "Seit gestern neu",
        "actor.fresh_since": "Neu seit {since:%d.%m.}",
        "actor.role": "Rolle",
        "actor.did": "Was {name} getan hat",
        "actor.said": "Was {name} gesagt hat",
        "actor.partners": "Im Austausch mit",
        "actor.new": "Neu seit Ihrer letzten Lage",
        "actor.nothing_new": "Seit Ihrer letzten Lage nichts Neues.",
        "actor.articles": "in {count} Artikeln erwähnt",
        "actor.missing_name": "Bitte einen Namen angeben, z. B. /actor Rubio",
        "actor.not_found": "Zu „{query}“ kenne ich niemanden.",
        "actor.close": "Meinten Sie:",
        "actor.pick": "Mehrere Treffer für „{query}“ — bitte wählen:",
        "actors.title": "Die wichtigsten Akteure",
        "actors.none": "Heute gibt es noch keine Akteure.",
        "search.missing": "Bitte Suchwörter angeben, z. B. /search Riad",
        "search.none": "Keine Treffer für „{query}“ in den letzten {days} Tagen.",
        "search.title": "Treffer für „{query}“",
        "date.invalid": "Das Datum verstehe ich nicht: „{value}“. Bitte so: /briefing 2025-02-18",
        "unknown": "Den Befehl {command} kenne ich nicht. /help zeigt alle Befehle.",
        "plain_text": "Ich antworte auf Befehle — zum Beispiel /today oder /actor Rubio. "
        "/help zeigt alle.",
        "too_long": "Das ist zu lang — bitte höchstens {limit} Zeichen.",
        "start": "Willkommen bei der Morgenlage! Ich schicke Ihnen jeden Morgen eine kurze, "
        "verlässliche Lage der Nachrichten: was passiert ist, wer was gesagt hat, was neu ist.",
        "help.title": "Befehle",
        "sub.started": "Sie erhalten die Morgenlage täglich um {time} Uhr ({zone}). "
        "Ändern mit /settings, abbestellen mit /unsubscribe.",
        "sub.subscribed": "Abonniert: täglich um {time} Uhr ({zone}).",
        "sub.unsubscribed": "Abbestellt. Mit /subscribe jederzeit wieder.",
        "sub.not_subscribed": "Sie haben die Morgenlage nicht abonniert. /subscribe 07:00",
        "settings.title": "Einstellungen",
        "settings.time": "Zustellzeit",
        "settings.zone": "Zeitzone",
        "settings.language": "Sprache",
        "settings.subscribed": "Abonniert",
        "settings.yes": "ja",
        "settings.no": "nein",
        "settings.saved": "Gespeichert.",
        "settings.bad_language": "Sprachen: de, en. Beispiel: /language en",
        "follow.missing": "Bitte einen Namen angeben, z. B. /follow Rubio",
        "follow.done": "Sie folgen jetzt {name}. Neue Meldungen kommen als kurze Nachricht.",
        "follow.already": "Sie folgen {name} bereits.",
        "follow.undone": "Sie folgen {name} nicht mehr.",
        "follow.not_following": "Sie folgen {name} nicht.",
        "follow.none": "Sie folgen noch niemandem. Beispiel: /follow Rubio",
        "follow.list": "Sie folgen:",
        "follow.push": "Neu zu {name}: {title}",
        "flood": "Bitte etwas langsamer — ich antworte gleich wieder.",
        "stats": "{subscribers} Abonnenten, {articles} Artikel, {actors} Akteure, "
        "{sent} Lagen zugestellt",
        "collect.done": "Sammeln fertig: {summary}",
        "input.day": "Das Datum verstehe ich nicht: „{value}“. Bitte so: 2025-02-18 "
        "(zwischen {low} und {high}).",
        "input.time": "Die Uhrzeit verstehe ich nicht: „{value}“. Bitte so: 07:30 "
        "(von {low} bis {high}).",
        "input.id": "Die Nummer verstehe ich nicht: „{value}“. Bitte so: #12 "
        "(von {low} bis {high}).",
        "input.number": "Die Zahl verstehe ich nicht: „{value}“. Bitte von {low} bis {high}.",
        "input.zone": "Diese Zeitzone kenne ich nicht: „{value}“. "
        "Beispiel: /timezone Europe/Berlin",
        "error.internal": "Das hat nicht geklappt — ein Fehler bei mir, nicht bei Ihnen. "
        "Bitte später noch einmal.",
        "error.store": "Meine Datenbank ist gerade nicht erreichbar. Bitte in einer Minute noch "
        "einmal.",
        "sub.local": "Die lokale Konsole stellt nichts zu: die tägliche Lage kommt über Telegram "
        "(mit MORGENLAGE_TELEGRAM_TOKEN). Hier zeigt /today sie jederzeit.",
    },
    "en": {
        "briefing.title": "Morning Briefing",
        "briefing.developments": "Top developments",
        "briefing.actors": "Who did or said what",
        "briefing.empty": "No news for {day} yet.",
        "briefing.empty_since": "Nothing new {since}.",
        "window.since": "since {when}",
        "window.today": "today {time}",
        "window.yesterday": "yesterday {time}",
        "briefing.source": "Source",
        "briefing.articles": "{count} articles analysed",
        "briefing.said": "said",
        "briefing.said_reported": "said, in substance: {text}",
        "briefing.more": "More on {name}",
        "briefing.sources": "Sources",
        "briefing.day": "day {day} of the story, since {since:%b %d}",
        "briefing.date": "{day:%b %d}",
        "briefing.new_yesterday": "New since yesterday",
        "quote.reported": "in substance",
        "briefing.new_last": "New since your last briefing",
        "briefing.new_actors": "Newly involved",
        "briefing.figures": "Numbers of the day",
        "briefing.stories": "stories: {count}",
        "actor.timeline": "Timeline of the last days",
        "actor.fresh_yesterday": "New since yesterday",
        "actor.fresh_since": "New since {since:%b %d}",
        "actor.role": "Role",
        "actor.did": "What {name} did",
        "actor.said": "What {name} said",
        "actor.partners": "Dealt with",
        "actor.new": "New since your last briefing",
        "actor.nothing_new": "Nothing new since your last briefing.",
        "actor.articles": "mentioned in {count} articles",
        "actor.missing_name": "Please give a name, e.g. /actor Rubio",
        "actor.not_found": "I know nobody called “{query}”.",
        "actor.close": "Did you mean:",
        "actor.pick": "Several matches for “{query}” — please pick one:",
        "actors.title": "Key actors",
        "actors.none": "No actors today yet.",
        "search.missing": "Please give search words, e.g. /search Riyadh",
        "search.none": "Nothing found for “{query}” in the last {days} days.",
        "search.title": "Results for “{query}”",
        "date.invalid": "I can't read the date “{value}”. Please write: /briefing 2025-02-18",
        "unknown": "I don't know the command {command}. /help lists them all.",
        "plain_text": "I answer commands — for example /today or /actor Rubio. /help lists all.",
        "too_long": "That is too long — at most {limit} characters, please.",
        "start": "Welcome to Morgenlage! Every morning I send you a short, trustworthy briefing "
        "of the news: what happened, who said what, what is new.",
        "help.title": "Commands",
        "sub.started": "You'll get the briefing every day at {time} ({zone}). "
        "Change it with /settings, stop with /unsubscribe.",
        "sub.subscribed": "Subscribed: every day at {time} ({zone}).",
        "sub.unsubscribed": "Unsubscribed. /subscribe brings it back any time.",
        "sub.not_subscribed": "You are not subscribed. /subscribe 07:00",
        "settings.title": "Settings",
        "settings.time": "Delivery time",
        "settings.zone": "Time zone",
        "settings.language": "Language",
        "settings.subscribed": "Subscribed",
        "settings.yes": "yes",
        "settings.no": "no",
        "settings.saved": "Saved.",
        "settings.bad_language": "Languages: de, en. Example: /language de",
        "follow.missing": "Please give a name, e.g. /follow Rubio",
        "follow.done": "You now follow {name}. New stories arrive as a short message.",
        "follow.already": "You already follow {name}.",
        "follow.undone": "You no longer follow {name}.",
        "follow.not_following": "You don't follow {name}.",
        "follow.none": "You follow nobody yet. Example: /follow Rubio",
        "follow.list": "You follow:",
        "follow.push": "New on {name}: {title}",
        "flood": "A little slower, please — I'll answer again in a moment.",
        "stats": "{subscribers} subscribers, {articles} articles, {actors} actors, "
        "{sent} briefings delivered",
        "collect.done": "Collection done: {summary}",
        "input.day": "I can't read the date “{value}”. Please write: 2025-02-18 "
        "(from {low} to {high}).",
        "input.time": "I can't read the time “{value}”. Please write: 07:30 "
        "(from {low} to {high}).",
        "input.id": "I can't read the number “{value}”. Please write: #12 (from {low} to {high}).",
        "input.number": "I can't read the number “{value}”. Please give {low} to {high}.",
        "input.zone": "I don't know the time zone “{value}”. Example: /timezone Europe/London",
        "error.internal": "That did not work — a fault on my side, not yours. Please try again "
        "later.",
        "error.store": "My database cannot be reached right now. Please try again in a minute.",
        "sub.local": "The local console delivers nothing: the daily briefing comes through "
        "Telegram (with MORGENLAGE_TELEGRAM_TOKEN). Here /today shows it any time.",
    },
}


def t(language: str, key: str, **values: object) -> str:
    """The message `key` in `language` (German when unknown), with values filled in."""
    catalogue = MESSAGES.get(language, MESSAGES["de"])
    text = catalogue.get(key) or MESSAGES["de"][key]
    return text.format(**values) if values else text


def long_date(day: dt.date, language: str) -> str:
    """ "Freitag, 27. November 2026" / "Friday, November 27, 2026"."""
    return format_date(day, format="full", locale=language)


def since_label(start: dt.datetime, end: dt.datetime, language: str) -> str:
    """Where a briefing's window begins, as the reader says it, both times local and aware:
    "seit gestern 07:00", "seit Montag 07:00", "seit 24.11.2026, 07:00"."""
    time = format_time(start, format="short", locale=language)
    days = (end.date() - start.date()).days
    if days == 0:
        when = t(language, "window.today", time=time)
    elif days == 1:
        when = t(language, "window.yesterday", time=time)
    elif days < 7:
        when = f"{format_date(start, format='EEEE', locale=language)} {time}"
    else:
        when = format_datetime(start, format="short", locale=language)
    return t(language, "window.since", when=when)


def short_datetime(moment: dt.datetime, language: str) -> str:
    return format_datetime(moment, format="short", locale=language)


# Topics and reader filters (bot/chat/filters.py): kept together, after the rest.
MESSAGES["de"].update(
    {
        "topic.inland": "Politik Inland",
        "topic.ausland": "Politik Ausland",
        "topic.wirtschaft": "Wirtschaft",
        "topic.sport": "Sport",
        "topic.kultur": "Kultur",
        "topic.wissenschaft": "Wissenschaft",
        "topic.digital": "Digital",
        "topic.panorama": "Panorama",
        "topic.short.inland": "Inland",
        "topic.short.ausland": "Ausland",
        "topics.title": "Themen Ihrer Lage — antippen schaltet ein (✓) oder aus (✗):",
        "topics.off": "Ausgeschaltet: {topics}",
        "topics.all_on": "Alle Themen sind eingeschaltet.",
        "topics.unknown": "Das Thema „{value}“ gibt es nicht. Themen: {topics}",
        "mute.missing": "Bitte ein Wort oder Thema angeben, z. B. /mute Fußball oder /mute Sport",
        "mute.done": "Stumm: „{value}“. Meldungen damit lasse ich weg. /unmute {value} holt sie "
        "zurück.",
        "mute.topic_done": "Thema {topic} ausgeblendet. /unmute {topic} holt es zurück.",
        "mute.already": "„{value}“ ist schon stumm.",
        "mute.limit": "Schon {limit} stumme Wörter — bitte erst eines mit /unmute freigeben.",
        "mute.not_muted": "„{value}“ ist nicht stumm. /muted zeigt, was es ist.",
        "mute.undone": "„{value}“ ist nicht mehr stumm.",
        "mute.topic_undone": "Thema {topic} ist wieder eingeschaltet.",
        "mute.none": "Nichts stumm geschaltet. Beispiel: /mute Fußball",
        "mute.list": "Stumm geschaltet:",
        "mute.topics": "Ausgeblendete Themen: {topics}",
        "filter.empty": "Das ist kein Wort, das ich suchen kann. Beispiel: /mute Fußball",
        "filter.too_many_words": "Bitte höchstens {words} Wörter auf einmal, z. B. /mute Formel 1",
        "filter.markup": "Bitte nur Wörter, ohne HTML oder Sonderzeichen wie < > &.",
        "filter.too_long": "Ein Wort mit höchstens {letters} Buchstaben, bitte.",
        "only.missing": "Bitte ein Wort angeben, z. B. /only Ukraine — oder /only off.",
        "only.done": "Ihre Lage zeigt jetzt nur Meldungen zu: {words}. /only off hebt das auf.",
        "only.off": "Ihre Lage zeigt wieder alle Meldungen.",
        "only.current": "Nur Meldungen zu: {words}",
        "briefing.hidden_one": "{count} {topic}-Meldung ausgeblendet",
        "briefing.hidden_many": "{count} {topic}-Meldungen ausgeblendet",
        "briefing.hidden_plain_one": "1 Meldung ausgeblendet",
        "briefing.hidden_plain_many": "{count} Meldungen ausgeblendet",
        "settings.topics": "Themen",
        "settings.muted": "Stumm",
        "settings.only": "Nur",
        "settings.none": "—",
    }
)
MESSAGES["en"].update(
    {
        "topic.inland": "Domestic politics",
        "topic.ausland": "World politics",
        "topic.wirtschaft": "Business",
        "topic.sport": "Sport",
        "topic.kultur": "Culture",
        "topic.wissenschaft": "Science",
        "topic.digital": "Digital",
        "topic.panorama": "Panorama",
        "topic.short.inland": "Domestic",
        "topic.short.ausland": "World",
        "topics.title": "Topics of your briefing — tap to switch on (✓) or off (✗):",
        "topics.off": "Switched off: {topics}",
        "topics.all_on": "All topics are on.",
        "topics.unknown": "There is no topic “{value}”. Topics: {topics}",
        "mute.missing": "Please give a word or topic, e.g. /mute football or /mute Sport",
        "mute.done": "Muted: “{value}”. I'll leave out news with it. /unmute {value} brings it "
        "back.",
        "mute.topic_done": "Topic {topic} hidden. /unmute {topic} brings it back.",
        "mute.already": "“{value}” is muted already.",
        "mute.limit": "Already {limit} muted words — please /unmute one first.",
        "mute.not_muted": "“{value}” is not muted. /muted shows what is.",
        "mute.undone": "“{value}” is no longer muted.",
        "mute.topic_undone": "Topic {topic} is on again.",
        "mute.none": "Nothing muted. Example: /mute football",
        "mute.list": "Muted:",
        "mute.topics": "Hidden topics: {topics}",
        "filter.empty": "That is no word I can look for. Example: /mute football",
        "filter.too_many_words": "At most {words} words at once, please, e.g. /mute Formula 1",
        "filter.markup": "Words only, please, without HTML or characters like < > &.",
        "filter.too_long": "One word of at most {letters} letters, please.",
        "only.missing": "Please give a word, e.g. /only Ukraine — or /only off.",
        "only.done": "Your briefing now shows only news on: {words}. /only off lifts it.",
        "only.off": "Your briefing shows all news again.",
        "only.current": "Only news on: {words}",
        "briefing.hidden_one": "{count} {topic} item hidden",
        "briefing.hidden_many": "{count} {topic} items hidden",
        "briefing.hidden_plain_one": "1 item hidden",
        "briefing.hidden_plain_many": "{count} items hidden",
        "settings.topics": "Topics",
        "settings.muted": "Muted",
        "settings.only": "Only",
        "settings.none": "—",
    }
)


def topic_label(language: str, topic: str, short: bool = False) -> str:
    """ "Politik Inland", or for counts "Inland"; "Sport" either way."""
    catalogue = MESSAGES.get(language, MESSAGES["de"])
    return (short and catalogue.get(f"topic.short.{topic}")) or t(language, f"topic.{topic}")


def hidden_note(language: str, hidden: dict[str, int]) -> str:
    """ "2 Sport-Meldungen ausgeblendet", or with several topics "3 Meldungen ausgeblendet
    (2 Sport, 1 Wirtschaft)" — what a reader's filter left out of a briefing."""
    total = sum(hidden.values())
    if len(hidden) == 1 and "" not in hidden:
        topic = topic_label(language, next(iter(hidden)), short=True)
        key = "briefing.hidden_one" if total == 1 else "briefing.hidden_many"
        return t(language, key, count=total, topic=topic)
    plain = t(
        language,
        "briefing.hidden_plain_one" if total == 1 else "briefing.hidden_plain_many",
        count=total,
    )
    parts = [
        f"{count} {topic_label(language, topic, short=True)}"
        for topic, count in sorted(hidden.items(), key=lambda item: -item[1])
        if topic
    ]
    return f"{plain} ({', '.join(parts)})" if parts else plain
