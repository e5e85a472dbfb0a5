"""Statements counted once: the duplicate override of `process` and the reimport check that the
stored original is the one that was imported (voiding: gateway/routes/void.py). The agents do
the work; these checks answer the client at once."""
from __future__ import annotations

import asyncio
import os
import tempfile

from aiohttp import web

from gateway.errors import ApiError, conflict
from gateway.keys import OBJECTS
from infra.storage.base import file_sha256


def duplicate_override(body, view: dict) -> int | None:
    """`allow_duplicate_of` of a process request: the id of the original this file duplicates.
    A DUPLICATE can only be imported by naming the very file it duplicates."""
    wanted = body.allow_duplicate_of
    if wanted is None:
        if body.allow_duplicate:
            raise ApiError(400, "bad_request", "allow_duplicate is not enough: name the original "
                           "with allow_duplicate_of (its file id)",
                           errors=[{"field": "allow_duplicate_of", "problem": "required with "
                                    "allow_duplicate"}])
        return None
    original = view.get("duplicate_of")
    if view.get("status_cause") == "DUPLICATE" and original is not None and wanted != original:
        raise conflict(f"file {view['id']} duplicates file {original}, not {wanted}; "
                       f"allow_duplicate_of must name {original}", duplicate_of=original)
    return wanted


async def unchanged_original(request: web.Request, view: dict) -> None:
    """Refuse (409) to reimport an object whose bytes changed since they were processed."""
    key, checksum = view.get("object_key"), view.get("checksum")
    if not key or not checksum:
        return
    store = request.app[OBJECTS]
    info = await store.head(key)
    if info is None:
        raise conflict(f"the original of file {view['id']} is no longer stored",
                       current_status=view["status"])
    if view.get("object_etag") and info.etag == view["object_etag"]:
        return
    now = await store.sha256(key)
    if now is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "original")
            await store.download(key, path)
            now = await asyncio.to_thread(file_sha256, path)
    if now != checksum:
        raise conflict(f"the stored original of file {view['id']} changed since it was processed "
                       f"(SHA-256 {now[:12]}…, processed {checksum[:12]}…); register the new "
                       "file instead of reimporting this one", current_status=view["status"],
                       cause="OBJECT_CHANGED")
