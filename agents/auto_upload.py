"""Automatic upload agent: resolve a Drive/http link into sales-file records, fetch each file
into object storage, expand zips found in folders, and hand every file to the normal pipeline.

Records are created with `CreateSalesFile` (upload_mode AUTOMATICALLY, the registration agent
stores them); each fetched file goes on with `StartSalesFileUpload` then `ProcessSalesFile`, so
statuses flow exactly as for a manual upload. Network work (Drive API, downloads) lives here,
never in the gateway. The link-level logic is in `agents/auto_upload_jobs.py`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile

import faust

from agents import lifecycle
from agents.auto_upload_jobs import (
    ARCHIVES,
    EVENTS,
    FETCH,
    JOBS,
    Rejected,
    Settings,
    create_file,
    durable,
    emit_outcome,
    file_command,
    process_after_store,
    publish_stored,
    resolve_link,
    send_durably,
)
from agents.deps import Deps, command_agent
from agents.sales_status import fail
from infra import outbox
from infra.drive import DriveClient, DriveError, DriveFile
from infra.fetch_public import FetchError
from infra.repos import files as file_repo
from infra.repos import lifecycle as lifecycle_repo
from infra.repos.leases import LeaseLost
from models.archives import ArchiveError, expand
from models.auto_upload_jobs import KIND as JOB_KIND
from models.files import KIND as FILE_KIND
from models.files import object_key
from topics.envelope import Message, now_iso
from topics.registry import topic

log = logging.getLogger("tributary.auto_upload")


async def _record_job(deps: Deps, job: dict, items: list[dict] = ()) -> dict | None:
    """Store the job's outcome with the outbox entries `items` (its fetches) in one write, by
    the kit's CAS writer, only while the stored job is still RESOLVING; the job as stored, or
    None when another outcome won (a concurrent redelivery)."""
    stored = await deps.db[JOBS].find_one({"_id": job["_id"]}, {"status": 1})
    fence = {"status": "RESOLVING"} if stored is not None else None
    payload = {"job_id": job["_id"], "job": {k: v for k, v in job.items() if k != "_id"}}
    try:
        written = await lifecycle.write(deps, JOB_KIND, job["_id"], JOB_KIND.status_event,
                                        payload, emit=False, fence=fence,
                                        also=outbox.pending(*items) if items else None)
    except LeaseLost:
        return None
    return {**(written.record or {}), "_id": job["_id"]} if written.changed else None


async def _answer_stored(deps: Deps, job_id: str) -> None:
    """Lost to another outcome: answer with the stored one."""
    await emit_outcome(deps, await deps.db[JOBS].find_one({"_id": job_id}))


async def resolve(deps: Deps, msg: Message) -> None:
    p = msg.payload
    job = await deps.db[JOBS].find_one({"_id": p["job_id"]}) or {}
    if job.get("status") in ("RESOLVED", "REJECTED"):
        await emit_outcome(deps, job)  # a redelivered command answers again, does nothing twice
        return
    try:
        if not await deps.db.organisations.find_one({"_id": p["organisation"]}):
            raise Rejected("unknown_organisation", f"unknown organisation {p['organisation']!r}")
        outcome = await resolve_link(deps, p["job_id"], p["organisation"], p["url"], Settings.of(deps.settings))
    except Rejected as exc:
        job = {"_id": p["job_id"], "organisation": p["organisation"], "url": p["url"],
               "status": "REJECTED", "code": exc.code, "message": exc.message,
               "updated_at": now_iso()}
        written = await _record_job(deps, job)
        await (emit_outcome(deps, written) if written else _answer_stored(deps, job["_id"]))
        return
    job = {"_id": p["job_id"], "organisation": p["organisation"], "url": p["url"],
           "status": "RESOLVED", "files": outcome.files, "skipped": outcome.skipped,
           "archives": outcome.archives, "updated_at": now_iso()}
    # the job's answer and its fetches/expansions in one compare-and-set write (the outbox): a
    # fetch the broker refuses or loses is published again by the relay
    items = durable([(FETCH, command.get("file_id") or command["drive_file_id"],
                      Message(command.pop("_type"), command)) for command in outcome.fetches])
    if await _record_job(deps, job, items) is None:
        return await _answer_stored(deps, job["_id"])
    await publish_stored(deps, JOBS, job["_id"], items)
    await emit_outcome(deps, job)


async def _record(deps: Deps, file_id: int, wait: float = 15.0) -> dict | None:
    """The stored record (the registration agent may still be storing it)."""
    for _ in range(int(wait / 0.1)):
        record = await file_repo.get(deps.db, file_id)
        if record is not None:
            return record
        await asyncio.sleep(0.1)
    return None


async def fetch_file(deps: Deps, msg: Message) -> None:
    p, settings = msg.payload, Settings.of(deps.settings)
    record = await _record(deps, int(p["file_id"]))
    if record is None or record["status"] not in ("INITIALIZED", "UPLOADING"):
        log.info("fetch skipped for %s (%s)", p["file_id"], record and record["status"])
        return
    await send_durably(deps, "files", record["id"],
                       [file_command("StartSalesFileUpload", record["id"])])
    item = DriveFile(p["drive_file_id"], record["filename"], "", p.get("size"), p.get("md5"),
                     p.get("resource_key"))
    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        path = os.path.join(tmp, "download")
        try:
            async with DriveClient(settings.drive, settings.allow, settings.limits) as client:
                got = await client.download(item, path, min(settings.limits.max_bytes,
                                                             record["filesize"]))
            if item.md5 and got.md5 != item.md5:
                raise FetchError(f"downloaded content does not match Drive's checksum {item.md5}")
            if got.size != record["filesize"]:
                raise FetchError(f"downloaded {got.size} bytes, Drive announced "
                                 f"{record['filesize']}")
            await (await deps.store()).put_file(object_key(record), path)
        except (DriveError, FetchError) as exc:
            await fail(deps, record, "FETCH_FAILED", f"download from Google Drive failed: "
                       f"{exc.message}; submit the link again to retry")
            return
    await send_durably(deps, "files", record["id"], [file_command("ProcessSalesFile", record["id"])])


async def expand_archive(deps: Deps, msg: Message) -> None:
    p, settings = msg.payload, Settings.of(deps.settings)
    doc_id = f"{p['job_id']}:{p['drive_file_id']}"
    done = await deps.db[ARCHIVES].find_one({"_id": doc_id})
    if done:
        await deps.emit(EVENTS, p["job_id"], "AutoUploadArchiveExpanded", _event(done))
        return
    base = {"_id": doc_id, "job_id": p["job_id"], "drive_file_id": p["drive_file_id"],
            "path": p.get("path") or p["name"], "name": p["name"]}
    item = DriveFile(p["drive_file_id"], p["name"], "application/zip", p.get("size"),
                     p.get("md5"), p.get("resource_key"))
    files: list[dict] = []
    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        try:
            async with DriveClient(settings.drive, settings.allow, settings.limits) as client:
                await client.download(item, os.path.join(tmp, "archive.zip"),
                                      settings.limits.max_bytes)
            members = os.path.join(tmp, "members")
            os.mkdir(members)
            found = await asyncio.to_thread(expand, os.path.join(tmp, "archive.zip"), members,
                                            settings.archive_limits, settings.select_members)
        except ArchiveError as exc:
            doc = {**base, "status": "FAILED", "status_cause": exc.cause,
                   "error_message": f"{base['path']}: {exc.message}", "files": [], "skipped": []}
        except (DriveError, FetchError) as exc:
            doc = {**base, "status": "FAILED", "status_cause": "FETCH_FAILED",
                   "error_message": f"{base['path']}: download failed: {exc.message}",
                   "files": [], "skipped": []}
        except Exception as exc:  # noqa: BLE001 - never leave an archive PENDING
            log.exception("expanding %s failed", base["path"])
            doc = {**base, "status": "FAILED", "status_cause": "CORRUPTED",
                   "error_message": f"{base['path']}: could not be expanded: {exc}",
                   "files": [], "skipped": []}
        else:
            for member in found.members:
                source = {"kind": "google_drive_zip", "drive_file_id": item.id,
                          "archive": base["path"], "member": member.path, "md5": item.md5}
                key = f"zip|{item.id}|{item.md5 or item.size}|{member.path}"
                entry, new = await create_file(deps, p["job_id"], p["organisation"], key,
                                               member.filename, member.filetype, member.size,
                                               source, path=f"{base['path']}/{member.path}")
                if new:
                    await process_after_store(deps, entry, p["organisation"], member.local_path)
                files.append(entry)
            skipped = [{"path": f"{base['path']}/{s['path']}", "reason": s["reason"]}
                       for s in found.skipped]
            doc = {**base, "status": "EXPANDED", "files": files, "skipped": skipped}
    await deps.db[ARCHIVES].replace_one({"_id": doc_id}, doc, upsert=True)
    await deps.emit(EVENTS, p["job_id"], "AutoUploadArchiveExpanded", _event(doc))


def _event(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_id"}


async def reconcile(deps: Deps) -> None:
    """Automatic records left INITIALIZED/UPLOADING (a worker died mid-fetch) move on or fail.
    The kit's re-issuer rules (infra/repos/lifecycle.stale): a record is taken once its lease
    is released or expired, and a re-sent command marks `reissued_at` (once per
    TRIBUTARY_AUTO_UPLOAD_STALE_AFTER), never `updated_at`, which would hide a stale lease."""
    now = now_iso()
    cutoff = deps.stale_cutoff(deps.settings.work.auto_upload_stale_after)
    stuck = await lifecycle_repo.stale(deps.db, FILE_KIND, cutoff, now,
                                       statuses=("INITIALIZED", "UPLOADING"),
                                       where={"upload_mode": "AUTOMATICALLY"})
    store = await deps.store()
    for record in stuck:
        record.pop("_id", None)
        source = record.get("source") or {}
        info = await store.head(object_key(record))
        if info is not None and info.size == record["filesize"]:
            await lifecycle_repo.mark_reissued(deps.db, FILE_KIND, record["id"], now)
            await deps.emit("sales.files.commands", record["id"], "ProcessSalesFile",
                            {"file_id": record["id"]})
        elif source.get("kind") == "google_drive":
            await lifecycle_repo.mark_reissued(deps.db, FILE_KIND, record["id"], now)
            await deps.emit(FETCH, record["id"], "FetchAutoUploadFile", {
                "job_id": record.get("mongo_db_id"), "file_id": record["id"],
                "organisation": record["organisation"], "drive_file_id": source["drive_file_id"],
                "size": record["filesize"], "md5": source.get("md5")})
        else:
            await fail(deps, record, "FETCH_FAILED", "the automatic upload was interrupted; "
                       "submit the link again to retry")


def register(app: faust.App, deps: Deps) -> None:
    spec, fetch_spec = topic("auto_upload.commands"), topic("auto_upload.fetch.commands")
    handlers = {"ResolveAutoUpload": lambda m: resolve(deps, m)}
    fetch_handlers = {"FetchAutoUploadFile": lambda m: fetch_file(deps, m),
                      "ExpandAutoUploadArchive": lambda m: expand_archive(deps, m)}

    command_agent(app, deps, spec.name, "auto_upload", handlers)
    command_agent(app, deps, fetch_spec.name, "auto_upload_fetch", fetch_handlers)

    @app.timer(10.0, on_leader=True)
    async def auto_upload_reconcile():
        try:
            await reconcile(deps)
        except Exception:  # noqa: BLE001 - a failed sweep is retried at the next tick
            log.exception("auto-upload reconcile failed")
