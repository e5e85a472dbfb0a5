"""A local Google-Drive-compatible server for tests (Drive v3 shapes, on 127.0.0.1:0).

Answers `GET /drive/v3/files/{id}` (metadata, or content with `alt=media`) and
`GET /drive/v3/files?q='<id>' in parents&pageSize=&pageToken=` with Drive's JSON shapes and
errors: 403 without a key, 400 for a wrong key, 404 "File not found" for private or unknown
items. Also serves plain files under `/plain/<name>` and redirects under `/redirect?to=`.
It runs in its own thread and loop, so module-scoped fixtures and any test loop can use it.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets

from aiohttp import web

from bench.threaded_server import ThreadedServer

FOLDER = "application/vnd.google-apps.folder"
MIMES = {"csv": "text/csv", "tsv": "text/tab-separated-values", "txt": "text/plain",
         "zip": "application/zip", "pdf": "application/pdf", "xls": "application/vnd.ms-excel",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _error(status: int, reason: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "errors": [
        {"domain": "global", "reason": reason, "message": message}]}}, status=status)


class FakeDrive:
    def __init__(self, api_key: str = "test-key") -> None:
        self.api_key = api_key
        self.items: dict[str, dict] = {}
        self.plain: dict[str, tuple[bytes, str]] = {}
        self.flaky: dict[str, int] = {}  # item id → 503 answers still to give for alt=media
        self.requests: list[tuple[str, dict]] = []
        self.port = 0
        self._server: ThreadedServer | None = None

    # --- content -------------------------------------------------------------------------
    def _new_id(self) -> str:
        return "1" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")

    def folder(self, name: str, parent: str | None = None, public: bool = True) -> str:
        item_id = self._new_id()
        self.items[item_id] = {"id": item_id, "name": name, "mimeType": FOLDER,
                               "parents": [parent] if parent else [], "public": public}
        return item_id

    def file(self, name: str, data: bytes, parent: str | None = None, mime: str | None = None,
             public: bool = True) -> str:
        item_id = self._new_id()
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        self.items[item_id] = {"id": item_id, "name": name,
                               "mimeType": mime or MIMES.get(ext, "application/octet-stream"),
                               "parents": [parent] if parent else [], "public": public,
                               "data": data}
        return item_id

    def serve(self, name: str, data: bytes, content_type: str = "text/csv") -> str:
        self.plain[name] = (data, content_type)
        return f"{self.origin}/plain/{name}"

    # --- urls ------------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.origin}/drive/v3"

    @staticmethod
    def file_link(item_id: str) -> str:
        return f"https://drive.google.com/file/d/{item_id}/view?usp=sharing"

    @staticmethod
    def folder_link(item_id: str) -> str:
        return f"https://drive.google.com/drive/folders/{item_id}?usp=sharing"

    # --- Drive v3 ----------------------------------------------------------------------------
    def _check_key(self, request: web.Request) -> web.Response | None:
        key = request.query.get("key")
        if not key:
            return _error(403, "forbidden", "The request is missing a valid API key.")
        if key != self.api_key:
            return _error(400, "badRequest", "API key not valid. Please pass a valid API key.")
        return None

    @staticmethod
    def _meta(item: dict) -> dict:
        doc = {"kind": "drive#file", "id": item["id"], "name": item["name"],
               "mimeType": item["mimeType"]}
        if "data" in item:
            doc["size"] = str(len(item["data"]))
            doc["md5Checksum"] = hashlib.md5(item["data"]).hexdigest()
        return doc

    async def _get(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.query)))
        if bad := self._check_key(request):
            return bad
        item = self.items.get(request.match_info["file_id"])
        if item is None or not item["public"]:
            return _error(404, "notFound", f"File not found: {request.match_info['file_id']}.")
        if request.query.get("alt") != "media":
            return web.json_response(self._meta(item))
        if "data" not in item:
            return _error(403, "fileNotDownloadable", "Only files with binary content can be "
                          "downloaded. Use Export with Docs Editors files.")
        if self.flaky.get(item["id"], 0) > 0:
            self.flaky[item["id"]] -= 1
            return _error(503, "backendError", "Backend Error")
        return web.Response(body=item["data"], content_type=item["mimeType"])

    async def _list(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, dict(request.query)))
        if bad := self._check_key(request):
            return bad
        match = re.search(r"'([^']+)' in parents", request.query.get("q", ""))
        if not match:
            return _error(400, "invalid", "Invalid Value")
        parent = self.items.get(match.group(1))
        children = [] if parent is None or not parent["public"] else sorted(
            (i for i in self.items.values() if match.group(1) in i["parents"]),
            key=lambda i: i["name"])
        size = min(int(request.query.get("pageSize", 100)), 1000)
        token = request.query.get("pageToken")
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        page = children[start:start + size]
        doc = {"kind": "drive#fileList", "incompleteSearch": False,
               "files": [self._meta(i) for i in page]}
        if start + size < len(children):
            doc["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return web.json_response(doc)

    async def _plain(self, request: web.Request) -> web.Response:
        found = self.plain.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404, text="no such file")
        return web.Response(body=found[0], headers={"Content-Type": found[1]})

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "FakeDrive":
        app = web.Application()
        app.router.add_get("/drive/v3/files/{file_id}", self._get)
        app.router.add_get("/drive/v3/files", self._list)
        app.router.add_get("/plain/{name}", self._plain)
        app.router.add_get("/redirect", self._redirect)
        self._server = ThreadedServer(app, "fake-drive")
        self.port = self._server.port
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


def drive_stack_env(drive: FakeDrive, **extra: str) -> dict[str, str]:
    """A stack's environment for automatic uploads: this Drive's key and address, and the
    loopback allow-list (the Drive and http-link servers are local), plus `extra`."""
    return {"TRIBUTARY_GOOGLE_API_KEY": drive.api_key, "TRIBUTARY_DRIVE_API_URL": drive.api_url,
            "TRIBUTARY_FETCH_ALLOW": "127.0.0.1", "TRIBUTARY_FETCH_BACKOFF": "0.05", **extra}


def drive_fixtures(scope: str, stack: str, **extra_env: str):
    """Two pytest fixtures: `drive` (a FakeDrive) and a stack named `stack` (its own, started
    with `drive_stack_env(drive, **extra_env)`), each stopped after `scope`."""
    import pytest

    from tests.support.stack import RunningStack

    @pytest.fixture(scope=scope, name="drive")
    def drive_fixture():
        server = FakeDrive(api_key="test-key").start()
        yield server
        server.stop()

    @pytest.fixture(scope=scope, name=stack)
    def stack_fixture(tmp_path_factory, drive):
        running = RunningStack(tmp_path_factory.mktemp(stack),
                               env=drive_stack_env(drive, **extra_env)).start()
        yield running
        running.discard()

    return drive_fixture, stack_fixture
