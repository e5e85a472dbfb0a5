"""A sales-file create no worker can apply ends FAILED (status_cause REJECTED, the reason in
error_message) with a `SalesFileRejected` event: its id never answers 404 for ever."""
from __future__ import annotations

from typing import Any

from agents.deps import Deps
from agents.sales_status import EVENTS, fail
from infra.repos import files as file_repo
from models.files import new_record

MAX_ID = 2**53


def _text(value: Any, limit: int = 255) -> str:
    """A value as text the store can hold (a lone surrogate becomes '?')."""
    if value is None:
        return ""
    return str(value).encode("utf-8", "replace").decode("utf-8")[:limit]


def _file_id(data: dict[str, Any]) -> int | None:
    value = data.get("id")
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None


async def reject(deps: Deps, data: dict[str, Any], errors: dict[str, str], ts: str) -> None:
    """Record the refusal (a record of what could be kept, FAILED REJECTED), then say so."""
    file_id = _file_id(data)
    reason = "; ".join(f"{field}: {problem}" for field, problem in errors.items())[:2000]
    if file_id is not None:
        record = await file_repo.get(deps.db, file_id)
        if record is None:
            size = data.get("filesize")
            fields = {"filename": _text(data.get("filename")) or "(unreadable)",
                      "filetype": _text(data.get("filetype"), 8),
                      "filesize": size if isinstance(size, int) and 0 <= size <= MAX_ID else 0,
                      "mongo_db_id": _text(data.get("mongo_db_id"), 64)}
            await file_repo.insert(deps.db, new_record(
                fields, file_id=file_id, uuid=_text(data.get("uuid"), 8) or "rejected",
                organisation=_text(data.get("organisation"), 200), ts=ts))
            record = await file_repo.get(deps.db, file_id)
        if record is not None and record["status"] == "INITIALIZED":
            await fail(deps, record, "REJECTED", reason)
    await deps.emit(EVENTS, file_id or "unknown", "SalesFileRejected",
                    {"file_id": file_id, "errors": {k: _text(v, 2000) for k, v in errors.items()}})
