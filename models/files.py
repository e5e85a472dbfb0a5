"""Sales-file records: fields, validation, statuses and how events fold into a record.

Pure functions; the registration agent and the status table both fold events with
:func:`apply_event`, so the durable record (MongoDB) and the table view never disagree.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

FILETYPES = ("CSV", "TXT", "TSV", "XLS", "XLSX")
UPLOAD_MODES = ("MANUALLY", "AUTOMATICALLY")
STATUSES = ("INITIALIZED", "UPLOADING", "UPLOADED", "CLEANING", "CLEANED", "PROCESSING",
            "PROCESSED", "FINALIZED", "FAILED", "REIMPORT")
TERMINAL = ("FINALIZED", "FAILED")
REIMPORTABLE = ("FAILED", "PROCESSED", "FINALIZED")
# statuses from which the pipeline is still expected to move on by itself
IN_FLIGHT = ("UPLOADED", "CLEANING", "CLEANED", "PROCESSING", "PROCESSED", "REIMPORT")

REQUIRED = ("filename", "filetype", "filesize", "mongo_db_id")
OPTIONAL = ("status", "total_rows", "total_artists", "status_cause", "error_message",
            "total_local", "reporting_period", "upload_mode", "response_module", "exchange_rate")
RESPONSE_FIELDS = ("id", "uuid", *REQUIRED, *OPTIONAL, "organisation", "module_response")


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number


def validate_new_file(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a create request (form or JSON values). Returns (clean fields, errors by field)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in REQUIRED:
        if data.get(name) in (None, ""):
            errors[name] = "required"
    filename = data.get("filename")
    if filename not in (None, ""):
        if not isinstance(filename, str) or len(filename) > 255 or "/" in filename or "\x00" in filename:
            errors["filename"] = "must be a file name of at most 255 characters, without '/'"
        else:
            clean["filename"] = filename
    filetype = data.get("filetype")
    if filetype not in (None, ""):
        if str(filetype).upper() not in FILETYPES:
            errors["filetype"] = f"must be one of {', '.join(FILETYPES)}"
        else:
            clean["filetype"] = str(filetype).upper()
    if data.get("filesize") not in (None, ""):
        size = _int(data.get("filesize"))
        if size is None or size < 0:
            errors["filesize"] = "must be a non-negative integer (bytes)"
        else:
            clean["filesize"] = size
    if data.get("mongo_db_id") not in (None, ""):
        clean["mongo_db_id"] = str(data["mongo_db_id"])[:64]
    status = data.get("status") or "INITIALIZED"
    if status != "INITIALIZED":
        errors["status"] = "a new file starts as INITIALIZED"
    clean["status"] = "INITIALIZED"
    mode = (data.get("upload_mode") or "MANUALLY")
    if str(mode).upper() not in UPLOAD_MODES:
        errors["upload_mode"] = f"must be one of {', '.join(UPLOAD_MODES)}"
    clean["upload_mode"] = str(mode).upper()
    for name in ("total_rows", "total_artists"):
        if data.get(name) not in (None, ""):
            number = _int(data[name])
            if number is None or number < 0:
                errors[name] = "must be a non-negative integer"
            clean[name] = number
    for name in ("total_local", "exchange_rate"):
        if data.get(name) not in (None, ""):
            try:
                value = Decimal(str(data[name]).strip())
                if not value.is_finite() or (name == "exchange_rate" and value <= 0):
                    raise InvalidOperation
                clean[name] = str(value)
            except (InvalidOperation, ValueError):
                errors[name] = "must be a positive decimal number" if name == "exchange_rate" \
                    else "must be a decimal number"
    period = data.get("reporting_period")
    if period not in (None, ""):
        from models.periods import parse_period_strict
        parsed = parse_period_strict(str(period))
        if parsed is None:
            errors["reporting_period"] = "must be YYYY-MM"
        clean["reporting_period"] = parsed
    for name in ("status_cause", "error_message", "response_module"):
        if data.get(name) not in (None, ""):
            clean[name] = str(data[name])[:2000]
    return clean, errors


def new_record(fields: dict[str, Any], *, file_id: int, uuid: str, organisation: str,
               ts: str) -> dict[str, Any]:
    record: dict[str, Any] = {name: None for name in RESPONSE_FIELDS}
    record.update(fields)
    record.update(id=file_id, uuid=uuid, organisation=organisation, status="INITIALIZED",
                  module_response=None, attempt=0, created_at=ts, updated_at=ts,
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
        view["updated_at"] = ts
        if status != (view.get("history") or [{}])[-1].get("status") or payload.get("status_cause"):
            entry = {"status": status, "ts": ts}
            if payload.get("status_cause"):
                entry["status_cause"] = payload["status_cause"]
            view["history"] = [*(view.get("history") or []), entry]
        if status in ("CLEANED", "PROCESSED", "FINALIZED", "FAILED"):
            view["progress"] = None
    elif event_type == "SalesFileProgressed":
        view["progress"] = {k: payload.get(k) for k in ("stage", "rows", "percent")}
        view["updated_at"] = ts
    return view


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the HTTP API shows it (no internal keys)."""
    view = {k: v for k, v in record.items() if not k.startswith("_")}
    return view


def object_key(record: dict[str, Any]) -> str:
    """Where the uploaded original of a file lives in object storage."""
    ext = (record.get("filetype") or "bin").lower()
    return f"uploads/{record['organisation']}/{record['id']}/original.{ext}"
