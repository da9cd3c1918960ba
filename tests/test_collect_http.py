"""The fetcher against a real server on 127.0.0.1 that misbehaves on purpose."""

import asyncio
import dataclasses
import ipaddress
import time

import pytest

from bot.collect.http import Fetcher, FetchError, address_allowed
from bot.config import CollectConfig
from tests.fixtures.loopback import (
    Loopback,
    Static,
    drip,
    endless,
    fail_times,
    redirect,
    sleep_then,
)

pytestmark = pytest.mark.store_free

FEED = Static(b"<rss><channel><title>T</title></channel></rss>" + b" " * 5000)
SETTINGS = CollectConfig(
    timeout=1.0,
    retries=2,
    backoff=0.01,
    max_bytes=1_000_000,
    allow_private_addresses=("127.0.0.1",),
)


@pytest.fixture
def server():
    with Loopback() as running:
        yield running


async def fetch(url: str, settings: CollectConfig = SETTINGS, **kwargs):
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, **kwargs)


async def fails(url: str, settings: CollectConfig = SETTINGS) -> str:
    with pytest.raises(FetchError) as error:
        await fetch(url, settings)
    message = str(error.value)
    assert "\n" not in message
    return message


async def test_gzip_user_agent_and_conditional_get(server):
    server.routes["/feed"] = FEED
    first = await fetch(server.url("/feed"))
    assert first.status == 200 and first.content == FEED.body  # sent gzipped, read decoded
    assert first.etag and first.last_modified
    assert any(agent.startswith("Morgenlage/") for agent in server.user_agents)
    again = await fetch(server.url("/feed"), etag=first.etag)
    assert again.not_modified and again.content == b""
    again = await fetch(server.url("/feed"), last_modified=first.last_modified)
    assert again.not_modified


async def test_retries_5xx_with_backoff_then_succeeds(server):
    server.routes["/flaky"] = fail_times(2, FEED, status=503)
    fetched = await fetch(server.url("/flaky"))
    assert fetched.status == 200 and server.hits["/flaky"] == 3


async def test_persistent_500_gives_up_after_the_retries(server):
    server.routes["/broken"] = Static(b"oops", "text/plain", status=500)
    message = await fails(server.url("/broken"))
    assert message.startswith("HTTP 500") and "after 3 tries" in message
    assert server.hits["/broken"] == 3


async def test_404_is_not_retried(server):
    assert (await fails(server.url("/missing"))).startswith("HTTP 404")
    assert server.hits["/missing"] == 1


async def test_timeout_is_retried_and_bounded(server):
    server.routes["/slow"] = sleep_then(10, FEED)
    settings = dataclasses.replace(SETTINGS, timeout=0.3, retries=1)
    started = time.monotonic()
    assert (await fails(server.url("/slow"), settings)).startswith("timeout after 0.3 s")
    assert time.monotonic() - started < 2
    assert server.hits["/slow"] == 2


async def test_slow_drip_is_cut_off_by_the_deadline(server):
    server.routes["/drip"] = drip(interval=0.05)
    settings = dataclasses.replace(SETTINGS, timeout=0.5, retries=0)
    started = time.monotonic()
    assert (await fails(server.url("/drip"), settings)).startswith("timeout")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("declared", [True, False])
async def test_50_mb_body_is_refused_early(server, declared):
    server.routes["/huge"] = endless(declare_length=declared, megabytes=50)
    started = time.monotonic()
    assert "too large" in await fails(server.url("/huge"))
    assert time.monotonic() - started < 3


async def test_redirects_loops_and_permanent_moves(server):
    server.routes["/a"] = redirect("/b")
    server.routes["/b"] = redirect(server.url("/a"))
    assert "redirect loop" in await fails(server.url("/a"))
    for i in range(8):
        server.routes[f"/hop{i}"] = redirect(f"/hop{i + 1}")
    assert "too many redirects" in await fails(server.url("/hop0"))
    server.routes["/old"] = redirect("/new", status=301)
    server.routes["/new"] = FEED
    moved = await fetch(server.url("/old"))
    assert moved.permanent_url == server.url("/new") and moved.url == server.url("/new")
    server.routes["/temp"] = redirect("/new", status=302)
    assert (await fetch(server.url("/temp"))).permanent_url is None
    server.routes["/evil"] = redirect("file:///etc/passwd")
    assert "only http and https" in await fails(server.url("/evil"))


async def test_private_addresses_are_refused_unless_allowed(server):
    server.routes["/feed"] = FEED
    strict = dataclasses.replace(SETTINGS, allow_private_addresses=())
    assert "refused" in await fails(server.url("/feed"), strict)
    port = server.base.rsplit(":", 1)[1]
    assert "refused" in await fails(f"http://localhost:{port}/feed", strict)
    assert server.hits["/feed"] == 0  # refused before connecting
    assert "only http and https" in await fails("ftp://127.0.0.1/feed")
    assert "only http and https" in await fails("file:///etc/passwd")


def test_address_rules():
    def allowed(text, networks=()):
        return address_allowed(
            ipaddress.ip_address(text), [ipaddress.ip_network(n) for n in networks]
        )

    for private in (
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
    ):  # fmt: skip
        assert not allowed(private), private
    assert allowed("93.184.216.34") and allowed("2606:2800:220:1:248:1893:25c8:1946")
    assert allowed("127.0.0.1", ["127.0.0.1/32"]) and allowed("10.1.2.3", ["10.0.0.0/8"])
    assert not allowed("10.1.2.3", ["127.0.0.1/32"])


async def test_per_host_limit(server):
    server.routes["/wait"] = sleep_then(0.2, FEED)
    settings = dataclasses.replace(SETTINGS, per_host=2, concurrency=16)
    async with Fetcher(settings) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url("/wait")) for _ in range(8)))
    assert server.hits["/wait"] == 8
    assert server.max_active <= 2


async def test_connection_refused_is_one_line(server):
    port = server.base.rsplit(":", 1)[1]
    with Loopback() as other:
        closed = other.base
    assert port not in closed
    assert (await fails(closed + "/feed")).startswith("cannot connect")
