"""Catalog routes: start an import (record + presigned PUT URL), process it once uploaded, read
its status, and search the organisation's current catalog version.

Search reads the current version's Parquet object (cached locally per immutable version) batch
by batch with pyarrow, so memory stays bounded whatever the catalog's size."""
from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta, timezone

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint
from gateway.errors import conflict, not_found, storable
from gateway.keys import BUS, DB, OBJECTS, SETTINGS, TABLES
from gateway.routes.reports import _id
from gateway.schemas.common import PageQuery
from gateway.schemas.reports import (
    CatalogImport,
    CatalogImportPage,
    CatalogImportRequest,
    CatalogQuery,
    CatalogSearch,
    CatalogStatus,
    CatalogUpload,
)
from gateway.upload_guard import catalog_writable
from gateway.upload_links import fresh_link
from infra import outbox
from infra.mongo import next_id
from infra.repos import catalog as repo
from models.catalog import import_created, search
from topics.envelope import Message

routes = web.RouteTableDef()

COMMANDS, EVENTS = "catalog.commands", "catalog.events"
UPLOAD_TTL = 3600


@routes.post("/api/catalog/imports/")
@endpoint(auth=organisation, body=CatalogImportRequest, responses={201: CatalogUpload},
          errors=(400, 401))
async def create(request: web.Request, body: CatalogImportRequest):
    """Start a catalog import: its record and a presigned PUT URL for the file."""
    org = await organisation(request)
    filename, size = body.filename, body.filesize
    ext = os.path.splitext(filename.lower())[1]
    import_id = await next_id(request.app[DB], "catalog_imports")
    key = f"catalog-uploads/{org}/{import_id}/original{ext}"
    payload = {"import_id": import_id, "organisation": org, "filename": filename,
               "filetype": ext[1:].upper(), "filesize": size, "object_key": key}
    message = Message("CreateCatalogImport", payload)
    _, stored = import_created(payload, message.ts)
    # the record (its first status) and its command in one write: readable at once, and the
    # relay delivers the command if the publish below fails (infra/outbox.py)
    db = request.app[DB]
    await storable(repo.insert_import(db, outbox.embed(stored, outbox.entry(COMMANDS, import_id,
                                                                            message))))
    await request.app[BUS].request(COMMANDS, import_id, message, EVENTS, timeout=10,
                                     durable=True,
                                     until=lambda m: m.payload.get("status") == "UPLOADING")
    return 201, await _link(request, stored)


async def _link(request: web.Request, view: dict) -> dict:
    """One PUT (gateway/upload_guard.py) of at most the declared size, as for sales files;
    without a declared size, at most TRIBUTARY_CATALOG_MAX_MB."""
    size = view.get("filesize") or \
        int(request.app[SETTINGS].gateway.catalog_max_mb * 1024 * 1024)
    url = await fresh_link(request.app, view["object_key"], size, UPLOAD_TTL)
    expires = datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_TTL)
    return {"id": view["id"], "status": view["status"], "filename": view.get("filename"),
            "presigned_url": url, "expires_at": expires.isoformat(timespec="seconds")}


@routes.post("/api/catalog/imports/{import_id}/upload/")
@endpoint(auth=organisation, responses={200: CatalogUpload}, errors=(401, 404, 409))
async def upload(request: web.Request):
    """A fresh single-use upload URL: while UPLOADING (the earlier one was used or lost), or to
    upload again after the import FAILED as NOT_UPLOADED (then `process` again)."""
    org = await organisation(request)
    view = await repo.get_import(request.app[DB], _id(request, "import_id"))
    if view is None or view.get("organisation") != org:
        raise not_found(f"no catalog import {request.match_info['import_id']}")
    if not catalog_writable(view):
        raise conflict(f"cannot upload to a catalog import in status {view['status']}",
                       current_status=view["status"])
    return 200, await _link(request, view)


