"""Sales-file lifecycle commands: create the record, start upload, process, reimport."""
from __future__ import annotations

import logging
import secrets

import faust

from agents import voiding
from agents.deps import Deps, command_agent
from agents.rejection import reject
from agents.sales_status import EVENTS, fail, set_status
from infra.mongo import next_id
from infra.repos import files as file_repo
from infra.retry import outage, retry
from models.files import REIMPORTABLE, VOIDABLE, new_record, object_key, validate_new_file
from topics.envelope import InvalidPayload, Message, now_iso
from topics.registry import topic

log = logging.getLogger("tributary.registration")


def _requested_order(payload: dict, record: dict) -> dict:
    """`date_order` asked for by a process/reimport command (kept for later reimports)."""
    from models.sales.dates import parse_order

    order = parse_order(payload.get("date_order")) or record.get("date_order_requested")
    return {"date_order_requested": order} if order else {}


async def create(deps: Deps, msg: Message) -> None:
    """Store the record (the gateway stored it already with its outbox entry: then this
    only announces it). A create that cannot be applied is rejected, never dropped; a broker
    or store outage is not the request's fault and is never answered as a rejection (the
    gateway answers 202 for the stored record, and the handler's error is logged)."""
    try:
        await _create(deps, msg)
    except Exception as exc:  # noqa: BLE001 - e.g. a value the store cannot hold
        if outage(exc):
            raise
        log.exception("create of file %s cannot be applied", msg.payload.get("id"))
        await reject(deps, msg.payload, {"body": f"cannot be stored: {exc}"[:500]}, msg.ts)


async def _create(deps: Deps, msg: Message) -> None:
    data = msg.payload
    fields, errors = validate_new_file(data)
    org = data.get("organisation")
    if not await deps.db.organisations.find_one({"_id": org}):
        errors["organisation"] = f"unknown organisation {org!r}"
    file_id = data.get("id")
    if errors:
        return await reject(deps, data, errors, msg.ts)
    file_id = int(file_id) if file_id else await next_id(deps.db, "files")
    uuid = data.get("uuid") or secrets.token_hex(4)
    record = new_record(fields, file_id=file_id, uuid=uuid, organisation=org, ts=msg.ts)
    if isinstance(data.get("source"), dict):  # where an automatic upload took it from
        record["source"] = data["source"]
    await file_repo.insert(deps.db, record)
    stored = await file_repo.get(deps.db, file_id)
    await retry(lambda: deps.emit(EVENTS, file_id, "SalesFileRegistered", {"file_id": file_id, "record": stored}),
                "announce the file", retry_if=outage)


async def invalid(deps: Deps, raw: dict, exc: InvalidPayload) -> None:
    """A create whose payload breaks its model was dead-lettered: reject it as well, so
    its id answers FAILED with the reason."""
    if raw.get("type") == "CreateSalesFile" and isinstance(raw.get("payload"), dict):
        errors = {e["field"]: e["problem"] for e in exc.errors} or {"body": str(exc)}
        await reject(deps, raw["payload"], errors, str(raw.get("ts") or now_iso()))


async def rejected(deps: Deps, msg: Message) -> None:
    """A command for a file that does not exist: say so (nothing else happens)."""
    file_id = int(msg.payload["file_id"])
    await deps.emit(EVENTS, file_id, "SalesFileCommandRejected", {
        "file_id": file_id, "command": msg.type, "reason": f"no sales file {file_id}",
        "message_id": msg.message_id})


async def start_upload(deps: Deps, msg: Message) -> None:
    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    if record is None:
        return await rejected(deps, msg)
    if record and record["status"] in ("INITIALIZED", "UPLOADING"):
        await set_status(deps, record, "UPLOADING", object_key=object_key(record))


async def process(deps: Deps, msg: Message) -> None:
    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    if record is None:
        return await rejected(deps, msg)
    override = msg.payload.get("allow_duplicate_of")
    retry = record and record["status"] == "FAILED" and (
        record.get("status_cause") == "NOT_UPLOADED"
        or (record.get("status_cause") == "DUPLICATE" and override is not None))
    if not record or (record["status"] not in ("INITIALIZED", "UPLOADING") and not retry):
        log.info("process ignored for %s in %s", msg.payload["file_id"],
                 record and record["status"])
        return
    key = record.get("object_key") or object_key(record)
    info = await (await deps.store()).head(key)
    if info is None or info.size != record["filesize"]:
        found = "no object" if info is None else f"{info.size} bytes"
        await fail(deps, record, "NOT_UPLOADED",
                   f"expected {record['filesize']} bytes at {key}, found {found}")
        return
    extra = {}
    if override is not None:  # visible in the record: who allowed which duplicate, when
        extra["duplicate_override"] = {"of": int(override), "at": msg.ts}
    await _to_cleaning(deps, record, "UPLOADED", object_key=key, **extra,
                       **_requested_order(msg.payload, record))


async def _to_cleaning(deps: Deps, record: dict, status: str, **fields) -> None:
    """Record `status` under a new attempt and send the file to cleaning."""
    attempt = int(record.get("attempt") or 0) + 1
    record = await set_status(deps, record, status, attempt=attempt, **fields)
    await deps.emit("sales.cleaning.commands", record["id"], "CleanSalesFile",
                    {"file_id": record["id"], "attempt": attempt})


async def reimport(deps: Deps, msg: Message) -> None:
    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    if record is None:
        return await rejected(deps, msg)
    if not record or record["status"] not in REIMPORTABLE:
        return
    if not record.get("object_key"):
        await fail(deps, record, "NOT_UPLOADED", "the file was never uploaded")
        return
    # the duplicate check runs again: only an override naming the original lets it through
    await _to_cleaning(deps, record, "REIMPORT", bad_rows=0, bad_samples=[], warnings=[],
                       **_requested_order(msg.payload, record))


async def void(deps: Deps, msg: Message) -> None:
    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    if record is None:
        return await rejected(deps, msg)
    if record and record["status"] in VOIDABLE:
        await voiding.void(deps, record)


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("sales.files.commands")
    handlers = {"CreateSalesFile": lambda m: create(deps, m),
                "StartSalesFileUpload": lambda m: start_upload(deps, m),
                "ProcessSalesFile": lambda m: process(deps, m),
                "ReimportSalesFile": lambda m: reimport(deps, m),
                "VoidSalesFile": lambda m: void(deps, m)}

    command_agent(app, deps, spec.name, "registration", handlers,
                  invalid=lambda raw, exc: invalid(deps, raw, exc))


__all__ = ["register", "now_iso"]
