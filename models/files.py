"""Sales-file records: fields, validation, statuses and how events fold into a record.

Pure functions; the registration agent and the status table both fold events with
:func:`apply_event`, so the durable record (MongoDB) and the table view never disagree.
"""
from __future__ import annotations

from typing import Any

from models.lifecycle import NEW, EntityKind, restated
from models.new_file import FILETYPES, UPLOAD_MODES, NewSalesFile  # noqa: F401 - re-exported

STATUSES = ("INITIALIZED", "UPLOADING", "UPLOADED", "CLEANING", "CLEANED", "PROCESSING",
            "PROCESSED", "FINALIZED", "FAILED", "REIMPORT", "VOIDED")
TERMINAL = ("FINALIZED", "FAILED", "VOIDED")
REIMPORTABLE = ("FAILED", "PROCESSED", "FINALIZED", "VOIDED")  # from VOIDED: undo the void
# a voided file keeps its record and history; only files at rest can be voided
VOIDABLE = ("INITIALIZED", "UPLOADING", "FAILED", "FINALIZED")
# statuses from which the pipeline is still expected to move on by itself
IN_FLIGHT = ("UPLOADED", "CLEANING", "CLEANED", "PROCESSING", "PROCESSED", "REIMPORT")

REQUIRED = ("filename", "filetype", "filesize", "mongo_db_id")
OPTIONAL = ("status", "total_rows", "total_artists", "status_cause", "error_message",
            "total_local", "reporting_period", "upload_mode", "response_module", "exchange_rate")
RESPONSE_FIELDS = ("id", "uuid", *REQUIRED, *OPTIONAL, "organisation", "module_response")


def validate_new_file(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a create request (form or JSON values) against models.new_file.NewSalesFile.
    Returns (clean fields, problem by field)."""
    from pydantic import ValidationError

    try:
        fields = NewSalesFile.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            name = ".".join(str(p) for p in err["loc"]) or "body"
            errors.setdefault(name, "required" if err["type"] == "missing"
                              else err["msg"].removeprefix("Value error, "))
        return {}, errors
    return fields.model_dump(), {}


# The module that takes a file in, by upload mode (the specification's `module_response`).
INTAKE_MODULES = {"MANUALLY": "upload", "AUTOMATICALLY": "upload_automatically"}


def new_record(fields: dict[str, Any], *, file_id: int, uuid: str, organisation: str,
               ts: str) -> dict[str, Any]:
    record: dict[str, Any] = {name: None for name in RESPONSE_FIELDS}
    record.update(fields)
    record.update(id=file_id, uuid=uuid, organisation=organisation, status="INITIALIZED",
                  module_response=INTAKE_MODULES.get(record.get("upload_mode") or "MANUALLY"),
                  attempt=0, created_at=ts, updated_at=ts,
                  history=[{"status": "INITIALIZED", "ts": ts}], progress=None,
                  bad_rows=0, bad_samples=[], warnings=[])
    return record


def apply_event(record: dict[str, Any] | None, event_type: str, payload: dict[str, Any],
                ts: str) -> dict[str, Any] | None:
    """Fold one sales-file event into the record view (pure; returns a new dict)."""
    if event_type == "SalesFileRegistered":
        return dict(payload["record"])
    if record is None:
        return None
    view = dict(record)
    if event_type == "SalesFileStatusChanged":
        status = payload["status"]
        view.update(payload.get("fields") or {})
        view["status"] = status
        view["status_cause"] = payload.get("status_cause")
        view["error_message"] = payload.get("error_message")
        if payload.get("attempt") is not None:
            view["attempt"] = payload["attempt"]
        if not restated(payload):   # else its history and time came with its fields
            view["updated_at"] = ts
            if status != (view.get("history") or [{}])[-1].get("status") or payload.get("status_cause"):
                entry = {"status": status, "ts": ts}
                if payload.get("status_cause"):
                    entry["status_cause"] = payload["status_cause"]
                view["history"] = [*(view.get("history") or []), entry]
        if status in ("CLEANED", "PROCESSED", "FINALIZED", "FAILED", "VOIDED"):
            view["progress"] = None
    elif event_type == "SalesFileProgressed":
        view["progress"] = {k: payload.get(k) for k in ("stage", "rows", "percent")}
        view["updated_at"] = ts
    return view


def organisation_number(org_id: object) -> object:
    """The specification's integer organisation id of an internal id `org-N` (N)."""
    if isinstance(org_id, str) and org_id.startswith("org-") and org_id[4:].isdigit():
        return int(org_id[4:])
    return org_id


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the HTTP API shows it (no internal keys; `organisation` as its integer
    id, as the specification writes it)."""
    view = {k: v for k, v in record.items() if not k.startswith("_")}
    if "organisation" in view:
        view["organisation"] = organisation_number(view["organisation"])
    return view


def object_key(record: dict[str, Any]) -> str:
    """Where the uploaded original of a file lives in object storage."""
    ext = (record.get("filetype") or "bin").lower()
    return f"uploads/{record['organisation']}/{record['id']}/original.{ext}"


def status_payload(record: dict[str, Any], status: str, cause: str | None, error: str | None,
                   fields: dict[str, Any], attempt: int | None = None) -> dict[str, Any]:
    """The SalesFileStatusChanged payload of a status change (topics/sales.py)."""
    return {"file_id": record["id"], "organisation": record.get("organisation"),
            "status": status, "status_cause": cause, "error_message": error,
            "attempt": attempt if attempt is not None else record.get("attempt"),
            "fields": fields}


_CLEAN = ("sales.cleaning.commands", "CleanSalesFile")
_IMPORT = ("sales.import.commands", "ImportSalesFile")
# FAILED may follow any status (a refused upload, a duplicate, an expired or undelivered file)
KIND = EntityKind(
    name="file", collection="files", events="sales.files.events", key_field="file_id",
    status_event="SalesFileStatusChanged", statuses=STATUSES, terminal=TERMINAL,
    transitions={
        NEW: ("INITIALIZED",),
        "INITIALIZED": ("UPLOADING", "UPLOADED", "FAILED", "VOIDED"),
        "UPLOADING": ("UPLOADED", "FAILED", "VOIDED"),
        "UPLOADED": ("CLEANING", "FAILED"),
        "CLEANING": ("CLEANED", "FINALIZED", "FAILED"),  # FINALIZED: a zip expanded to files
        "CLEANED": ("PROCESSING", "FAILED"),
        "PROCESSING": ("PROCESSED", "FAILED"),
        "PROCESSED": ("FINALIZED", "FAILED", "REIMPORT"),
        "FINALIZED": ("REIMPORT", "VOIDED", "FAILED"),
        "FAILED": ("UPLOADED", "REIMPORT", "VOIDED"),  # UPLOADED: a retried upload
        "REIMPORT": ("CLEANING", "FAILED"),
        "VOIDED": ("REIMPORT", "FAILED"),
    },
    fold=apply_event, creates=("SalesFileRegistered",), table="file_status",
    page="/files/{file_id}/", progress_event="SalesFileProgressed",
    reissue={"UPLOADED": _CLEAN, "REIMPORT": _CLEAN, "CLEANING": _CLEAN,
             "CLEANED": _IMPORT, "PROCESSING": _IMPORT, "PROCESSED": _IMPORT},
    command=lambda doc: {"file_id": doc["_id"], "attempt": doc.get("attempt") or 1},
    status_payload=status_payload)
