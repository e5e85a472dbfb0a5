"""Automatic upload: `POST /api/files/upload_automatically/` with `url` (a Google Drive share
link to a file or folder, or a plain http(s) URL), and `GET …/{job_id}/` to follow the job.

The gateway only checks the link's shape and the Drive configuration, then publishes
`ResolveAutoUpload` and waits (briefly) for the agent's answer, so the usual 202 already lists
the records created and the files skipped. Listing Drive and downloading happen in the worker.
If the agent takes longer than the wait, the answer is 202 with status RESOLVING and the job
to follow; zips found in folders are expanded afterwards (`archives`, then the job view).
"""
from __future__ import annotations

import asyncio
import secrets

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint
from gateway.errors import ApiError, not_found
from gateway.keys import BUS, DB, SETTINGS
from gateway.schemas.auto_upload import AutoUploadJob, AutoUploadRequest
from infra import outbox
from infra.drive import DriveConfig, DriveError
from models.drive_links import DIRECT_ZIP, LinkError, parse_link
from models.files import TERMINAL
from topics.envelope import Message, now_iso

COMMANDS, EVENTS = "auto_upload.commands", "auto_upload.events"
JOBS, ARCHIVES = "auto_uploads", "auto_upload_archives"
PATH = "/api/files/upload_automatically/"


@endpoint(auth=organisation, body=AutoUploadRequest, responses={202: AutoUploadJob},
          errors=(400, 401))
async def submit(request: web.Request, body: AutoUploadRequest):
    """Register and import every supported file behind a shared link (file or folder)."""
    org = await organisation(request)
    try:
        link = parse_link(body.url)
        if link.is_drive:
            DriveConfig.of(request.app[SETTINGS].drive).require_key()
    except LinkError as exc:
        raise ApiError(400, "direct_zip" if str(exc) == DIRECT_ZIP else "bad_link", str(exc),
                       errors=[{"field": "url", "problem": str(exc)}]) from None
    except DriveError as exc:
        raise ApiError(400, "drive_not_configured", exc.message) from None
    db = request.app[DB]
    job_id = "au-" + secrets.token_hex(8)
    message = Message("ResolveAutoUpload", {"job_id": job_id, "organisation": org,
                                            "url": link.url})
    # the job and its command in one write (infra/outbox.py): the relay delivers it if we cannot
    await db[JOBS].insert_one({"_id": job_id, "organisation": org, "url": link.url,
                               "status": "RESOLVING", "created_at": now_iso(),
                               **outbox.embed({}, outbox.entry(COMMANDS, job_id, message))})
    reply = await request.app[BUS].request(
        COMMANDS, job_id, message, EVENTS, durable=True, timeout=request.app[SETTINGS].gateway.auto_upload_wait,
        until=lambda m: m.type in ("AutoUploadResolved", "AutoUploadRejected"))
    follow = f"{PATH}{job_id}/"
    if reply is None:
        return {"job_id": job_id, "status": "RESOLVING", "files": [], "skipped": [],
                "archives": [], "job_url": follow,
                "message": "the link is still being listed; follow job_url"}
    if reply.type == "AutoUploadRejected":
        raise ApiError(400, reply.payload["code"], reply.payload["message"], job_id=job_id,
                       errors=[{"field": "url", "problem": reply.payload["message"]}])
    files = reply.payload.get("files") or []
    await _stored(db, [f["id"] for f in files])
    return {"job_id": job_id, "status": reply.payload["status"],
            "files": await _current(db, files), "skipped": reply.payload.get("skipped") or [],
            "archives": reply.payload.get("archives") or [], "job_url": follow}


async def _stored(db, ids: list[int], tries: int = 100) -> None:
    """Read-your-writes: wait (briefly) until the registration agent has stored the records."""
    for _ in range(tries):
        if not ids or await db.files.count_documents({"_id": {"$in": ids}}) >= len(set(ids)):
            return
        await asyncio.sleep(0.05)


async def _current(db, files: list[dict]) -> list[dict]:
    """The entries with each record's current status (and cause, when it failed)."""
    ids = [f["id"] for f in files]
    records = {d["_id"]: d async for d in db.files.find({"_id": {"$in": ids}})} if ids else {}
    out = []
    for entry in files:
        record = records.get(entry["id"])
        if record:
            entry = {**entry, "status": record["status"]}
            if record.get("status_cause"):
                entry.update(status_cause=record["status_cause"],
                             error_message=record.get("error_message"))
        out.append(entry)
    return out


@endpoint(auth=organisation, responses={200: AutoUploadJob}, errors=(401, 404))
async def read(request: web.Request):
    """An automatic upload's files (with their current status), skips and archives."""
    org = await organisation(request)
    db = request.app[DB]
    job = await db[JOBS].find_one({"_id": request.match_info["job_id"]})
    if not job or job.get("organisation") != org:
        raise not_found(f"no automatic upload {request.match_info['job_id']}")
    files, skipped = list(job.get("files") or []), list(job.get("skipped") or [])
    archives = []
    for archive in job.get("archives") or []:
        doc = await db[ARCHIVES].find_one({"_id": f"{job['_id']}:{archive['drive_file_id']}"})
        if doc:
            files += doc.get("files") or []
            skipped += doc.get("skipped") or []
            archive = {**archive, "status": doc["status"]}
            if doc.get("error_message"):
                archive.update(status_cause=doc.get("status_cause"),
                               error_message=doc["error_message"])
        archives.append(archive)
    files = await _current(db, files)
    view = {"job_id": job["_id"], "url": job.get("url"), "status": job["status"], "files": files,
            "skipped": skipped, "archives": archives}
    if job["status"] == "REJECTED":
        view.update(code=job.get("code"), message=job.get("message"))
    view["done"] = job["status"] == "REJECTED" or (
        job["status"] == "RESOLVED" and all(f["status"] in TERMINAL for f in files)
        and all(a["status"] != "PENDING" for a in archives))
    return view


def setup(app: web.Application) -> None:
    app.router.add_post(PATH, submit)
    app.router.add_get(PATH + "{job_id}/", read)
