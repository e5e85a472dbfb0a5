"""A store's local_http routes served on a free loopback port, for the storage tests."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from infra.storage.local_http import add_routes
from tests.support.http import serving_app


@asynccontextmanager
async def serving(store, **route_options) -> AsyncIterator[str]:
    """Serve `store` through `add_routes(…, **route_options)` on 127.0.0.1:0 until the block ends;
    yields the base URL (the port is known only after binding)."""
    app = web.Application()
    add_routes(app, store, **route_options)
    async with serving_app(app) as url:
        yield url
