"""Resolving an automatic-upload link: list the files behind it, create (or find again) their
records, and decide what to fetch. Used by `agents/auto_upload.py`.

Deduplication: `auto_upload_sources` maps (organisation, Drive file id, checksum) — or (URL,
content hash) for plain links, (archive, member) for zip members — to the file id, inserted
by `_id` so two submissions racing each other still end with one record.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

from pymongo.errors import DuplicateKeyError

from agents.deps import Deps
from infra import outbox
from infra.drive import FOLDER_MIME, DriveClient, DriveConfig, DriveError, walk
from infra.fetch_public import AllowList, FetchError, FetchLimits, fetch
from infra.mongo import next_id
from infra.repos import files as file_repo
from models.archives import ArchiveLimits
from models.drive_links import (
    DIRECT_ZIP,
    LinkError,
    classify,
    filetype,
    http_filename,
    is_zip,
    parse_link,
    redact,
    safe_filename,
)
from models.files import new_record, object_key, validate_new_file
from topics.envelope import Message

JOBS, ARCHIVES, SOURCES = "auto_uploads", "auto_upload_archives", "auto_upload_sources"
EVENTS, FETCH = "auto_upload.events", "auto_upload.fetch.commands"
FILES = "sales.files.commands"
# relay tries of a fetch or expansion (≈ 1 h at the 60 s pause): they wait their turn behind the
# other files of the folder, one at a time, so "not handled yet" is no sign of a loss for long
FETCH_PATIENCE = 60
RETRY_CAUSES = ("FETCH_FAILED", "NOT_UPLOADED")  # a failed fetch does not block a new try
MB = 1024 * 1024


class Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _bundle_selector() -> Callable | None:
    """FUGA/Cargo bundles: keep only the line-level sales CSV (models/sales/bundles.py)."""
    try:
        from models.sales.bundles import select_sales_members  # type: ignore[import-not-found]
    except ImportError:
        return None
    return select_sales_members


@dataclass
class Settings:
    """What a job may fetch, from the process's settings tree (`Settings.of(deps.settings)`)."""
    drive: DriveConfig
    allow: AllowList
    limits: FetchLimits
    link_max_bytes: int
    max_items: int
    archive_limits: ArchiveLimits
    select_members: Callable | None = field(default_factory=_bundle_selector)

    @classmethod
    def of(cls, settings: Any) -> Settings:
        fetch = settings.fetch
        return cls(drive=DriveConfig.of(settings.drive), allow=AllowList.parse(fetch.allow),
                   limits=FetchLimits.of(fetch), link_max_bytes=int(fetch.max_link_mb * MB),
                   max_items=fetch.auto_upload_max_files,
                   archive_limits=ArchiveLimits(max_members=fetch.zip_max_members,
                                                max_total_bytes=int(fetch.zip_max_mb * MB),
                                                max_ratio=fetch.zip_max_ratio))


@dataclass
class Outcome:
    files: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    archives: list[dict] = field(default_factory=list)
    fetches: list[dict] = field(default_factory=list)


def _entry(record: dict[str, Any], path: str, duplicate: bool) -> dict[str, Any]:
    return {"id": record["id"], "uuid": record["uuid"], "filename": record["filename"],
            "filetype": record.get("filetype"), "status": record.get("status") or "INITIALIZED",
            "upload_mode": "AUTOMATICALLY",
            "path": path, "duplicate": duplicate}


async def create_file(deps: Deps, job_id: str, org: str, key: str, filename: str,
                      ftype: str, size: int, source: dict, path: str) -> tuple[dict, bool]:
    """(answer entry, created?) — the existing record when this source was imported before."""
    dedupe_id = f"{org}|{key}"
    claim = await deps.db[SOURCES].find_one({"_id": dedupe_id})
    if claim:
        record = await file_repo.get(deps.db, claim["file_id"]) or claim["record"]
        if not (record.get("status") == "FAILED" and record.get("status_cause") in RETRY_CAUSES):
            return _entry(record, path, True), False
    file_id = await next_id(deps.db, "files")
    record = {"id": file_id, "uuid": secrets.token_hex(4), "filename": filename,
              "organisation": org, "filetype": ftype, "status": "INITIALIZED"}
    doc = {"_id": dedupe_id, "file_id": file_id, "record": record}
    if claim:
        await deps.db[SOURCES].replace_one({"_id": dedupe_id, "file_id": claim["file_id"]}, doc)
    else:
        try:
            await deps.db[SOURCES].insert_one(doc)
        except DuplicateKeyError:  # another submission of the same file won the race
            return await create_file(deps, job_id, org, key, filename, ftype, size, source, path)
    await _store_record(deps, Message("CreateSalesFile", {
        "id": file_id, "uuid": record["uuid"], "organisation": org, "filename": filename,
        "filetype": ftype, "filesize": size, "mongo_db_id": job_id,
        "upload_mode": "AUTOMATICALLY", "source": source}))
    return _entry(record, path, False), True


