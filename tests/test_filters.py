"""Reader filters: matching muted words, the commands that set them, and the briefings and
follow pushes that respect them."""

import datetime as dt
from dataclasses import replace

import pytest
import time_machine

from bot.brief.build import build_briefing
from bot.brief.render import render
from bot.brief.window import day_window
from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.filters import (
    MAX_MUTES,
    NO_FILTER,
    FilterError,
    ReaderFilter,
    mentions,
    muted_phrase,
    topic_named,
)
from bot.i18n import hidden_note
from bot.jobs import collect
from bot.store import open_store
from bot.store.reader_filters import MUTE, add_entry, filter_of_chat, filters_of
from bot.store.readers import reader_or_new
from tests.conftest import make_config

# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("muted", "text"),
    [
        ("Fußball", "Fußball-Bundesliga: Bayern siegt"),
        ("Fußball", "Die FUSSBALL-WM beginnt"),  # case and ß/ss
        ("Fußball", "Der Frauenfußball wächst"),  # last part of a compound
        ("Fußball", "Fußballbundesliga am Wochenende"),  # first part
        ("Fußball", "Die Fußballer jubeln"),  # inflected
        ("Sao Paulo", "Regen in São Paulo"),  # accents
        ("Formel 1", "Die Formel 1 startet in Bahrain"),
        ("Trump", "Trumps Zölle treffen Europa"),
    ],
)
def test_muted_word_matches(muted, text):
    assert mentions(muted_phrase(muted), text)


@pytest.mark.parametrize(
    ("muted", "text"),
    [
        ("Eis", "Die Reise nach Preisach"),  # inside other words: no
        ("Ski", "Skizzen einer Ausstellung"),  # a short word does not start compounds
        ("Fußball", "Handball-WM in Dänemark"),
        ("Formel 1", "Eine Formel für 1 Euro"),
    ],
)
def test_muted_word_respects_word_boundaries(muted, text):
    assert not mentions(muted_phrase(muted), text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("— …", "empty"),
        ("<b>Fußball</b>", "markup"),
        ("eins zwei drei vier", "too_many_words"),
        ("x" * 41, "too_long"),
    ],
)
def test_bad_words_are_refused(text, reason):
    with pytest.raises(FilterError) as raised:
        muted_phrase(text)
    assert str(raised.value) == reason


def test_topics_by_name():
    assert topic_named("Sport") == "sport"
    assert topic_named("politik ausland") == "ausland"
    assert topic_named("Politik-Inland") == "inland"
    assert topic_named("Wissen") == "wissenschaft"
    assert topic_named("Fußball") is None


def test_filter_hides_topic_words_and_keeps_only():
    found = ReaderFilter(topics_off=frozenset({"sport"}), mutes=frozenset({"trump"}))
    assert found.hides("sport", ["Nichts"])
    assert found.hides("wirtschaft", ["Trump droht mit Zöllen"])
    assert not found.hides("wirtschaft", ["Die EZB senkt den Leitzins"])
    only = ReaderFilter(only=frozenset({"ukraine"}))
    assert not only.hides("ausland", ["Waffenruhe in der Ukraine"])
    assert only.hides("ausland", ["Wahl in Frankreich"])
    assert not only.mutes_out("ausland", ["Wahl in Frankreich"])  # pushes ignore "only"
    assert NO_FILTER.empty and not found.empty


def test_hidden_note():
    assert hidden_note("de", {"sport": 2}) == "2 Sport-Meldungen ausgeblendet"
    assert hidden_note("de", {"sport": 1}) == "1 Sport-Meldung ausgeblendet"
    assert hidden_note("de", {"sport": 2, "inland": 1}) == (
        "3 Meldungen ausgeblendet (2 Sport, 1 Inland)"
    )
    assert hidden_note("en", {"wirtschaft": 2}) == "2 Business items hidden"


# --- the store: one value per distinct filter --------------------------------------------------


def test_readers_with_the_same_filter_share_one_edition_key(store):
    """Editions are keyed by filter: 300 readers with 3 distinct filter sets (and none) are 4
    keys, so a delivery builds at most 4 briefings."""
    words = [("fussball",), ("fussball", "trump"), ("trump", "fussball"), ()]
    with store.session() as session:
        ids = []
        for n in range(300):
            row = reader_or_new(session, 1000 + n, "private", {"language": "de"})
            for word in words[n % 4]:
                add_entry(session, row.id, MUTE, word)
            ids.append(row.id)
        filters = filters_of(session, ids)
    assert len(filters) == 300
    assert len(set(filters.values())) == 3  # the 2nd and 3rd are one set
    assert NO_FILTER in set(filters.values())


# --- commands ----------------------------------------------------------------------------------


def texts(services, chat, line):
    return [r.render("text", chat.language) for r in dispatch(services, chat, line)]


