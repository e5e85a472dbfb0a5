"""Single-use presigned uploads of sales files (local object store served by the gateway).

A sales file's upload URL accepts one PUT, and only while the file is UPLOADING: once it
has moved on (processed, failed, voided…) its original is the statement that was imported,
so replacing it is refused with 409. A URL is claimed (MongoDB `upload_claims`, keyed by its
signature) before the body is read, so two concurrent PUTs cannot both win; a PUT that fails
half-way gives its claim back, so the client may try again with the same URL.
"""
from __future__ import annotations

import re

from pymongo.errors import DuplicateKeyError

from gateway.errors import conflict
from gateway.keys import DB, VIEWS
from topics.envelope import now_iso

_UPLOAD = re.compile(r"^uploads/[^/]+/(\d{1,18})/original\.[a-z]+$")


class UploadGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def claim(self, key: str, signature: str) -> None:
        """Raise 409 unless this PUT may write `key`; objects other than sales uploads pass."""
        match = _UPLOAD.match(key)
        if match is None:
            return
        file_id = int(match[1])
        view, _ = await self.app[VIEWS].file(file_id)
        status = view.get("status") if view else None
        if status != "UPLOADING":
            raise conflict(f"file {file_id} is {status or 'unknown'}: its upload URL no longer "
                           "accepts a PUT (an upload is accepted only while UPLOADING)",
                           file_id=file_id, status=status)
        try:
            await self.app[DB].upload_claims.insert_one(
                {"_id": signature, "key": key, "file_id": file_id, "at": now_iso()})
        except DuplicateKeyError:
            raise conflict(f"this upload URL of file {file_id} was already used; request a new "
                           "one with the upload action while the file is UPLOADING",
                           file_id=file_id, status=status) from None

    async def release(self, key: str, signature: str) -> None:
        """A PUT that did not complete gives its claim back."""
        if _UPLOAD.match(key):
            await self.app[DB].upload_claims.delete_one({"_id": signature})
