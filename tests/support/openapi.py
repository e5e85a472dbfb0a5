"""The OpenAPI document of every gateway route module, built without a running stack."""
from __future__ import annotations

from aiohttp import web

from gateway.app import _route_modules
from gateway.openapi import build


def route_document() -> dict:
    app = web.Application()
    for module in _route_modules():
        module.setup(app)
    return build(app)