def test_mute_commands_and_bad_input(store, config):
    services, chat = Services(store, config), Chat(7)
    assert "Bitte ein Wort oder Thema" in texts(services, chat, "/mute")[0]
    assert "ohne HTML" in texts(services, chat, "/mute <script>x</script>")[0]
    assert "höchstens 200 Zeichen" in texts(services, chat, "/mute " + "wort " * 200)[0]
    assert "höchstens 3 Wörter" in texts(services, chat, "/mute eins zwei drei vier")[0]
    assert "Stumm: „Fußball“" in texts(services, chat, "/mute Fußball")[0]
    assert "schon stumm" in texts(services, chat, "/mute fussball")[0]
    assert "Thema Sport ausgeblendet" in texts(services, chat, "/mute Sport")[0]
    listed = texts(services, chat, "/muted")[0]
    assert "fussball" in listed and "Ausgeblendete Themen: Sport" in listed
    settings = texts(services, chat, "/settings")[0]
    assert "Stumm: fussball" in settings
    assert "Themen: Politik Inland, Politik Ausland, Wirtschaft, Kultur" in settings
    assert "nicht mehr stumm" in texts(services, chat, "/unmute Fußball")[0]
    assert "ist nicht stumm" in texts(services, chat, "/unmute Fußball")[0]
    assert "wieder eingeschaltet" in texts(services, chat, "/unmute Sport")[0]
    assert "Nichts stumm" in texts(services, chat, "/muted")[0]
    with store.session() as session:
        assert filter_of_chat(session, 7) == NO_FILTER


def test_at_most_50_mutes(store, config):
    services, chat = Services(store, config), Chat(8)
    for n in range(MAX_MUTES):
        assert "Stumm:" in texts(services, chat, f"/mute wort{n}")[0]
    assert f"Schon {MAX_MUTES} stumme Wörter" in texts(services, chat, "/mute nocheins")[0]
    with store.session() as session:
        assert len(filter_of_chat(session, 8).mutes) == MAX_MUTES


def test_topics_buttons_toggle(store, config):
    services, chat = Services(store, config), Chat(9)
    [reply] = dispatch(services, chat, "/topics")
    labels = [b.label for row in reply.buttons for b in row]
    assert "✓ Sport" in labels and len(labels) == 8
    sport = next(b for row in reply.buttons for b in row if b.label == "✓ Sport")
    [reply] = dispatch(services, chat, sport.command)
    assert "✗ Sport" in [b.label for row in reply.buttons for b in row]
    assert "Ausgeschaltet: Sport" in reply.render("text", "de")
    [reply] = dispatch(services, chat, sport.command)
    assert "✓ Sport" in [b.label for row in reply.buttons for b in row]
    assert "gibt es nicht" in texts(services, chat, "/topic Astrologie")[0]


def test_only_command(store, config):
    services, chat = Services(store, config), Chat(10)
    assert "/only off" in texts(services, chat, "/only")[0]
    assert "nur Meldungen zu: ukraine" in texts(services, chat, "/only Ukraine")[0]
    assert "Nur Meldungen zu: ukraine" in texts(services, chat, "/only")[0]
    with store.session() as session:
        assert filter_of_chat(session, 10).only == {"ukraine"}
    assert "wieder alle" in texts(services, chat, "/only off")[0]
    assert "ohne HTML" in texts(services, chat, "/only <i>")[0]


def test_console_and_telegram_share_the_commands():
    from bot.chat.handlers import COMMANDS

    assert {"topics", "topic", "mute", "unmute", "muted", "only"} <= set(COMMANDS)
    assert COMMANDS["topic"].hidden


# --- briefings and pushes ----------------------------------------------------------------------

DAY = dt.date(2026, 1, 3)
STORIES = {
    "darts": (
        "Littler verteidigt den Darts-Weltmeistertitel",
        "London – Luke Littler hat das Finale der Darts-Weltmeisterschaft im Alexandra Palace "
        "gewonnen. Der Weltmeister siegte gegen Gian van Veen mit 7:1 Sätzen. Die Fans im "
        "Stadion feierten den Titelverteidiger, der Sieg brachte eine Million Pfund Preisgeld.",
    ),
    "ski": (
        "Skispringer Prevc gewinnt in Innsbruck",
        "Innsbruck – Der Slowene Domen Prevc hat das Springen der Vierschanzentournee am "
        "Bergisel gewonnen. Der Skispringer setzte sich vor dem Österreicher Stefan Kraft "
        "durch. Im Weltcup baut er seine Führung aus, die Schanze war ausverkauft.",
    ),
    "haushalt": (
        "Bundestag streitet über den Haushalt",
        "Berlin – Im Bundestag haben Regierung und Opposition über den Haushalt gestritten. "
        "Finanzminister Lars Klingbeil verteidigte die Pläne der Koalition. Die Fraktion der "
        "Grünen kritisierte die neuen Schulden und forderte ein anderes Gesetz.",
    ),
    "zinsen": (
        "EZB lässt die Leitzinsen unverändert",
        "Frankfurt – Die Europäische Zentralbank lässt die Leitzinsen unverändert. Die "
        "Inflation im Euroraum sei gesunken, sagte EZB-Präsidentin Christine Lagarde. Anleger "
        "an der Börse reagierten gelassen, der DAX stieg leicht.",
    ),
}