async def _store_record(deps: Deps, create: Message) -> None:
    """The record and its create in one write, as the gateway stores a manual create (the job's
    answer lists the file: it must be readable, and the create must survive a lost broker
    log); a create whose values the model refuses is stored as an entry of its own, for the
    registration agent to reject with the reason."""
    data = create.payload
    item = outbox.entry(FILES, data["id"], create)
    fields, errors = validate_new_file(data)
    if errors:
        await outbox.add(deps.db, {**item, "collection": "files", "doc_id": data["id"]})
        place = outbox.Place("outbox", item["id"], item["id"])
    else:
        record = new_record(fields, file_id=data["id"], uuid=data["uuid"],
                            organisation=data["organisation"], ts=create.ts)
        await file_repo.insert(deps.db, outbox.embed({**record, "source": data["source"]}, item))
        place = outbox.Place("files", data["id"], item["id"])
    await outbox.publish(deps.db, deps.send, place, item)


def durable(commands: list[tuple[str, Any, Message]]) -> list[dict]:
    """Outbox entries of `commands` (topic, key, message): a fetch may wait long in its queue."""
    return [outbox.entry(name, key, message, **({"patience": FETCH_PATIENCE} if name == FETCH
                                                else {}))
            for name, key, message in commands]


async def publish_stored(deps: Deps, collection: str, doc_id: Any, items: list[dict]) -> None:
    """Publish entries stored in `doc_id`'s `_outbox`; after a refusal the relay sends the
    rest, in this order."""
    for item in items:
        if not await outbox.publish(deps.db, deps.send,
                                    outbox.Place(collection, doc_id, item["id"]), item):
            break


async def send_durably(deps: Deps, collection: str, doc_id: Any,
                       commands: list[tuple[str, Any, Message]], fields: dict | None = None,
                       upsert: bool = False) -> None:
    """Store `commands` (topic, key, message) in the record `doc_id` of `collection` (`_outbox`,
    with `fields` in the same update), then publish them; one the broker refuses or loses is
    published again by the relay (agents/outbox.py), not left to a reconciler."""
    items = durable(commands)
    await deps.db[collection].update_one({"_id": doc_id},
                                         {"$set": {**(fields or {}), **outbox.pending(*items)}},
                                         upsert=upsert)
    await publish_stored(deps, collection, doc_id, items)


async def process_after_store(deps: Deps, entry: dict, org: str, local_path: str) -> None:
    """Store a file already on disk at its record's object key, then run the pipeline."""
    record = {"organisation": org, "id": entry["id"], "filetype": entry["filetype"]}
    await (await deps.store()).put_file(object_key(record), local_path)
    await send_durably(deps, "files", entry["id"], [file_command(kind, entry["id"]) for kind in
                                                    ("StartSalesFileUpload", "ProcessSalesFile")])


def file_command(kind: str, file_id: int) -> tuple[str, int, Message]:
    """A sales-file command (StartSalesFileUpload, ProcessSalesFile) for `send_durably`."""
    return FILES, file_id, Message(kind, {"file_id": file_id})


async def resolve_link(deps: Deps, job_id: str, org: str, url: str, settings: Settings) -> Outcome:
    try:
        link = parse_link(url)
        if link.is_drive:
            return await _resolve_drive(deps, job_id, org, link, settings)
        return await _resolve_http(deps, job_id, org, link.url, settings)
    except LinkError as exc:
        raise Rejected("bad_link", str(exc)) from None
    except DriveError as exc:
        raise Rejected(exc.code, exc.message) from None
    except FetchError as exc:
        raise Rejected(exc.code, f"the link could not be downloaded: {exc.message}") from None


