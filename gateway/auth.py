"""Bearer-token authentication of sales routes: the token names one organisation."""
from __future__ import annotations

from aiohttp import web

from gateway.errors import ApiError
from infra import logs
from infra.repos import orgs


async def organisation(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token> "
                       "(create one with `tributary org create NAME`)")
    org = await orgs.resolve(request.app["db"], token.strip())
    if org is None:
        raise ApiError(401, "unauthorized", "unknown or revoked token")
    logs.bind(organisation=org)  # carried on this request's log lines
    return org
