"""Fetching over HTTP(S) for the collector: safe, polite and bounded.

Safe: only http and https, URLs of at most `MAX_URL` characters, and no private, loopback or
link-local address (IPv4 inside IPv6 included) unless `collect.allow_private_addresses` names
it, with its port if one is given. The name is resolved and checked once; the connection goes to
that checked address, never to a second DNS answer; every redirect hop is checked again.
Polite: an honest User-Agent, conditional GET, at most `collect.per_host` requests per host at
a time, backoff before a retry. Bounded: every hop has a total deadline (a slow drip is cut off
like a timeout), bodies stop at `collect.max_bytes` (counted after gzip, so a compression bomb
stops too), redirects stop at `MAX_REDIRECTS`. Failures raise `FetchError` with a one-line
reason for the source's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import httpcore
import httpx

from bot.collect.text import one_line
from bot.config import CollectConfig, allowed_network
from bot.inputs import MAX_URL

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER = 30.0  # seconds; a server asking for longer is tried again next run
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.7, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def default_user_agent() -> str:
    try:
        version = metadata.version("morgenlage")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"Morgenlage/{version} (news briefing bot; reads feeds and linked articles)"


class FetchError(Exception):
    """A fetch that failed; the message is one line, fit for a source's recorded state."""


class _Retryable(FetchError):
    """A failure worth another try: a timeout, a 5xx or 429, a broken connection."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when the conditional GET found nothing new
    content: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    permanent_url: str | None = None  # set when every redirect hop was permanent

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """One per collection run (an async context manager): a connection pool, the per-host
    limits and a DNS cache. `requests` counts the HTTP requests actually sent."""

    def __init__(
        self, config: CollectConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self.requests = 0
        self._allowed = [allowed_network(entry) for entry in config.allow_private_addresses]
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._all = asyncio.Semaphore(config.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._resolved: dict[tuple[str, int], list[Address]] = {}

    async def __aenter__(self) -> Fetcher:
        limits = httpx.Limits(
            max_connections=self.config.concurrency + 4,
            max_keepalive_connections=self.config.concurrency,
        )
        self._client = httpx.AsyncClient(
            transport=self._transport or _VettedTransport(_VettedBackend(self._vetted), limits),
            headers={"User-Agent": self.config.user_agent or default_user_agent()},
            timeout=httpx.Timeout(self.config.timeout),
            limits=limits,
            follow_redirects=False,  # each hop is checked against the address rules
            # Proxies from the environment would hide the real peer from the address check.
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = PAGE_ACCEPT,
    ) -> Fetched:
        """GET `url`: retried with backoff on timeouts, 5xx and 429; raises FetchError."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return await self._follow(url, headers)
            except _Retryable as error:
                if attempt >= self.config.retries:
                    tries = f" (after {attempt + 1} tries)" if attempt else ""
                    raise FetchError(f"{error}{tries}") from None
                delay = self.config.backoff * 2**attempt * (1 + random.random() / 4)
                if error.retry_after is not None:
                    delay = max(delay, min(error.retry_after, MAX_RETRY_AFTER))
                log.info("%s: %s; retrying in %.1f s", url, error, delay)
                await asyncio.sleep(delay)
                attempt += 1

    async def _follow(self, url: str, headers: dict[str, str]) -> Fetched:
        """One attempt: the request and its redirects, each hop checked."""
        seen = {url}
        permanent = True
        for _hop in range(MAX_REDIRECTS + 1):
            response = await self._get(url, headers)
            if response.status not in REDIRECT_STATUS:
                moved = url if permanent and len(seen) > 1 else None
                return Fetched(
                    url=url,
                    status=response.status,
                    content=response.content,
                    content_type=response.content_type,
                    etag=response.etag,
                    last_modified=response.last_modified,
                    permanent_url=moved,
                )
            permanent = permanent and response.status in (301, 308)
            target = str(httpx.URL(url).join(response.location))
            if target in seen:
                raise FetchError(f"redirect loop ({url} → {target})")
            seen.add(target)
            url = target
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    async def _get(self, url: str, headers: dict[str, str]) -> _Response:
        if len(url) > MAX_URL:
            raise FetchError(f"URL too long ({len(url)} characters, limit {MAX_URL})")
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise FetchError(f"not a valid URL: {one_line(error)}") from None
        if parsed.scheme not in ("http", "https"):
            raise FetchError(f"refused: only http and https URLs, not {parsed.scheme or url!r}")
        if not parsed.host:
            raise FetchError(f"not a valid URL (no host): {url}")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        # Wait for the host's turn first, so waiting in line never counts against the deadline.
        async with self._host_slot(parsed.host), self._all:
            try:
                async with asyncio.timeout(self.config.timeout):
                    await self._check_host(parsed.host, port)
                    return await self._request(parsed, headers)
            except TimeoutError:
                raise _Retryable(f"timeout after {self.config.timeout:g} s") from None
            except httpx.TimeoutException:
                raise _Retryable(f"timeout after {self.config.timeout:g} s") from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
                raise _Retryable(f"connection broken: {one_line(error) or 'no answer'}") from None
            except httpx.ConnectError as error:
                raise FetchError(f"cannot connect: {one_line(error) or parsed.host}") from None
            except httpx.DecodingError as error:
                raise FetchError(f"broken compressed body: {one_line(error)}") from None
            except httpx.HTTPError as error:
                raise FetchError(f"HTTP error: {one_line(error) or type(error).__name__}") from None

    async def _request(self, url: httpx.URL, headers: dict[str, str]) -> _Response:
        assert self._client is not None, "use the Fetcher as an async context manager"
        self.requests += 1
        async with self._client.stream("GET", url, headers=headers) as response:
            self._check_peer(response, url.host)
            status = response.status_code
            if status in REDIRECT_STATUS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} redirect without a Location")
                return _Response(status, location=location)
            if status == 304:
                return _Response(304, etag=response.headers.get("etag"))
            if status in RETRY_STATUS:
                raise _Retryable(_status_text(response), _retry_after(response))
            if status != 200:
                raise FetchError(_status_text(response))
            content = await self._read_capped(response)
            return _Response(
                200,
                content=content,
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )

    async def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self.config.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"too large: {_megabytes(int(declared))} (limit {_megabytes(limit)})")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():  # decoded bytes: a gzip bomb stops too
            size += len(chunk)
            if size > limit:
                raise FetchError(f"too large: more than {_megabytes(limit)}")
            chunks.append(chunk)
        return b"".join(chunks)

    @contextlib.asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        slot = self._hosts.setdefault(host.lower(), asyncio.Semaphore(self.config.per_host))
        async with slot:
            yield

    async def _check_host(self, host: str, port: int) -> None:
        await self._vetted(host, port)

    async def _vetted(self, host: str, port: int) -> list[Address]:
        """The host's addresses, resolved once per run, each one allowed (else FetchError).
        Connections go to exactly these (`_VettedBackend`): DNS is not asked a second time."""
        key = (host.lower(), port)
        if key not in self._resolved:
            try:
                address = ipaddress.ip_address(host.strip("[]"))
                self._resolved[key] = [address]
            except ValueError:
                self._resolved[key] = await _resolve(host, port)
        for address in self._resolved[key]:
            self._refuse_private(address, host, port)
        return self._resolved[key]

    def _check_peer(self, response: httpx.Response, host: str) -> None:
        """The address actually connected to (a second line of defence)."""
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer:
            with contextlib.suppress(ValueError, IndexError):
                self._refuse_private(ipaddress.ip_address(peer[0]), host, peer[1])

    def _refuse_private(self, address: Address, host: str, port: int | None = None) -> None:
        if address_allowed(address, self._allowed, port):
            return
        raise FetchError(
            f"refused: {host} is a private, loopback or link-local address ({address}); "
            "allow it in collect.allow_private_addresses"
        )


