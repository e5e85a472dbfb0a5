"""aiohttp routes that serve the gateway's presigned URLs (the local stand-in for S3's own
endpoint, and the upload path of sales files on every backend).

    add_routes(app, store)   # GET/PUT /_objects/{key}?expires=<unix>[&size=<bytes>]&signature=<hex>

The signature covers (method, key, expiry, size), so a URL signed for PUT cannot be used to
GET, and editing the key, the expiry or the size invalidates it. A PUT body larger than the
URL's `size` is refused (413) before or while it streams. Bodies are streamed both ways. On
S3 only the PUT route is mounted (``secret`` given): the body streams into the bucket.
"""

from __future__ import annotations

from aiohttp import web

from infra.storage import signing
from infra.storage.base import CHUNK_SIZE, BodyTooLarge, InvalidKey, ObjectStore
from infra.storage.local import ROUTE_PREFIX

DEFAULT_MAX_BODY = 5 * 1024**3  # same ceiling as a single S3 PUT


def _error(status: int, code: str, detail: str, errors: list | None = None,
           **extensions) -> web.Response:
    """The gateway's one error shape (RFC 9457, see gateway/errors.py; infra cannot import it)."""
    body = {"type": f"urn:tributary:problem:{code}", "title": code.replace("_", " ").capitalize(),
            "status": status, "detail": detail, "code": code, "errors": errors or [],
            **extensions}
    return web.json_response(body, status=status, content_type="application/problem+json")


def _too_large(limit: int, detail: str) -> web.Response:
    return _error(413, "body_too_large", detail, [{"field": "body",
                                                   "problem": f"larger than {limit} bytes"}],
                  max_bytes=limit)


def _check(request: web.Request, secret: bytes, key: str) -> web.Response | None:
    verdict = signing.verify(secret, request.method, key, request.query.get("expires"),
                             request.query.get("signature"), size=request.query.get("size"))
    if verdict is signing.Verdict.BAD_SIGNATURE:
        return _error(403, "signature_invalid",
                      "signature does not match this method, key and expiry")
    if verdict is signing.Verdict.EXPIRED:
        return _error(403, "url_expired", "presigned URL has expired")
    return None


def add_routes(app: web.Application, store: ObjectStore, *, secret: str | None = None,
               max_body: int = DEFAULT_MAX_BODY, guard=None, gets: bool = True,
               wrap=None) -> None:
    """Register PUT (and GET unless ``gets`` is off: LocalStore only) under
    ``/_objects/{key}`` on ``app`` for ``store`` (anything with ``write_stream``). ``secret``
    signs the URLs (default: the LocalStore's own). `guard` (optional) has ``claim(key, signature)`` (raise to refuse a PUT)
    and ``release(key, signature)`` (called when the write did not complete). `wrap` (optional)
    wraps each handler (the gateway's: gateway/serving.py)."""
    key_secret = secret.encode() if secret is not None else store.secret

    async def get_object(request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        if (denied := _check(request, key_secret, key)) is not None:
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
        if (denied := _check(request, key_secret, key)) is not None:
            return denied
        size = request.query.get("size")
        limit = min(max_body, int(size)) if size is not None else max_body
        if request.content_length is not None and request.content_length > limit:
            return _too_large(limit, f"the body has {request.content_length} bytes; this URL "
                              f"accepts at most {limit} (the size it was issued for)")
        signature = request.query["signature"]
        if guard is not None:
            await guard.claim(key, signature)
        try:
            info = await store.write_stream(key, request.content.iter_chunked(CHUNK_SIZE), limit)
        except BaseException as exc:
            if guard is not None:
                await guard.release(key, signature)
            if isinstance(exc, InvalidKey):
                return _error(400, "invalid_key", str(exc))
            if isinstance(exc, BodyTooLarge):
                return _too_large(limit, f"the body is larger than {limit} bytes, the most "
                                  "this URL accepts (the size it was issued for)")
            raise
        return web.Response(status=200, headers={"ETag": f'"{info.etag}"'})

    route = f"{ROUTE_PREFIX}/{{key:.+}}"
    wrap = wrap or (lambda handler: handler)
    if gets:
        app.router.add_route("GET", route, wrap(get_object))
    app.router.add_route("PUT", route, wrap(put_object))
