"""The upload URL of a sales file: one PUT of at most its declared `filesize`, on either backend.

The URL points at the gateway's own object route (infra/storage/local_http.py) on both
backends, signed over (key, expiry, size) with the gateway secret: the route refuses a larger
body (413) and, through gateway/upload_guard.py, a second PUT or any PUT once the file has left
UPLOADING (409). On S3 the body streams from that route into the bucket (multipart above one
part). S3's own presigned PUT cannot give either answer: it can pin the exact Content-Length
(a real S3 then refuses another length with 403; moto checks no signature at all), but it
accepts any number of PUTs while it is valid. TRIBUTARY_S3_DIRECT_UPLOADS=1 hands out such
URLs anyway (bytes bypass the gateway); single use then rests on the reimport check (a changed
original is refused) and the size check of `process`.
"""
from __future__ import annotations

from aiohttp import web

from gateway.keys import OBJECTS, SETTINGS
from infra.storage import signing


def direct_s3(settings) -> bool:
    return (settings.storage_url.startswith("s3://") and
            settings.gateway.s3_direct_uploads)


def through_gateway(settings) -> bool:
    """Does the gateway serve PUTs for this store (every backend but direct S3)?"""
    return not direct_s3(settings)


async def upload_link(app: web.Application, key: str, size: int, ttl: int) -> str:
    settings = app[SETTINGS]
    store = app[OBJECTS]
    if settings.storage_url.startswith("file://") or direct_s3(settings):
        return await store.presign(key, "PUT", ttl, max_bytes=size)
    return signing.url(settings.public_url, settings.secret.encode(), "PUT", key, ttl, size)


async def fresh_link(app: web.Application, key: str, size: int, ttl: int) -> str:
    """An upload URL for `key` whose signature no PUT has claimed yet: a URL asked for again
    within the second an earlier one was issued would otherwise be that same (used) URL."""
    from urllib.parse import parse_qs, urlsplit

    from gateway.keys import DB

    for extra in range(60):
        link = await upload_link(app, key, size, ttl + extra)
        signature = parse_qs(urlsplit(link).query).get("signature", [""])[0]
        if not signature or await app[DB].upload_claims.find_one({"_id": signature}) is None:
            return link
    raise RuntimeError(f"no unused upload URL for {key}")
