"""Single-use presigned uploads of sales files and catalog imports (objects served by the
gateway).

A sales file's upload URL accepts one PUT, and only while the file is UPLOADING; a catalog
import's, only while it is UPLOADING or FAILED as NOT_UPLOADED (its re-upload, with a fresh URL).
Once either has moved on its original is what was imported, so replacing it is refused with 409.
A URL is claimed (MongoDB `upload_claims`, keyed by its signature) before the body is read, so
two concurrent PUTs cannot both win; a PUT that fails half-way gives its claim back, so the
client may try again with the same URL.
"""
from __future__ import annotations

import re

from pymongo.errors import DuplicateKeyError

from gateway.errors import conflict
from gateway.keys import DB, VIEWS
from infra.repos import catalog as catalog_repo
from topics.envelope import now_iso

_UPLOAD = re.compile(r"^uploads/[^/]+/(\d{1,18})/original\.[a-z]+$")
_CATALOG = re.compile(r"^catalog-uploads/[^/]+/(\d{1,18})/original\.[a-z]+$")


def catalog_writable(view: dict | None) -> bool:
    """May a catalog import's original still be (re-)uploaded?"""
    status = view.get("status") if view else None
    return status == "UPLOADING" or (status == "FAILED" and
                                     view.get("status_cause") == "NOT_UPLOADED")


class UploadGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def claim(self, key: str, signature: str) -> None:
        """Raise 409 unless this PUT may write `key`; other objects pass."""
        if (match := _UPLOAD.match(key)) is not None:
            about = {"file_id": int(match[1])}
            view, _ = await self.app[VIEWS].file(about["file_id"])
            what, again = f"file {match[1]}", "the upload action while the file is UPLOADING"
            open_ = (view or {}).get("status") == "UPLOADING"
        elif (match := _CATALOG.match(key)) is not None:
            about = {"import_id": int(match[1])}
            view = await catalog_repo.get_import(self.app[DB], about["import_id"])
            what, again = f"catalog import {match[1]}", \
                f"POST /api/catalog/imports/{match[1]}/upload/ while it is UPLOADING"
            open_ = catalog_writable(view)
        else:
            return
        status = view.get("status") if view else None
        if not open_:
            raise conflict(f"{what} is {status or 'unknown'}: its upload URL no longer accepts a "
                           "PUT", **about, status=status)
        try:
            await self.app[DB].upload_claims.insert_one(
                {"_id": signature, "key": key, **about, "at": now_iso()})
        except DuplicateKeyError:
            raise conflict(f"this upload URL of {what} was already used; request a new one with "
                           f"{again}", **about, status=status) from None

    async def release(self, key: str, signature: str) -> None:
        """A PUT that did not complete gives its claim back."""
        if _UPLOAD.match(key) or _CATALOG.match(key):
            await self.app[DB].upload_claims.delete_one({"_id": signature})
