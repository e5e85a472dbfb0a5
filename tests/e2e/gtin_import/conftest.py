"""Fixtures of the GTIN import tests: participants with sessions (CLI on the shared stack), a
local aiohttp file server on 127.0.0.1:0 (in its own thread), and file builders."""
from __future__ import annotations

import asyncio
import random
import secrets
import threading
from dataclasses import dataclass

import pytest
from aiohttp import web
from stdnum import ean

from tests.support.gs1 import company_prefix_for
from tests.support.http import Api, put_bytes
from tests.support.stack import cli

HEADER = "authenticateit_identity_ticket"
BASE = "/description-service"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
_rng = random.Random()


@dataclass
class Who:
    urn: str
    prefix: str
    api: Api


def gtin_for(prefix: str, length: int = 13, number: int | None = None) -> str:
    """A valid GTIN under `prefix`: item reference `number`, or a random one."""
    width = length - 1 - len(prefix)
    assert number is None or len(str(number)) <= width, "prefix too long for this many items"
    if number is not None:
        body = prefix + str(number).zfill(width)
        return body + ean.calc_check_digit(body)
    while True:  # random references never repeat within a session (9-digit prefixes: 1,000)
        body = prefix + "".join(str(_rng.randint(0, 9)) for _ in range(width))
        gtin = body + ean.calc_check_digit(body)
        if gtin not in _issued:
            _issued.add(gtin)
            return gtin


_issued: set[str] = set()


def new_participant(stack, kind: str = "brand", prefix: str | None = None) -> Who:
    urn = f"urn:test:importer:{kind}:{secrets.token_hex(4)}"
    # 40x: GS1 Germany, so `to_country` gives "276"
    prefix = prefix or company_prefix_for(_rng, "40")
    cli(stack.data_dir, "participant", "create", "--id", urn, "--type", kind, "--prefix", prefix)
    session = cli(stack.data_dir, "session", "create", "--participant", urn, "--user", "importer")
    return Who(urn, prefix, Api(stack.url, headers={HEADER: session["ticket"]}))


@pytest.fixture(scope="session")
def brand(stack) -> Who:
    return new_participant(stack)


@pytest.fixture(scope="session")
def big_brand(stack) -> Who:
    """A 7-digit company prefix: room for 100,000 item references."""
    return new_participant(stack, prefix=company_prefix_for(_rng, "40", range(7, 8)))


@pytest.fixture(scope="session")
def rival(stack) -> Who:
    return new_participant(stack, "retailer")


class FileServer:
    """Serves registered bytes at /f/<name>; /huge claims 10 GiB; /status/<code> answers it."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.hits: dict[str, int] = {}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/f/{name}", self._file)
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/status/{code}", lambda r: web.Response(status=int(r.match_info["code"])))
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in self.files:
            return web.Response(status=404)
        self.hits[name] = self.hits.get(name, 0) + 1
        data, ctype = self.files[name]
        return web.Response(body=data, headers={"Content-Type": ctype})

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/csv"})
        resp.content_length = 10 * 1024 ** 3
        await resp.prepare(request)
        await resp.write(b"gtin,name\n")
        return resp

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, data: bytes | str, content_type: str = "text/csv", name: str | None = None) -> str:
        name = name or secrets.token_hex(6)
        self.files[name] = (data.encode() if isinstance(data, str) else data, content_type)
        return self.url(f"/f/{name}")

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="session")
def files():
    server = FileServer()
    yield server
    server.stop()


async def wait_task(api: Api, task_id: str, timeout: float = 60.0) -> dict:
    return await api.wait_for(f"{BASE}/import/tasks/{task_id}",
                              lambda b: b["status"] in ("done", "failed"), timeout=timeout,
                              interval=0.1)


async def upload(who: Who, data: bytes | str) -> str:
    """The service's own link to `data`: POST /uploads, then PUT to its upload_url."""
    status, up, _ = await who.api.post(f"{BASE}/uploads")
    assert status == 201, up
    assert await put_bytes(up["upload_url"], data.encode() if isinstance(data, str) else data) == 200
    return up["link"]