async def _durable(request: web.Request, import_id: int, message: Message, until):
    """Store the command (an outbox entry of its own: the record exists), then publish it and
    wait for `until`."""
    await outbox.add(request.app[DB], outbox.entry(COMMANDS, import_id, message,
                                                     collection="catalog_imports",
                                                     doc_id=import_id))
    return await request.app[BUS].request(COMMANDS, import_id, message, EVENTS, until=until,
                                            timeout=10, durable=True)


async def _owned(request: web.Request, org: str) -> dict:
    import_id = _id(request, "import_id")
    db = request.app[DB]
    view, _ = await request.app[TABLES].owned(f"/catalog/imports/{import_id}/",
                                                lambda: repo.get_import(db, import_id), org,
                                                f"catalog import {import_id}")
    return view


@routes.post("/api/catalog/imports/{import_id}/process/")
@endpoint(auth=organisation, responses={202: CatalogStatus}, errors=(401, 404, 409))
async def process(request: web.Request):
    """Import the uploaded catalog file (after the PUT); it becomes the current version."""
    org = await organisation(request)
    view = await _owned(request, org)
    status = view["status"]
    retry = status == "FAILED" and view.get("status_cause") == "NOT_UPLOADED"
    if status != "UPLOADING" and not retry:
        raise conflict(f"cannot process a catalog import in status {status}", current_status=status)
    info = await request.app[OBJECTS].head(view["object_key"])
    if info is None:
        raise conflict("the file has not been uploaded yet; PUT it to the presigned URL first",
                       current_status=status)
    if view.get("filesize") and info.size != view["filesize"]:
        raise conflict(f"uploaded object has {info.size} bytes but filesize is "
                       f"{view['filesize']}", current_status=status)
    reply = await _durable(request, view["id"], Message("ProcessCatalogImport",
                                                        {"import_id": view["id"]}),
                           lambda m: m.payload.get("status") in ("UPLOADED", "FAILED"))
    return 202, {"id": view["id"], "status": reply.payload["status"] if reply else status}


@routes.get("/api/catalog/imports/{import_id}")
@routes.get("/api/catalog/imports/{import_id}/")
@endpoint(auth=organisation, responses={200: CatalogImport}, errors=(401, 404))
async def read(request: web.Request):
    """A catalog import's status and progress."""
    org = await organisation(request)
    return await _owned(request, org)


@routes.get("/api/catalog/imports/")
@endpoint(auth=organisation, query=PageQuery, responses={200: CatalogImportPage},
          errors=(400, 401))
async def imports(request: web.Request, query: PageQuery):
    """The organisation's catalog imports."""
    org = await organisation(request)
    total, docs = await repo.list_imports(request.app[DB], org, query.skip, query.page_size)
    return query.answer(total, docs)


async def _cached(request: web.Request, current: dict) -> str:
    folder = request.app[SETTINGS].data_dir / "cache" / "catalog"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{current['organisation']}-v{current['version']}.parquet"
    if not path.exists():  # versions are immutable: a cached copy never goes stale
        await request.app[OBJECTS].download(current["object_key"], str(path))
    return str(path)


def _search(path: str, filters: dict, offset: int, limit: int) -> tuple[int, list[dict]]:
    import pyarrow.parquet as pq

    batches = pq.ParquetFile(path).iter_batches(batch_size=65_536)
    return search(batches, **filters, offset=offset, limit=limit)


@routes.get("/api/catalog/")
@endpoint(auth=organisation, query=CatalogQuery, responses={200: CatalogSearch},
          errors=(400, 401))
async def catalog(request: web.Request, query: CatalogQuery):
    """Search the organisation's current catalog version (filters combine)."""
    org = await organisation(request)
    filters = {name: getattr(query, name) for name in ("isrc", "upc", "title", "artist")
               if getattr(query, name)}
    current = await repo.current(request.app[DB], org)
    if not current:
        return {"version": None, "import_id": None, "switched_at": None, "catalog_rows": 0,
                **query.answer(0, [])}
    total, rows = await asyncio.to_thread(_search, await _cached(request, current), filters,
                                          query.skip, query.page_size)
    return {"version": current["version"], "import_id": current["import_id"],
            "switched_at": current["switched_at"], "catalog_rows": current["rows"],
            **query.answer(total, rows)}


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
