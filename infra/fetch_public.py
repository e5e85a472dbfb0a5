"""Download from links users give us, only from public addresses (no SSRF).

Every hop (the first URL and each redirect, followed by hand) is checked: http(s) only, the
host resolved and *every* address it resolves to must be public — loopback, private,
link-local (cloud metadata 169.254.169.254), multicast, reserved and unspecified addresses are
refused. The connector resolves through the same check, so the address connected to is one
that was checked (no DNS rebinding between check and connect).

`TRIBUTARY_FETCH_ALLOW` lets named addresses through (comma-separated IPs, CIDRs, or the words
`loopback` / `private`): tests allow-list 127.0.0.1 for their local servers.
Limits: size per download, connect/read/total timeouts, retries with backoff on 5xx/429 and
connection errors; 4xx are not retried.
"""
from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

ALLOW_ENV = "TRIBUTARY_FETCH_ALLOW"
CHUNK = 1 << 16
MB = 1024 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    code = "fetch_failed"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class FetchRefused(FetchError):
    code = "refused_address"


class TooLarge(FetchError):
    code = "too_large"


class HttpStatusError(FetchError):
    code = "http_error"


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 512 * MB
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    total_timeout: float = 1800.0
    retries: int = 3
    backoff: float = 0.5
    max_redirects: int = 5

    @classmethod
    def of(cls, fetch) -> "FetchLimits":
        """From the settings tree's `fetch` group (infra/config.py)."""
        return cls(max_bytes=int(fetch.max_file_mb * MB), read_timeout=fetch.timeout,
                   retries=fetch.retries, backoff=fetch.backoff)


@dataclass(frozen=True)
class AllowList:
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    loopback: bool = False
    private: bool = False

    @classmethod
    def parse(cls, text: str | None) -> "AllowList":
        networks, loopback, private = [], False, False
        for item in (text or "").replace(";", ",").split(","):
            item = item.strip().lower()
            if item == "loopback":
                loopback = True
            elif item == "private":
                private = True
            elif item:
                networks.append(ipaddress.ip_network(item, strict=False))
        return cls(tuple(networks), loopback, private)

    def permits(self, addr: IPAddress) -> bool:
        if any(addr in net for net in self.networks if net.version == addr.version):
            return True
        return (self.loopback and addr.is_loopback) or (self.private and addr.is_private
                                                        and not addr.is_link_local)


def refusal(addr: IPAddress) -> str | None:
    """Why an address is not public, or None when it is."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    for test, name in (("is_loopback", "loopback"), ("is_link_local", "link-local/metadata"),
                       ("is_private", "private"), ("is_multicast", "multicast"),
                       ("is_unspecified", "unspecified"), ("is_reserved", "reserved")):
        if getattr(addr, test):
            return name
    if not addr.is_global:
        return "non-public"
    return None


def check_address(host: str, address: str, allow: AllowList) -> None:
    addr = ipaddress.ip_address(address.split("%")[0])
    reason = refusal(addr)
    if reason and not allow.permits(addr):
        raise FetchRefused(f"{host} resolves to {addr}, a {reason} address: links must point "
                           f"to public servers (allow-list: {ALLOW_ENV})")


async def check_url(url: str, allow: AllowList) -> None:
    """Raise FetchRefused unless `url` is http(s) and every address of its host is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"only http(s) links are fetched, not {url[:80]!r}")
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or 0, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError(f"cannot resolve {host}: {exc}") from None
        addresses = [info[4][0] for info in infos]
    for address in addresses:
        check_address(host, address, allow)


class PublicResolver(AbstractResolver):
    """aiohttp resolver that only ever hands out checked addresses."""

    def __init__(self, allow: AllowList) -> None:
        self.allow, self.inner = allow, DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        for result in results:
            check_address(host, result["host"], self.allow)
        return results

    async def close(self) -> None:
        await self.inner.close()


