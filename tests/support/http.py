"""A small async HTTP client for end-to-end tests, and a loopback server for a test's app."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web


class Api:
    def __init__(self, base: str, token: str | None = None, headers: dict | None = None) -> None:
        self.base = base.rstrip("/")
        self.headers = dict(headers or {})
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    async def call(self, method: str, path: str, *, json: Any = None, data: Any = None,
                   headers: dict | None = None) -> tuple[int, Any, dict]:
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.base + path, json=json, data=data,
                                       headers={**self.headers, **(headers or {})}) as resp:
                raw = await resp.read()
                try:
                    body = await resp.json(content_type=None)
                except ValueError:
                    body = raw
                return resp.status, body, dict(resp.headers)

    async def get(self, path: str, **kw):
        return await self.call("GET", path, **kw)

    async def post(self, path: str, **kw):
        return await self.call("POST", path, **kw)

    async def wait_for(self, path: str, predicate, timeout: float = 60.0, interval: float = 0.05):
        """Poll a GET until predicate(body) holds; returns the last body."""
        deadline = asyncio.get_running_loop().time() + timeout
        body = None
        while asyncio.get_running_loop().time() < deadline:
            status, body, _ = await self.get(path)
            if status == 200 and predicate(body):
                return body
            await asyncio.sleep(interval)
        raise AssertionError(f"timed out waiting on {path}; last answer: {body}")


async def put_bytes(url: str, data: bytes) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.put(url, data=data) as resp:
            return resp.status


@asynccontextmanager
async def serving_app(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1:0 until the block ends; yields the base URL (the port is known
    only after binding)."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    finally:
        await runner.cleanup()
