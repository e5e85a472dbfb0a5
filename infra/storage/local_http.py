"""aiohttp routes that serve LocalStore presigned URLs (the local stand-in for S3's own endpoint).

    add_routes(app, store)   # GET/PUT /_objects/{key}?expires=<unix>&signature=<hmac hex>

The signature covers (method, key, expiry), so a URL signed for PUT cannot be used to GET,
and editing the key or the expiry invalidates it. Bodies are streamed both ways.
"""

from __future__ import annotations

from aiohttp import web

from infra.storage import signing
from infra.storage.base import CHUNK_SIZE, InvalidKey
from infra.storage.local import ROUTE_PREFIX, BodyTooLarge, LocalStore

DEFAULT_MAX_BODY = 5 * 1024**3  # same ceiling as a single S3 PUT


def _error(status: int, code: str, detail: str) -> web.Response:
    """The gateway's one error shape (RFC 9457, see gateway/errors.py; infra cannot import it)."""
    body = {"type": f"urn:tributary:problem:{code}", "title": code.replace("_", " ").capitalize(),
            "status": status, "detail": detail, "code": code, "errors": []}
    return web.json_response(body, status=status, content_type="application/problem+json")


def _check(request: web.Request, store: LocalStore, key: str) -> web.Response | None:
    verdict = signing.verify(store.secret, request.method, key,
                             request.query.get("expires"), request.query.get("signature"))
    if verdict is signing.Verdict.BAD_SIGNATURE:
        return _error(403, "signature_invalid",
                      "signature does not match this method, key and expiry")
    if verdict is signing.Verdict.EXPIRED:
        return _error(403, "url_expired", "presigned URL has expired")
    return None


def add_routes(app: web.Application, store: LocalStore, *,
               max_body: int = DEFAULT_MAX_BODY, guard=None) -> None:
    """Register GET and PUT under ``/_objects/{key}`` on ``app`` for ``store``. `guard`
    (optional) has ``claim(key, signature)`` (raise to refuse a PUT) and ``release(key,
    signature)`` (called when the write did not complete)."""

    async def get_object(request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        if (denied := _check(request, store, key)) is not None:
            return denied
        try:
            path = store.path_for(key)
        except InvalidKey as exc:
            return _error(400, "invalid_key", str(exc))
        if not path.is_file():
            return _error(404, "not_found", f"no object {key!r}")
        return web.FileResponse(path, chunk_size=CHUNK_SIZE)

    async def put_object(request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        if (denied := _check(request, store, key)) is not None:
            return denied
        if request.content_length is not None and request.content_length > max_body:
            return _error(413, "too_large", f"body larger than {max_body} bytes")
        signature = request.query["signature"]
        if guard is not None:
            await guard.claim(key, signature)
        try:
            info = await store.write_stream(key, request.content.iter_chunked(CHUNK_SIZE), max_body)
        except BaseException as exc:
            if guard is not None:
                await guard.release(key, signature)
            if isinstance(exc, InvalidKey):
                return _error(400, "invalid_key", str(exc))
            if isinstance(exc, BodyTooLarge):
                return _error(413, "too_large", str(exc))
            raise
        return web.Response(status=200, headers={"ETag": f'"{info.etag}"'})

    route = f"{ROUTE_PREFIX}/{{key:.+}}"
    app.router.add_route("GET", route, get_object)
    app.router.add_route("PUT", route, put_object)
