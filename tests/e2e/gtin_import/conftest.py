"""Fixtures of the GTIN import tests: participants with sessions (CLI on the shared stack), a
local aiohttp file server on 127.0.0.1:0 (in its own thread), and file builders."""
from __future__ import annotations

import secrets

import pytest
from aiohttp import web

from bench.threaded_server import ThreadedServer
from tests.support.http import Api, put_bytes
from tests.support.participants import BASE, Who, participant, prefix_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))


def new_participant(stack, kind: str = "brand", prefix: str | None = None) -> Who:
    # 40x: GS1 Germany, so `to_country` gives "276"
    return participant(stack, kind, prefixes=(prefix or prefix_for("40"),),
                       urn=f"urn:test:importer:{kind}:{secrets.token_hex(4)}")


@pytest.fixture(scope="session")
def brand(stack) -> Who:
    return new_participant(stack)


@pytest.fixture(scope="session")
def big_brand(stack) -> Who:
    """A 7-digit company prefix: room for 100,000 item references."""
    return new_participant(stack, prefix=prefix_for("40", range(7, 8)))


@pytest.fixture(scope="session")
def rival(stack) -> Who:
    return new_participant(stack, "retailer")


class FileServer(ThreadedServer):
    """Serves registered bytes at /f/<name>; /huge claims 10 GiB; /status/<code> answers it."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.hits: dict[str, int] = {}
        app = web.Application()
        app.router.add_get("/f/{name}", self._file)
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/status/{code}", lambda r: web.Response(status=int(r.match_info["code"])))
        super().__init__(app, "gtin-files")

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
        return self.base_url + path

    def add(self, data: bytes | str, content_type: str = "text/csv", name: str | None = None) -> str:
        name = name or secrets.token_hex(6)
        self.files[name] = (data.encode() if isinstance(data, str) else data, content_type)
        return self.url(f"/f/{name}")


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