@dataclass(frozen=True)
class _Response:
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    location: str = ""


def address_allowed(
    address: Address, allowed: list[Network | tuple[Network, int | None]], port: int | None = None
) -> bool:
    """Public unicast addresses, and those in `allowed` (a network, or a network and the one
    port allowed there); never private, loopback, link-local, shared, reserved or multicast
    ones otherwise. An IPv4 address inside IPv6 (mapped, compatible, NAT64, 6to4) counts as
    IPv4: [64:ff9b::7f00:1] is 127.0.0.1."""
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    forms = [address, inner] if inner is not None else [address]
    if all(form.is_global and not form.is_multicast for form in forms):
        return True
    for entry in allowed:
        network, only = entry if isinstance(entry, tuple) else (entry, None)
        if only is not None and only != port:
            continue
        if any(form.version == network.version and form in network for form in forms):
            return True
    return False


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: ::ffff:a.b.c.d, ::a.b.c.d (the deprecated
    "compatible" form), NAT64 64:ff9b::a.b.c.d, 6to4 2002:AABB:CCDD::."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # not :: nor ::1, which are IPv6's own
        return low
    return low if any(address in network for network in _NAT64) else None


class _VettedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting to the fetcher's vetted addresses of a host
    instead of resolving it again: a DNS-rebinding host never receives the request. TLS still
    names the host (SNI and certificate check use the URL's name)."""

    def __init__(self, vetted: Callable[[str, int], Awaitable[list[Address]]]) -> None:
        self._vetted = vetted
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await self._vetted(host, port):
            try:
                return await self._backend.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error  # the host's next address, as a resolver-driven connect would
        raise failure or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _VettedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool on `_VettedBackend` (httpx has no public
    way to hand a pool its network backend)."""

    def __init__(self, backend: _VettedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


async def _resolve(host: str, port: int) -> list[Address]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host}: {one_line(error)}") from None
    addresses = []
    for *_rest, sockaddr in infos:
        with contextlib.suppress(ValueError):
            addresses.append(ipaddress.ip_address(sockaddr[0].split("%", 1)[0]))
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    return addresses


def _status_text(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
