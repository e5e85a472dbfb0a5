"""The outbox relay (infra/outbox.py): what the gateway stored and acknowledged but no worker has
handled yet is published again (same message id: handlers are idempotent, at-least-once), with
growing pauses; after `TRIES` tries its entity is FAILED with status_cause UNDELIVERED.

Runs on the leader worker every `RELAY_EVERY` seconds; a try is claimed in MongoDB first, so two
relays (a leader change) never both count it."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from agents import reports
from agents.deps import Deps
from agents.housekeeping import survive_outages
from agents.sales_status import fail
from infra import outbox
from infra.repos import files as file_repo
from infra.repos import reports as report_repo
from models.files import IN_FLIGHT
from models.reports import report_created
from topics.envelope import now_iso
from topics.registry import topic

log = logging.getLogger("tributary.outbox")
RELAY_EVERY = 2.0  # each turn reads the records that carry entries, by an index (infra/outbox.py)
SEND_TIMEOUT = 10.0


async def delivered(deps: Deps, item: dict[str, Any]) -> bool:
    """Has a worker taken the command? (`handled` once its handler returned; a long handler,
    a report or an import task, shows it by the record it writes first.)"""
    if await outbox.handled(deps.db, item["id"]):
        return True
    message = item["message"]
    payload = message["payload"]
    if message["type"] == "StartGtinImport":
        doc = await deps.db.gtin_import_tasks.find_one({"_id": payload["task_id"]}, {"status": 1})
        return doc is not None and doc.get("status") != "started"
    if message["type"] == "CreateReport":  # stored PENDING by the gateway: taken once it ran
        doc = await deps.db.reports.find_one({"_id": int(payload["report_id"])},
                                             {"status": 1, "lease": 1})
        return doc is not None and (doc.get("status") != "PENDING" or doc.get("lease") is not None)
    if message["type"] == "ProcessCatalogImport":  # moved on since it was asked for
        doc = await deps.db.catalog_imports.find_one({"_id": int(payload["import_id"])})
        return doc is not None and (doc.get("updated_at") or "") > message["ts"]
    if message["type"] == "FetchAutoUploadFile":  # the fetch moved its file on (UPLOADING)
        doc = await deps.db.files.find_one({"_id": int(payload["file_id"])}, {"status": 1})
        return doc is not None and doc.get("status") != "INITIALIZED"
    if message["type"] == "ResolveAutoUpload":
        doc = await deps.db.auto_uploads.find_one({"_id": payload["job_id"]}, {"status": 1})
        return doc is not None and doc.get("status") != "RESOLVING"
    return False


async def void(deps: Deps, item: dict[str, Any]) -> bool:
    """An event stored before its write (a GTIN delete) whose write never happened."""
    message = item["message"]
    if message["type"] != "GtinDeleted":
        return False
    return await deps.db.gtins.find_one({"_id": message["payload"]["gtin"]}, {"_id": 1}) is not None


async def undelivered(deps: Deps, item: dict[str, Any]) -> None:
    """The last try went unhandled: the entity says so (FAILED, UNDELIVERED, the reason)."""
    message = item["message"]
    kind, payload = message["type"], message["payload"]
    reason = f"{kind} was not handled after {outbox.tries(item)} deliveries"
    log.error("undelivered: %s %s", kind, item["id"])
    if "file_id" in payload or kind == "CreateSalesFile":
        record = await file_repo.get(deps.db, int(payload.get("file_id") or payload["id"]))
        if record is not None and record["status"] not in IN_FLIGHT:
            await fail(deps, record, "UNDELIVERED", reason)
    elif kind == "CreateReport":
        _, record = report_created(payload, message["ts"])
        await report_repo.insert(deps.db, record)  # a no-op: the gateway stored it
        record = await report_repo.get(deps.db, record["id"]) or record
        if record.get("status") == "PENDING":
            await reports.set_status(deps, record, "FAILED", cause="UNDELIVERED", error=reason)
    elif kind == "StartGtinImport":
        await _fail_task(deps, payload["task_id"], reason)
    elif kind in ("CreateCatalogImport", "ProcessCatalogImport"):
        await _fail_catalog_import(deps, payload, message["ts"], reason)
    elif kind == "ExpandAutoUploadArchive":
        await _fail_archive(deps, payload, reason)
    elif kind == "ResolveAutoUpload":
        await deps.db.auto_uploads.update_one(
            {"_id": payload["job_id"], "status": "RESOLVING"},
            {"$set": {"status": "REJECTED", "code": "undelivered", "message": reason,
                      "updated_at": now_iso()}})


async def _fail_catalog_import(deps: Deps, payload: dict, ts: str, reason: str) -> None:
    from agents import catalog
    from infra.repos import catalog as catalog_repo

    import_id = int(payload["import_id"])
    record = await catalog_repo.get_import(deps.db, import_id)
    if record is None and "organisation" in payload:
        record = {"id": import_id, "organisation": payload["organisation"],
                  "filename": payload.get("filename"), "filetype": payload.get("filetype"),
                  "filesize": payload.get("filesize"), "object_key": payload.get("object_key"),
                  "created_at": ts}
        await catalog_repo.insert_import(deps.db, record)
    if record is not None and record.get("status") not in ("DONE", "FAILED"):
        await catalog.set_status(deps, record, "FAILED", cause="UNDELIVERED", error=reason)


async def _fail_archive(deps: Deps, payload: dict, reason: str) -> None:
    """A zip of an automatic upload that was never expanded: FAILED with the reason (unless a
    late expansion already wrote its outcome)."""
    from agents.auto_upload_jobs import ARCHIVES, EVENTS

    doc_id = f"{payload['job_id']}:{payload['drive_file_id']}"
    path = payload.get("path") or payload["name"]
    await deps.db[ARCHIVES].update_one({"_id": doc_id}, {"$setOnInsert": {
        "job_id": payload["job_id"], "drive_file_id": payload["drive_file_id"], "path": path,
        "name": payload["name"], "status": "FAILED", "status_cause": "UNDELIVERED",
        "error_message": f"{path}: {reason}", "files": [], "skipped": []}}, upsert=True)
    doc = await deps.db[ARCHIVES].find_one({"_id": doc_id}, {"_id": 0})
    await deps.emit(EVENTS, payload["job_id"], "AutoUploadArchiveExpanded", doc)


async def _fail_task(deps: Deps, task_id: str, reason: str) -> None:
    from agents.gtin_import import EVENTS
    from models.gtin_tasks import PUBLIC

    ts = now_iso()
    await deps.db.gtin_import_tasks.update_one(
        {"_id": task_id, "status": "started"},
        {"$set": {"status": "failed", "status_cause": "UNDELIVERED", "message": reason,
                  "ts": ts, "finished_at": ts, "updated_at": ts}})
    doc = await deps.db.gtin_import_tasks.find_one({"_id": task_id})
    if doc is not None:
        await deps.emit(EVENTS, task_id, "GtinImportTaskChanged",
                        {"task_id": task_id, "task": {k: doc.get(k) for k in PUBLIC}})


async def relay_one(deps: Deps, place: outbox.Place, item: dict[str, Any]) -> str:
    """One due entry: 'done', 'undelivered', 'sent', 'skipped' (another relay) or 'failed'."""
    command = topic(item["topic"]).kind == "commands"
    if await delivered(deps, item) if command else await void(deps, item):
        await place.done(deps.db)
        return "done"
    if int(item.get("tries") or 0) >= outbox.tries(item):
        if command:
            await undelivered(deps, item)
            await place.done(deps.db)
        else:  # an event nobody waits on: kept, marked, for an operator to see
            await place.dead(deps.db)
        return "undelivered"
    if not await place.claim(deps.db, item):
        return "skipped"
    try:
        await asyncio.wait_for(deps.send(item["topic"], item["key"], outbox.message_of(item)),
                               SEND_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - the next try is due later
        log.warning("relay of %s %s failed: %s", item["message"]["type"], item["id"], exc)
        return "failed"
    if not command:
        await place.done(deps.db)
    log.info("relayed %s %s (try %s)", item["message"]["type"], item["id"],
             int(item.get("tries") or 0) + 1)
    return "sent"


async def relay(deps: Deps, scan: bool = False) -> dict[str, int]:
    """One turn (`scan`: every record with `_outbox`, not only the indexed carriers)."""
    counts: dict[str, int] = {}
    async for place, item in outbox.due(deps.db, scan):
        try:
            outcome = await relay_one(deps, place, item)
        except Exception:  # noqa: BLE001 - one entry must not stop the others
            log.exception("relay of outbox entry %s failed", item.get("id"))
            outcome = "failed"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def register(app: faust.App, deps: Deps) -> None:
    first = True  # until a turn is done: the index exists and the records were scanned once

    @app.timer(RELAY_EVERY, on_leader=True)
    @survive_outages
    async def outbox_relay():
        nonlocal first
        if first:
            await outbox.ensure_index(deps.db)
        await relay(deps, scan=first)
        first = False
