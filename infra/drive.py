"""A small Google Drive v3 client for publicly shared files and folders (API key, no OAuth).

    files.get   GET {base}/files/{id}?fields=…&key=…            metadata
    files.get   GET {base}/files/{id}?alt=media&key=…            content
    files.list  GET {base}/files?q='{id}' in parents&pageToken=… children, paged

The base URL is configuration (`TRIBUTARY_DRIVE_API_URL`) so tests point it at a local
Drive-compatible server; all requests go through `infra.fetch_public` (public addresses only,
size limits, retries on 5xx).
"""
from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from infra.config import Drive
from infra.fetch_public import (
    AllowList,
    FetchLimits,
    FetchResult,
    HttpStatusError,
    fetch,
    fetch_json,
    public_session,
)

DEFAULT_API_URL = Drive.model_fields["api_url"].default  # declared in the settings tree
KEY_ENV = "TRIBUTARY_GOOGLE_API_KEY"  # named in the messages
FIELDS = "id,name,mimeType,size,md5Checksum,resourceKey"
SETUP_HELP = (f"Google Drive links need a Google API key: create one in the Google Cloud "
              f"console (APIs & Services → Credentials → API key), enable the Google Drive API "
              f"for its project, and set {KEY_ENV} for the gateway and the workers")
PRIVATE_HELP = ("the Google Drive {what} is not publicly shared: in Drive, Share → General "
                "access → \"Anyone with the link\" (Viewer), then submit the link again")


class DriveError(Exception):
    """code: "missing_key", "private", "bad_key" or "api"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class DriveConfig:
    api_key: str
    base_url: str = DEFAULT_API_URL
    page_size: int = 100

    @classmethod
    def of(cls, drive) -> "DriveConfig":
        """From the settings tree's `drive` group (infra/config.py)."""
        return cls(api_key=drive.api_key.strip(), base_url=drive.api_url.rstrip("/"),
                   page_size=drive.page_size)

    def require_key(self) -> None:
        if not self.api_key:
            raise DriveError("missing_key", SETUP_HELP)


@dataclass(frozen=True)
class DriveFile:
    id: str
    name: str
    mime_type: str
    size: int | None
    md5: str | None
    resource_key: str | None = None

    @classmethod
    def from_json(cls, doc: dict) -> "DriveFile":
        size = doc.get("size")
        return cls(str(doc["id"]), str(doc.get("name") or doc["id"]), str(doc.get("mimeType") or ""),
                   int(size) if size not in (None, "") else None, doc.get("md5Checksum"),
                   doc.get("resourceKey"))


class DriveClient:
    def __init__(self, config: DriveConfig, allow: AllowList, limits: FetchLimits) -> None:
        config.require_key()
        self.config, self.allow, self.limits = config, allow, limits
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "DriveClient":
        self.session = public_session(self.allow, self.limits)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.session:
            await self.session.close()

    def _headers(self, resource_key: str | None, item_id: str) -> dict:
        return {"X-Goog-Drive-Resource-Keys": f"{item_id}/{resource_key}"} if resource_key else {}

    async def _json(self, path: str, params: dict, what: str, headers: dict | None = None) -> dict:
        try:
            return await fetch_json(f"{self.config.base_url}{path}", allow=self.allow,
                                    limits=self.limits, session=self.session, headers=headers,
                                    params={**params, "key": self.config.api_key})
        except HttpStatusError as exc:
            raise _drive_error(exc, what) from None

    async def get(self, file_id: str, resource_key: str | None = None) -> DriveFile:
        doc = await self._json(f"/files/{file_id}", {"fields": FIELDS, "supportsAllDrives": "true"},
                               "file or folder", self._headers(resource_key, file_id))
        return DriveFile.from_json(doc)

    async def children(self, folder: DriveFile):
        """The folder's direct children, page by page (files.list)."""
        token = None
        while True:
            params = {"q": f"'{folder.id}' in parents and trashed = false",
                      "fields": f"nextPageToken,files({FIELDS})",
                      "pageSize": str(self.config.page_size), "supportsAllDrives": "true",
                      "includeItemsFromAllDrives": "true"}
            if token:
                params["pageToken"] = token
            page = await self._json("/files", params, "folder",
                                    self._headers(folder.resource_key, folder.id))
            for doc in page.get("files") or []:
                yield DriveFile.from_json(doc)
            token = page.get("nextPageToken")
            if not token:
                return

    async def download(self, item: DriveFile, path: str, max_bytes: int) -> FetchResult:
        limits = FetchLimits(**{**self.limits.__dict__, "max_bytes": max_bytes})
        try:
            return await fetch(f"{self.config.base_url}/files/{item.id}", path, allow=self.allow,
                               limits=limits, session=self.session,
                               params={"alt": "media", "key": self.config.api_key,
                                       "supportsAllDrives": "true"},
                               headers=self._headers(item.resource_key, item.id))
        except HttpStatusError as exc:
            raise _drive_error(exc, "file") from None


def _drive_error(exc: HttpStatusError, what: str) -> DriveError:
    text = exc.message.lower()
    if exc.status == 400 and "key" in text:
        return DriveError("bad_key", f"Google rejected the API key ({KEY_ENV}): {exc.message}")
    if exc.status in (403, 404) and not ("ratelimit" in text or "quota" in text):
        return DriveError("private", PRIVATE_HELP.format(what=what))
    return DriveError("api", f"Google Drive answered: {exc.message}")


FOLDER_MIME = "application/vnd.google-apps.folder"


async def walk(client: DriveClient, folder: DriveFile, max_items: int = 2000,
               max_depth: int = 20) -> tuple[list[tuple[str, DriveFile]], list[dict]]:
    """Every non-folder item under `folder` (breadth first) as (path, item), and skipped
    entries for folders beyond `max_depth`. Raises DriveError past `max_items` items."""
    found: list[tuple[str, DriveFile]] = []
    skipped: list[dict] = []
    queue, seen = [(folder, "", 0)], {folder.id}
    while queue:
        current, prefix, depth = queue.pop(0)
        async for child in client.children(current):
            path = f"{prefix}{child.name}"
            if child.mime_type == FOLDER_MIME:
                if child.id in seen:
                    continue
                seen.add(child.id)
                if depth + 1 > max_depth:
                    skipped.append({"path": path + "/", "reason": f"folder deeper than "
                                    f"{max_depth} levels; not walked"})
                else:
                    queue.append((child, path + "/", depth + 1))
                continue
            found.append((path, child))
            if len(found) > max_items:
                raise DriveError("too_many", f"the folder holds more than {max_items} files; "
                                 "link sub-folders separately")
    return found, skipped
