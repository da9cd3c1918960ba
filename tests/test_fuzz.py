"""A bounded fuzz run (issue 13): generated input for the file and feed readers and for the chat
commands. Nothing may escape as an exception: a reader answers articles or Skipped, a command
answers a reply that renders. About 30 s together (the example counts are set for that)."""

import itertools
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.brief.render import split_message
from bot.chat.handlers import COMMANDS, dispatch
from bot.chat.reply import Chat, Services
from bot.collect.feeds import NotAFeed, parse_feed
from bot.collect.files import SUFFIXES, read_file
from bot.collect.text import parse_date
from bot.collect.types import RawArticle, Skipped
from bot.i18n import t
from bot.jobs import collect
from bot.store import open_store
from tests.conftest import make_config

FUZZ = settings(
    deadline=None,
    database=None,  # nothing written to the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["text", "body", "title", "date", "url", "source", "author", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=15,
)
dates = st.sampled_from(
    ["2025-02-30", "-1", "9999-99-99", "2025-03-04T08:00:00+01:00", "0001-01-01", "1e400", ""]
) | st.text(st.sampled_from("0123456789-:T.+/ "), max_size=30)
front_matter = st.builds(
    lambda date, extra, body: f"---\ndate: {date}\ntitle: {extra}\n---\n{body}",
    dates,
    st.text(max_size=40),
    st.text(max_size=300),
)
markup = st.lists(
    st.sampled_from(["<p>", "</p>", "<div>", "<script>", "<b>", "&amp;", "&#0;", "<!--", "<"])
    | st.text(max_size=30),
    max_size=40,
).map("".join)
contents = st.one_of(
    st.binary(max_size=2000),
    json_values.map(json.dumps).map(str.encode),
    st.integers(1, 20_000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.integers(4000, 6000).map(lambda n: ('{"text": "x", "id": ' + "9" * n + "}").encode()),
    front_matter.map(str.encode),
    markup.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.tuples(st.text(min_size=80), st.binary(max_size=3)).map(
        lambda pair: pair[0].encode("utf-8", "surrogatepass") + pair[1]
    ),
)
counter = itertools.count()


@settings(FUZZ, max_examples=1500)
@given(contents, st.sampled_from(SUFFIXES))
def test_file_readers_never_raise(tmp_path, content, suffix):
    path = tmp_path / f"fuzz{next(counter)}{suffix}"
    path.write_bytes(content)
    items = read_file(path)  # the reader itself, not the boundary around it
    assert items and all(isinstance(item, RawArticle | Skipped) for item in items)
    for item in items:
        if isinstance(item, RawArticle) and item.published_at is not None:
            assert 1990 <= item.published_at.year <= 2100


@settings(FUZZ, max_examples=1600)
@given(st.one_of(markup, front_matter, st.text(max_size=400)), dates)
def test_feed_reader_never_raises(body, date):
    feed = (
        '<rss version="2.0"><channel><title>F</title><item><title>T</title>'
        f"<link>https://example.org/a</link><pubDate>{date}</pubDate>"
        f"<description><![CDATA[{body}]]></description></item></channel></rss>"
    )
    for document in (feed.encode("utf-8", "surrogatepass"), body.encode("utf-8", "surrogatepass")):
        try:
            parsed = parse_feed(document, "https://example.org/feed")
        except NotAFeed:
            continue
        assert all(isinstance(e.article, RawArticle | Skipped) for e in parsed.entries)
    assert parse_date(date) is None or 1990 <= parse_date(date).year <= 2100


@pytest.fixture(scope="module")
def services(tmp_path_factory, analyser):
    """A store of its own (commands here write: /subscribe, /follow, /settings)."""
    config = make_config(tmp_path_factory.mktemp("fuzz"))
    store = open_store(config.store.url)
    collect(store, config, analyser=analyser)
    yield Services(store, config)
    store.close()


arguments = st.one_of(
    st.text(max_size=60),
    st.integers().map(str),
    st.integers().map(lambda n: f"#{n}"),
    st.text(st.sampled_from("0123456789:.-#²٣ "), max_size=30),
    dates,
    st.sampled_from(["Rubio", "Europe", "Europe/", "de", "en", "xx", "07:30", "24:61", "#1"]),
)
commands = st.sampled_from(sorted(name for name in COMMANDS if name != "collect"))


@settings(FUZZ, max_examples=1500)
@given(commands, arguments, st.sampled_from(["de", "en"]))
def test_chat_commands_answer_any_argument(services, caplog, name, argument, language):
    chat = Chat(chat_id=4242, language=language)
    with caplog.at_level(logging.ERROR, logger="bot.chat.handlers"):
        replies = dispatch(services, chat, f"/{name} {argument}")
    assert replies and not caplog.records, caplog.text  # no handler raised
    assert all(t(language, "error.internal") not in r.context.get("text", "") for r in replies)
    for reply in replies:
        reply.render("text", language)
        assert split_message(reply.render("telegram", language))
