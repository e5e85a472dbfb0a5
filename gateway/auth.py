"""Bearer-token authentication of sales routes: the token names one organisation.

Resolved tokens are cached in this process for `TOKEN_TTL` seconds
(`TRIBUTARY_TOKEN_CACHE_SECONDS`, default 3; see gateway/credentials.py): every status GET would
otherwise cost a document-store round trip. Security consequence: a token revoked in the store
keeps working on this gateway for at most `TOKEN_TTL` seconds. Unknown tokens are never
cached, so a token issued a moment ago works at once.
"""
from __future__ import annotations

import hashlib
import os

from aiohttp import web

from gateway.credentials import CredentialCache
from gateway.errors import ApiError
from gateway.keys import DB
from infra import logs
from infra.repos import orgs

TOKEN_TTL = float(os.environ.get("TRIBUTARY_TOKEN_CACHE_SECONDS", "3"))
MAX_CACHED = 10_000
_cache = CredentialCache(TOKEN_TTL, MAX_CACHED)  # (id(db), sha256(token)) → organisation


def forget_tokens() -> None:
    """Drop every cached token (e.g. after revoking one in this process)."""
    _cache.forget()


async def _resolve(db, token: str) -> str | None:
    key = (id(db), hashlib.sha256(token.encode()).hexdigest())
    return await _cache.get(key, lambda: orgs.resolve(db, token))


async def organisation(request: web.Request) -> str:
    """The organisation the request's Bearer token names (resolved once per request)."""
    if "organisation" in request:
        return request["organisation"]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token> "
                       "(create one with `tributary org create NAME`)")
    org = await _resolve(request.app[DB], token.strip())
    if org is None:
        raise ApiError(401, "unauthorized", "unknown or revoked token")
    logs.bind(organisation=org)  # carried on this request's log lines
    request["organisation"] = org
    return org


organisation.security = [{"bearerAuth": []}]  # type: ignore[attr-defined]