async def _resolve_drive(deps, job_id, org, link, settings: Settings) -> Outcome:
    out = Outcome()
    async with DriveClient(settings.drive, settings.allow, settings.limits) as client:
        root = await client.get(link.id, link.resource_key)
        if root.mime_type == FOLDER_MIME:
            items, out.skipped = await walk(client, root, settings.max_items)
        else:
            kind, detail = classify(root.name, root.mime_type)
            if kind == "archive":
                raise Rejected("direct_zip", DIRECT_ZIP)
            if kind == "skip":
                raise Rejected("unsupported_type", f"{root.name}: {detail}")
            items = [(root.name, root)]
    budget = settings.link_max_bytes
    for path, item in items:
        kind, detail = classify(item.name, item.mime_type)
        reason = detail if kind == "skip" else _size_problem(item.size, settings, budget)
        if reason:
            out.skipped.append({"path": path, "reason": reason})
            continue
        budget -= item.size
        ref = {"drive_file_id": item.id, "size": item.size, "md5": item.md5,
               "resource_key": item.resource_key}
        if kind == "archive":
            out.archives.append({**ref, "name": item.name, "path": path, "status": "PENDING"})
            out.fetches.append({"_type": "ExpandAutoUploadArchive", "job_id": job_id,
                                "organisation": org, "name": item.name, "path": path, **ref})
            continue
        source = {"kind": "google_drive", "drive_file_id": item.id, "md5": item.md5,
                  "url": link.url, "path": path}
        entry, new = await create_file(deps, job_id, org, f"drive|{item.id}|{item.md5 or item.size}",
                                       safe_filename(item.name), detail, item.size, source, path)
        out.files.append(entry)
        if new:
            out.fetches.append({"_type": "FetchAutoUploadFile", "job_id": job_id,
                                "file_id": entry["id"], "organisation": org, **ref})
    return out


def _size_problem(size: int | None, settings: Settings, budget: int) -> str | None:
    if size is None:
        return "Drive gives no size for this item; it cannot be downloaded as a file"
    if size == 0:
        return "empty file"
    if size > settings.limits.max_bytes:
        return f"{size} bytes: larger than the {settings.limits.max_bytes}-byte limit per file"
    if size > budget:
        return f"the {settings.link_max_bytes}-byte limit per link is reached"
    return None


async def _resolve_http(deps, job_id, org, url: str, settings: Settings) -> Outcome:
    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        got = await fetch(url, os.path.join(tmp, "download"), allow=settings.allow,
                          limits=settings.limits)
        name = http_filename(got.final_url, got.content_disposition)
        ftype = filetype(name, got.content_type)
        if is_zip(name, got.content_type) and ftype is None:
            raise Rejected("direct_zip", DIRECT_ZIP)
        if ftype is None:
            raise Rejected("unsupported_type", f"{name} ({got.content_type or 'no content type'})"
                           " is not a supported sales file: CSV, TXT, TSV, XLS or XLSX")
        if got.size == 0:
            raise Rejected("empty", "the link serves an empty file")
        if "." not in name:
            name = f"{name}.{ftype.lower()}"
        source = {"kind": "http", "url": redact(url), "sha256": got.sha256}
        url_hash = hashlib.sha256(url.encode()).hexdigest()[:32]
        entry, new = await create_file(deps, job_id, org, f"url|{url_hash}|{got.sha256}", name,
                                       ftype, got.size, source, name)
        if new:
            await process_after_store(deps, entry, org, got.path)
    return Outcome(files=[entry])


async def emit_outcome(deps: Deps, job: dict) -> None:
    if job["status"] == "REJECTED":
        await deps.emit(EVENTS, job["_id"], "AutoUploadRejected",
                        {"job_id": job["_id"], "code": job["code"], "message": job["message"]})
        return
    await deps.emit(EVENTS, job["_id"], "AutoUploadResolved", {
        "job_id": job["_id"], "organisation": job["organisation"], "status": job["status"],
        "files": job["files"], "skipped": job["skipped"], "archives": job["archives"]})
