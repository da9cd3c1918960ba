"""The fetcher's address rules against tricks the first guard let through (issue 13, item 9):
IPv4 loopback inside IPv6, a DNS-rebinding host, allow-list entries bound to a port, and URLs
longer than the store keeps."""

import asyncio
import dataclasses
import ipaddress

import pytest

from bot.collect.http import Fetcher, FetchError, address_allowed
from bot.collect.sources import SourceError, feed_url
from bot.config import CollectConfig, ConfigError, allowed_network, parse_config
from tests.fixtures.loopback import Loopback, Static

FEED = Static(b"<rss><channel><title>T</title></channel></rss>")
SETTINGS = CollectConfig(timeout=2.0, retries=0, backoff=0.01)


@pytest.fixture
def server():
    with Loopback() as running:
        running.routes["/feed"] = FEED
        yield running


async def fails(url: str, settings: CollectConfig = SETTINGS) -> str:
    with pytest.raises(FetchError) as error:
        async with Fetcher(settings) as fetcher:
            await fetcher.fetch(url)
    return str(error.value)


@pytest.mark.parametrize(
    "address",
    ["::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "64:ff9b:1::a00:1", "::ffff:10.0.0.1"],
)
def test_ipv4_loopback_and_private_inside_ipv6_are_refused(address):
    assert not address_allowed(ipaddress.ip_address(address), [])


def test_ipv6_carrying_a_public_ipv4_stays_allowed():
    for address in ("64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"):
        assert address_allowed(ipaddress.ip_address(address), []), address


async def test_nat64_and_6to4_loopback_urls_are_refused_before_connecting(server):
    port = server.base.rsplit(":", 1)[1]
    for host in ("[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]"):
        assert "refused" in await fails(f"http://{host}:{port}/feed"), host
    assert server.hits["/feed"] == 0


async def test_a_rebinding_host_never_receives_the_request(server, monkeypatch):
    """The name answers an allowed address when checked and the server's address when asked
    again: the fetcher connects to the checked answer, so no GET reaches the server."""
    port = int(server.base.rsplit(":", 1)[1])
    answers = iter(["127.0.0.2", "127.0.0.1", "127.0.0.1", "127.0.0.1"])
    real = asyncio.BaseEventLoop.getaddrinfo

    async def rebinding(self, host, *args, **kwargs):
        if host in ("rebind.example", b"rebind.example"):  # anyio asks with bytes
            return await real(self, next(answers), *args, **kwargs)
        return await real(self, host, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", rebinding)
    settings = dataclasses.replace(SETTINGS, allow_private_addresses=("127.0.0.2",))
    message = await fails(f"http://rebind.example:{port}/feed", settings)
    assert message.startswith("cannot connect")  # to 127.0.0.2, where nothing listens
    assert server.hits["/feed"] == 0


async def test_allow_list_entry_with_a_port_allows_that_port_only(server):
    port = int(server.base.rsplit(":", 1)[1])
    on_port = dataclasses.replace(SETTINGS, allow_private_addresses=(f"127.0.0.1:{port}",))
    async with Fetcher(on_port) as fetcher:
        assert (await fetcher.fetch(server.url("/feed"))).status == 200
    other = dataclasses.replace(SETTINGS, allow_private_addresses=(f"127.0.0.1:{port + 1}",))
    assert "refused" in await fails(server.url("/feed"), other)
    assert server.hits["/feed"] == 1


def test_allow_list_entries_parse_with_and_without_ports():
    assert allowed_network("10.0.0.0/8") == (ipaddress.ip_network("10.0.0.0/8"), None)
    assert allowed_network("127.0.0.1:8080") == (ipaddress.ip_network("127.0.0.1/32"), 8080)
    assert allowed_network("[::1]:8443") == (ipaddress.ip_network("::1/128"), 8443)
    assert allowed_network("fc00::/7") == (ipaddress.ip_network("fc00::/7"), None)
    for bad in ("127.0.0.1:99999", "[::1]:x", "nonsense"):
        with pytest.raises(ConfigError):
            parse_config({"collect": {"allow_private_addresses": [bad]}})


async def test_urls_longer_than_the_store_keeps_are_refused(server):
    long_url = "https://example.org/" + "a" * 100_000
    with pytest.raises(SourceError, match="longer than 2000"):
        feed_url(long_url)
    with pytest.raises(ConfigError, match="longer than 2000"):
        parse_config({"sources": {"feeds": [long_url]}})
    allowed = dataclasses.replace(SETTINGS, allow_private_addresses=("127.0.0.1",))
    assert "too long" in await fails(server.url("/feed?" + "q" * 3000), allowed)
    assert server.hits["/feed"] == 0
