"""Fixtures of the contract suite: participants with sessions on the session stack (a system
participant replays the GTIN examples: the specification's own GTIN 00000026013992 is a
restricted GTIN-8 under GS1 rules), a loopback file server for the import examples' links, and
a client that sends an example's bytes exactly as the specification prints them."""
from __future__ import annotations

import asyncio
import random
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp
import pytest
from aiohttp import web

from tests.support.gs1 import company_prefix_for
from tests.support.http import Api
from tests.support.stack import cli

HEADER = "authenticateit_identity_ticket"
BASE = "/description-service"
_rng = random.Random()


@dataclass
class Who:
    urn: str
    api: Api
    ticket: str
    prefix: str | None = None

    async def send(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """POST/PUT raw bytes as `application/json` (the example byte for byte)."""
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.api.base + path, data=body, headers={
                    HEADER: self.ticket, "Content-Type": "application/json"}) as resp:
                return resp.status, await resp.json(content_type=None)


def participant(stack, kind: str, *flags: str, prefix: str | None = None) -> Who:
    urn = f"urn:authenticateit:participant:{secrets.randbelow(10**15)}"
    args = ["participant", "create", "--id", urn, "--type", kind, *flags]
    if prefix:
        args += ["--prefix", prefix]
    cli(stack.data_dir, *args)
    session = cli(stack.data_dir, "session", "create", "--participant", urn, "--user",
                  "my@gmail.com")
    return Who(urn, Api(stack.url, headers={HEADER: session["ticket"]}), session["ticket"], prefix)


@pytest.fixture(scope="session")
def system(stack) -> Who:
    """The system participant the examples are replayed as (holds every GTIN)."""
    return participant(stack, "gs1", "--system")


@pytest.fixture(scope="session")
def contributor(stack) -> Who:
    """A participant with the product360 module (the add-source example has a link widget)."""
    return participant(stack, "contributor", "--product360")


@pytest.fixture(scope="session")
def basic(stack) -> Who:
    """A brand without product360, owning a GS1 Company Prefix of its own."""
    return participant(stack, "brand", prefix=company_prefix_for(_rng, "8", range(7, 8)))


class LinkServer:
    """Serves files at the paths of the examples' links, on 127.0.0.1 (tests touch loopback
    only): `relink(link)` is the example's link with its host replaced by this server."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._get)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _get(self, request: web.Request) -> web.Response:
        data = self.files.get(unquote(request.path))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="text/plain")

    def relink(self, link: str, data: bytes, *, scheme: str | None = "http") -> str:
        """Serve `data` at the path of `link`; the link on this server (without a scheme when
        `scheme` is None, as the specification writes some)."""
        path = urlsplit(link if "://" in link else "https://" + link).path
        self.files[unquote(path)] = data
        host = f"127.0.0.1:{self.port}{path}"
        return f"{scheme}://{host}" if scheme else host

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="session")
def links():
    server = LinkServer()
    yield server
    server.stop()
