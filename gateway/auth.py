"""Bearer-token authentication of sales routes: the token names one organisation.

Resolved tokens are cached in this gateway (`app[TOKENS]`) for
`settings.gateway.token_cache_seconds` (`TRIBUTARY_TOKEN_CACHE_SECONDS`, default 3; see gateway/credentials.py): every status GET would
otherwise cost a document-store round trip. Security consequence: a token revoked in the store
keeps working on this gateway for at most that many seconds. Unknown tokens are never
cached, so a token issued a moment ago works at once. The cache is keyed by the token itself (the
store keeps only its SHA-256): a kept token is answered without hashing it; this process's
memory holds the tokens it keeps, as it holds every request it reads.
"""
from __future__ import annotations

from aiohttp import web

from gateway.credentials import digest
from gateway.errors import ApiError
from gateway.keys import DB, TOKENS
from infra import logs
from infra.repos import orgs

_RESOLVED = web.RequestKey("organisation", str)  # the organisation of this request


async def organisation(request: web.Request) -> str:
    """The organisation the request's Bearer token names (resolved once per request; a token
    kept in `app[TOKENS]` is answered without awaiting anything). A route's `@endpoint(auth=
    organisation)` hands it to the handler as `credential=` (gateway/contract.py)."""
    if len(request):  # something is stored on the request (a Request is always true)
        try:
            return request[_RESOLVED]
        except KeyError:
            pass
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token> "
                       "(create one with `tributary org create NAME`)")
    app = request.app
    db, tokens = app[DB], app[TOKENS]
    key = (id(db), digest(token))  # → organisation
    org = tokens.kept(key, orgs.resolve, db, token)
    if org is None:
        org = await tokens.get(key, orgs.resolve, db, token)
    if org is None:
        raise ApiError(401, "unauthorized", "unknown or revoked token")
    logs.bind(organisation=org)  # carried on this request's log lines
    request[_RESOLVED] = org
    return org


organisation.security = [{"bearerAuth": []}]  # type: ignore[attr-defined]
