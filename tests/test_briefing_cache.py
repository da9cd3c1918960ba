"""The briefings readers ask for: built once per window, language, filter and news, shared by
readers asking at once; during a collection, a briefing at most a minute old, refreshed in the
background; never an older briefing once the collection is over."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot.brief.window import day_window, since_window
from bot.chat import briefings
from bot.chat.briefings import BriefingCache
from bot.chat.reply import Services
from bot.jobs import collect
from bot.store import open_store
from bot.store.leases import COLLECTING, exclusive
from tests.conftest import make_config
from tests.test_botapi_server import FakeClock as Clock
from tests.test_follow import STORY

ZONE = "Europe/Berlin"
DAY = dt.timedelta(hours=24)


@pytest.fixture
def newsroom(tmp_path, analyser):
    """The seed collected; `add_story()` collects the Rubio story as news of now."""
    config = make_config(tmp_path)
    services = Services(open_store(config.store.url), config)
    collect(services.store, config, analyser=analyser)
    news = tmp_path / "news"
    news.mkdir()

    def add_story() -> None:
        story = STORY.replace("Donnerstag", f"Tag {len(list(news.iterdir()))}")
        (news / f"rubio-{len(list(news.iterdir()))}.txt").write_text(story, encoding="utf-8")
        collect(services.store, config, extra_paths=[news], analyser=analyser)

    yield services, add_story
    services.store.close()


def last_day(minute: int = 0) -> object:
    """A first reader's window: the 24 hours up to now (+ `minute` minutes)."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return since_window(None, now + dt.timedelta(minutes=minute + 1), ZONE, DAY)


def articles(briefing) -> int:
    return briefing.article_count


def wait_for_refreshes(cache: BriefingCache) -> None:
    cache._refresher.submit(lambda: None).result(timeout=60)  # one worker: after the refresh


def test_readers_asking_at_once_share_one_briefing_build(seeded, monkeypatch):
    """Three readers ask for the same briefing while it is being built: one build, three
    answers (each used to build it again, all at once, while a collection ran)."""
    builds, asked, release = [], threading.Semaphore(0), threading.Event()
    real_build = briefings.build_briefing

    def slow_build(*args, **kwargs):
        builds.append(1)
        release.wait()
        return real_build(*args, **kwargs)

    class Watched(dict):
        def get(self, key, default=None):
            asked.release()  # a reader looked for a build in progress
            return super().get(key, default)

    monkeypatch.setattr(briefings, "build_briefing", slow_build)
    cache = BriefingCache()
    cache._building = Watched()
    window = day_window(dt.date(2025, 2, 18), ZONE)
    results = []

    def ask() -> None:
        results.append(cache.get(seeded, window, "de", None))

    readers = [threading.Thread(target=ask) for _ in range(3)]
    for reader in readers:
        reader.start()
    for _ in readers:
        assert asked.acquire(timeout=60)  # each reader looked before the build ends
    release.set()
    for reader in readers:
        reader.join()
    assert len(builds) == 1
    assert len(results) == 3 and results[0] is results[1] is results[2]


def test_briefings_of_older_news_leave_the_cache(newsroom):
    """The cache keeps only briefings of the newest news once no collection runs: no reader
    asks for an older one again, and keeping them let the cache fill up to its bound."""
    services, add_story = newsroom
    cache = BriefingCache()
    days = [day_window(dt.date(2025, 2, d), ZONE) for d in (17, 18)]
    for window in days:
        cache.get(services, window, "de", None)
    assert len(cache) == 2
    add_story()
    fresh = cache.get(services, days[1], "de", None)
    assert cache.briefings() == [fresh]
    assert cache.get(services, days[1], "de", None) is fresh


def test_during_a_collection_a_reader_gets_the_recent_briefing_and_it_is_refreshed(
    newsroom, monkeypatch
):
    """News arrives chunk by chunk while a collection runs; a reader then gets the briefing
    built moments ago at once, the next reader the one refreshed in the background."""
    services, add_story = newsroom
    cache = BriefingCache(clock=Clock())
    before = cache.get(services, last_day(), "de", None)
    add_story()  # a chunk of the collection is stored
    builds = []
    real_build = briefings.build_briefing
    monkeypatch.setattr(
        briefings, "build_briefing", lambda *a, **k: builds.append(1) or real_build(*a, **k)
    )
    with exclusive(services.store, COLLECTING):  # the collection goes on
        assert cache.get(services, last_day(), "de", None) is before
        wait_for_refreshes(cache)
        assert len(builds) == 1  # built once, in the background
        refreshed = cache.get(services, last_day(), "de", None)
        assert articles(refreshed) == articles(before) + 1
        assert len(builds) == 1


def test_a_first_readers_window_a_minute_later_is_served_during_a_collection(newsroom):
    """A first reader's window is the 24 hours up to the next minute: a minute later both ends
    moved. During a collection the briefing of a minute ago still answers."""
    services, add_story = newsroom
    cache = BriefingCache(clock=Clock())
    before = cache.get(services, last_day(), "de", None)
    add_story()
    with exclusive(services.store, COLLECTING):
        assert cache.get(services, last_day(minute=1), "de", None) is before
        other_start = since_window(
            dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=3),
            dt.datetime.now(dt.UTC),
            ZONE,
            DAY,
        )
        # Another reader's window (their last briefing ended three hours ago): built for them.
        assert articles(cache.get(services, other_start, "de", None)) == articles(before) + 1


def test_no_briefing_older_than_a_minute_and_none_after_the_collection(newsroom):
    """What a reader gets during a collection is at most `stale_seconds` old; once the
    collection is over, the next reader gets everything it stored."""
    services, add_story = newsroom
    clock = Clock()
    cache = BriefingCache(clock=clock)
    before = cache.get(services, last_day(), "de", None)
    add_story()
    with exclusive(services.store, COLLECTING):
        clock.now += cache.stale_seconds + 1
        during = cache.get(services, last_day(), "de", None)  # too old to serve: built now
        assert articles(during) == articles(before) + 1
    add_story()
    after = cache.get(services, last_day(), "de", None)  # no collection: built afresh
    assert articles(after) == articles(during) + 1