def public_session(allow: AllowList, limits: FetchLimits) -> aiohttp.ClientSession:
    timeout = aiohttp.ClientTimeout(total=limits.total_timeout, sock_connect=limits.connect_timeout,
                                    sock_read=limits.read_timeout)
    connector = aiohttp.TCPConnector(resolver=PublicResolver(allow), limit=8)
    return aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False)


@dataclass(frozen=True)
class FetchResult:
    path: str
    size: int
    sha256: str
    md5: str
    content_type: str
    content_disposition: str
    final_url: str


async def _open(session: aiohttp.ClientSession, url: str, allow: AllowList,
                limits: FetchLimits, params: dict | None, headers: dict | None
                ) -> aiohttp.ClientResponse:
    """GET following redirects by hand, checking each hop; the caller releases the answer."""
    for _hop in range(limits.max_redirects + 1):
        await check_url(url, allow)
        resp = await session.get(url, params=params, headers=headers, allow_redirects=False)
        if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
            resp.release()
            url, params = urljoin(str(resp.url), resp.headers["Location"]), None
            continue
        return resp
    raise FetchError(f"more than {limits.max_redirects} redirects")


async def _attempt(session, url, path, allow, limits, params, headers) -> FetchResult:
    resp = await _open(session, url, allow, limits, params, headers)
    async with resp:
        if resp.status >= 400:
            body = (await resp.content.read(2000)).decode("utf-8", "replace")
            raise HttpStatusError(f"HTTP {resp.status} from {resp.url.host}: {body[:300]}",
                                  resp.status)
        declared = resp.content_length
        if declared is not None and declared > limits.max_bytes:
            raise TooLarge(f"{declared} bytes: larger than the {limits.max_bytes}-byte limit")
        sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
        with open(path, "wb") as out:
            async for chunk in resp.content.iter_chunked(CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise TooLarge(f"more than the {limits.max_bytes}-byte limit")
                sha.update(chunk)
                md5.update(chunk)
                out.write(chunk)
        return FetchResult(path, size, sha.hexdigest(), md5.hexdigest(),
                           resp.headers.get("Content-Type", ""),
                           resp.headers.get("Content-Disposition", ""), str(resp.url))


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, HttpStatusError):
        return exc.status is not None and (exc.status >= 500 or exc.status == 429)
    if isinstance(exc, FetchError):
        return False
    return isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError,
                            asyncio.TimeoutError))


async def fetch(url: str, path: str, *, allow: AllowList, limits: FetchLimits,
                params: dict | None = None, headers: dict | None = None,
                session: aiohttp.ClientSession | None = None) -> FetchResult:
    """Download `url` into `path` (size-limited, public addresses only, retried on 5xx)."""
    own = session is None
    session = session or public_session(allow, limits)
    try:
        for attempt in range(limits.retries + 1):
            try:
                return await _attempt(session, url, path, allow, limits, params, headers)
            except Exception as exc:  # noqa: BLE001 - classified below
                if isinstance(exc, aiohttp.ClientConnectorError) and \
                        isinstance(exc.os_error, FetchRefused):
                    raise exc.os_error from None
                if attempt >= limits.retries or not _retryable(exc):
                    if isinstance(exc, FetchError):
                        raise
                    raise FetchError(f"download failed: {exc or type(exc).__name__}") from None
                await asyncio.sleep(limits.backoff * 2 ** attempt)
        raise AssertionError("unreachable")
    finally:
        if own:
            await session.close()


async def fetch_json(url: str, *, allow: AllowList, limits: FetchLimits, params: dict | None = None,
                     headers: dict | None = None, session: aiohttp.ClientSession | None = None,
                     max_bytes: int = 8 * MB) -> Any:
    """GET a small JSON document with the same checks and retries."""
    import json
    import tempfile

    small = FetchLimits(**{**limits.__dict__, "max_bytes": max_bytes})
    with tempfile.NamedTemporaryFile() as tmp:
        await fetch(url, tmp.name, allow=allow, limits=small, params=params, headers=headers,
                    session=session)
        with open(tmp.name, "rb") as handle:
            return json.loads(handle.read() or b"null")
