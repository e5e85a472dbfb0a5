"""Catalog-import agent: register an import, then read the upload, normalise it, write catalog
version N as one Parquet object and switch the organisation's current version in one update.
Status events are folded into the `catalog_imports` table (worker page /catalog/imports/{id}/)."""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import tempfile
import time

import faust

from agents import lifecycle
from agents.deps import Deps, command_agent
from agents.tables import register_kind
from infra.repos import catalog as repo
from models.catalog import (
    CATALOG_SCHEMA,
    IMPORT_KIND,
    CatalogFileError,
    import_created,
    read_catalog,
)
from topics.envelope import Message
from topics.registry import topic

log = logging.getLogger("tributary.catalog")
EVENTS = IMPORT_KIND.events


set_status = functools.partial(lifecycle.set_status, IMPORT_KIND)


def _convert(src: str, out: str, filename: str, on_rows) -> object:
    import pyarrow.parquet as pq

    with pq.ParquetWriter(out, CATALOG_SCHEMA, compression="zstd") as writer:
        return read_catalog(src, filename, writer.write_batch, on_rows)


async def rejected(deps: Deps, msg: Message, reason: str) -> None:
    """A command for an unknown organisation or import: say so (nothing else happens)."""
    import_id = msg.payload["import_id"]
    await deps.emit(EVENTS, import_id, "CatalogImportRejected",
                    {"import_id": import_id, "command": msg.type, "reason": reason})


async def create(deps: Deps, msg: Message) -> None:
    """Store the import's first record (the gateway stored it already with its outbox entry:
    then this only announces it) and emit its first status. A redelivery after the import
    moved on changes nothing."""
    data = msg.payload
    if not await deps.db.organisations.find_one({"_id": data["organisation"]}):
        return await rejected(deps, msg, f"unknown organisation {data['organisation']!r}")
    event, record = import_created(data, msg.ts)
    if not await repo.insert_import(deps.db, record):
        stored = await repo.get_import(deps.db, record["id"])
        if stored is None or stored.get("status") != "UPLOADING":
            return
    await deps.emit(EVENTS, record["id"], "CatalogImportStatusChanged", event)


async def process(deps: Deps, msg: Message) -> None:
    record = await repo.get_import(deps.db, int(msg.payload["import_id"]))
    if record is None:
        return await rejected(deps, msg, f"no catalog import {msg.payload['import_id']}")
    retry = record and record["status"] == "FAILED" and record.get("status_cause") == "NOT_UPLOADED"
    if not record or (record["status"] not in ("UPLOADING", "UPLOADED", "PROCESSING") and not retry):
        log.info("catalog import %s: process ignored", msg.payload["import_id"])
        return
    store = await deps.store()
    info = await store.head(record["object_key"])
    if info is None or (record.get("filesize") and info.size != record["filesize"]):
        found = "no object" if info is None else f"{info.size} bytes"
        await set_status(deps, record, "FAILED", cause="NOT_UPLOADED",
                         error=f"expected the upload at {record['object_key']}, found {found}")
        return
    record = await set_status(deps, record, "UPLOADED")
    record = await set_status(deps, record, "PROCESSING", progress={"rows": 0})
    loop = asyncio.get_running_loop()
    last, pending = [0.0], []

    def on_rows(rows: int) -> None:
        if time.monotonic() - last[0] >= 1.0:
            last[0] = time.monotonic()
            pending.append(asyncio.run_coroutine_threadsafe(
                set_status(deps, record, "PROCESSING", progress={"rows": rows}), loop))

    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        src, out = os.path.join(tmp, "original"), os.path.join(tmp, "catalog.parquet")
        try:
            await store.download(record["object_key"], src)
            try:
                result = await asyncio.to_thread(_convert, src, out, record["filename"], on_rows)
            finally:  # progress events land before the final status
                await asyncio.gather(*map(asyncio.wrap_future, pending), return_exceptions=True)
        except CatalogFileError as exc:
            await set_status(deps, record, "FAILED", cause=exc.cause, error=exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - never leave an import stuck in PROCESSING
            log.exception("catalog import %s crashed", record["id"])
            await set_status(deps, record, "FAILED", cause="CORRUPTED",
                             error=f"the file could not be read: {exc}")
            return
        counts = {"rows": result.rows, "bad_rows": result.bad_rows,
                  "bad_samples": result.bad_samples, "columns": result.columns,
                  "extra_columns": result.extra_columns}
        if result.rows == 0:
            await set_status(deps, record, "FAILED", cause="NO_VALID_ROWS",
                             error="no row has a valid ISRC or UPC; the catalog is unchanged",
                             **counts)
            return
        org = record["organisation"]
        version = await repo.next_version(deps.db, org)
        key = repo.version_key(org, version)
        await store.put_file(key, out)
    previous = await repo.current(deps.db, org)
    await repo.switch(deps.db, org, version, key, result.rows, record["id"])
    if previous:  # keep the version just replaced (a running report may read it), drop older ones
        for old in await store.list(f"catalog/org={org}/version="):
            if old.key not in (key, previous["object_key"]):
                await store.delete(old.key)
    await set_status(deps, record, "DONE", version=version, catalog_key=key,
                     replaced_version=previous and previous["version"], **counts)


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("catalog.commands")
    register_kind(app, deps, IMPORT_KIND)
    handlers = {"CreateCatalogImport": lambda m: create(deps, m),
                "ProcessCatalogImport": lambda m: process(deps, m)}

    command_agent(app, deps, spec.name, "catalog", handlers)