@pytest.fixture(scope="module")
def news_day(tmp_path_factory, analyser):
    tmp_path = tmp_path_factory.mktemp("filtered")
    folder = tmp_path / "news"
    folder.mkdir()
    for n, (name, (title, text)) in enumerate(STORIES.items()):
        meta = f'title: "{title}"\ndate: 2026-01-03T0{n + 6}:00:00Z\nsource: Agentur {n}'
        (folder / f"{name}.md").write_text(f"---\n{meta}\n---\n{text}\n", encoding="utf-8")
    config = make_config(tmp_path)
    config = replace(config, sources=replace(config.sources, paths=(str(folder),)))
    config = replace(config, briefing=replace(config.briefing, developments=2))
    store = open_store(config.store.url)
    with time_machine.travel(dt.datetime(2026, 1, 3, 10, tzinfo=dt.UTC), tick=False):
        collect(store, config, analyser=analyser)  # the news came in that morning
    yield Services(store, config)
    store.close()


def _briefing(services, found=None):
    config = services.config
    with services.store.session() as session:
        window = day_window(DAY, config.briefing.timezone)
        return build_briefing(session, window, config.briefing, "de", filter=found)


def test_briefing_leaves_out_muted_topics_and_fills_up(news_day):
    plain = _briefing(news_day)
    assert plain.story_count == 4 and len(plain.developments) == 2 and not plain.hidden
    found = ReaderFilter(topics_off=frozenset({"sport"}))
    filtered = _briefing(news_day, found)
    titles = [d.title for d in filtered.developments]
    assert len(titles) == 2
    assert not any("Darts" in t or "Skispringer" in t for t in titles)
    shown_sport = sum(1 for d in plain.developments if "Darts" in d.title or "Ski" in d.title)
    assert filtered.hidden == ({"sport": shown_sport} if shown_sport else {})
    text = render("briefing", "text", lang="de", briefing=filtered)
    if shown_sport:
        assert f"{shown_sport} Sport-Meldung" in text and "· /topics" in text


def test_briefing_leaves_out_muted_words(news_day):
    found = ReaderFilter(mutes=frozenset({muted_phrase("Leitzinsen")}))
    filtered = _briefing(news_day, found)
    assert not any("EZB" in d.title for d in filtered.developments)
    assert len(filtered.developments) == 2
    only = _briefing(news_day, ReaderFilter(only=frozenset({"haushalt"})))
    assert [d.title for d in only.developments] == ["Bundestag streitet über den Haushalt"]
    assert sum(only.hidden.values()) == 3


def test_today_uses_the_readers_filter(news_day):
    services = replace(news_day, clock=lambda: dt.datetime(2026, 1, 3, 12, tzinfo=dt.UTC))
    chat = Chat(77)
    dispatch(services, chat, "/mute Sport")
    dispatch(services, chat, "/only Haushalt")
    [reply] = dispatch(services, chat, "/today")
    text = reply.render("text", "de")
    assert "Bundestag streitet" in text and "Littler" not in text
    assert "3 Meldungen ausgeblendet (2 Sport, 1 Wirtschaft) · /topics" in text
    dispatch(services, chat, "/only off")
    dispatch(services, chat, "/unmute Sport")


async def test_follow_pushes_respect_mutes(tmp_path, analyser):
    from bot.chat.telegram import TelegramSender
    from bot.follows import push_follows
    from bot.ratelimit import RateLimiter
    from tests.botapi import FakeTelegramServer, RateLimits

    config = make_config(tmp_path)
    services = Services(open_store(config.store.url), config)
    collect(services.store, config, analyser=analyser)
    for chat_id in (8, 9, 10):
        dispatch(services, Chat(chat_id), "/follow Rubio")
    dispatch(services, Chat(8), "/mute Riad")
    dispatch(services, Chat(10), "/only Ukraine")  # limits briefings, not pushes
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    news = tmp_path / "news"
    news.mkdir()
    (news / "rubio.txt").write_text(
        "Rubio reist erneut nach Riad\n\nAußenminister Marco Rubio reist am Donnerstag erneut "
        "nach Riad, um die Gespräche mit Russland fortzusetzen. Rubio sagte, die Verhandlungen "
        "machten Fortschritte.",
        encoding="utf-8",
    )
    collect(services.store, config, extra_paths=[news], analyser=analyser)
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        bot = server.make_bot()
        async with bot:
            sent = await push_follows(services, TelegramSender(bot), RateLimiter(30), started)
        assert sent == 2
        assert not server.messages_for(8)
        assert len(server.messages_for(9)) == 1 and len(server.messages_for(10)) == 1
    services.store.close()
