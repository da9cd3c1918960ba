"""/follow and the pushes it brings: one message per reader, actor and story."""

import datetime as dt

from bot.chat.handlers import dispatch
from bot.chat.reply import Chat, Services
from bot.chat.telegram import TelegramSender
from bot.deliver import RateLimiter
from bot.follows import push_follows
from bot.jobs import collect
from bot.store import open_store
from tests.botapi import FakeTelegramServer, RateLimits
from tests.conftest import make_config

STORY = (
    "Rubio reist erneut nach Riad\n\n"
    "Außenminister Marco Rubio reist am Donnerstag erneut nach Riad, um die Gespräche mit "
    "Russland fortzusetzen. Rubio sagte, die Verhandlungen machten Fortschritte. "
    "Der russische Außenminister Sergey Lavrov bestätigte das Treffen."
)


def texts(services, chat, line):
    return [r.render("text", chat.language) for r in dispatch(services, chat, line)]


def test_follow_unfollow_following(tmp_path, analyser):
    config = make_config(tmp_path)
    services = Services(open_store(config.store.url), config)
    collect(services.store, config, analyser=analyser)
    chat = Chat(7)
    assert "Namen angeben" in texts(services, chat, "/follow")[0]
    assert "folgen noch niemandem" in texts(services, chat, "/following")[0]
    assert "folgen jetzt Marco Rubio" in texts(services, chat, "/follow rubio")[0]
    assert "bereits" in texts(services, chat, "/follow Marco Rubio")[0]
    assert "Marco Rubio" in texts(services, chat, "/following")[0]
    assert "nicht mehr" in texts(services, chat, "/unfollow Rubio")[0]
    assert "folgen Marco Rubio nicht" in texts(services, chat, "/unfollow Rubio")[0]
    assert "kenne ich niemanden" in texts(services, chat, "/follow Napoleon")[0]


async def test_push_once_per_actor_and_story(tmp_path, analyser):
    config = make_config(tmp_path)
    services = Services(open_store(config.store.url), config)
    collect(services.store, config, analyser=analyser)
    dispatch(services, Chat(8), "/follow Rubio")
    dispatch(services, Chat(9), "/follow Lavrov")
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    news = tmp_path / "news"
    news.mkdir()
    (news / "rubio.txt").write_text(STORY, encoding="utf-8")
    collect(services.store, config, extra_paths=[news], analyser=analyser)
    with FakeTelegramServer(rate_limits=RateLimits.disabled()) as server:
        bot = server.make_bot()
        async with bot:
            sender, limiter = TelegramSender(bot), RateLimiter(30)
            assert await push_follows(services, sender, limiter, started) == 2
            assert await push_follows(services, sender, limiter, started) == 0
            # The same story again, in another article: no second push.
            later = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            (news / "rubio2.txt").write_text(
                "Rubio und Lavrov treffen sich wieder\n\nIn Riad sind Marco Rubio und Sergey "
                "Lavrov am Freitag zu einer zweiten Gesprächsrunde zusammengekommen. Lavrov "
                "sagte, Russland sei zu weiteren Gesprächen mit den USA bereit.",
                encoding="utf-8",
            )
            report = collect(services.store, config, extra_paths=[news], analyser=analyser)
            assert report.ingest.new == 1
            assert await push_follows(services, sender, limiter, later) == 0
        [push] = server.messages_for(8)
        assert push.visible_text.startswith("Neu zu Marco Rubio: Rubio reist erneut nach Riad")
        assert push.callback_data[0].startswith("/actor #")
        assert len(server.messages_for(9)) == 1
