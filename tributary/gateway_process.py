"""`tributary gateway`: serve the HTTP API."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from infra import generation
from infra.config import Settings
from tributary.boot import boot


def run_gateway(settings: Settings, host: str, port: int) -> None:
    boot(settings, "gateway", level=logging.INFO)
    asyncio.run(generation.ensure(settings))
    if not settings.public_url:
        settings = settings.with_(public_url=f"http://{host}:{port}")
    from gateway.app import create_app

    web.run_app(create_app(settings), host=host, port=port, print=None,
                access_log=None, handle_signals=True)
