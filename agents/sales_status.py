"""Record a sales-file status change: fold it into MongoDB, then emit it as an event."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from agents.deps import Deps
from infra.metrics import FAILURES
from infra.repos import files as file_repo
from topics.envelope import now_iso

EVENTS = "sales.files.events"


async def set_status(deps: Deps, record: dict[str, Any], status: str, *,
                     cause: str | None = None, error: str | None = None,
                     attempt: int | None = None, **fields: Any) -> dict[str, Any]:
    payload = {"file_id": record["id"], "organisation": record.get("organisation"),
               "status": status, "status_cause": cause, "error_message": error,
               "attempt": attempt if attempt is not None else record.get("attempt"),
               "fields": fields}
    ts = now_iso()
    updated = await file_repo.apply(deps.db, record["id"], "SalesFileStatusChanged", payload, ts)
    await deps.emit(EVENTS, record["id"], "SalesFileStatusChanged", payload)
    return updated or record


async def fail(deps: Deps, record: dict[str, Any], cause: str, message: str,
               **fields: Any) -> dict[str, Any]:
    FAILURES.labels(stage=str(record.get("status") or "unknown").lower(), cause=cause).inc()
    return await set_status(deps, record, "FAILED", cause=cause, error=message, **fields)


class Progress:
    """Throttled progress events (at most one a second) for long work. Reports scheduled from the
    cleaning thread can arrive late: one that would go backwards (fewer rows than already shown, or
    after the forced final report) is dropped, so the last event is always the final figure."""

    def __init__(self, deps: Deps, record: dict[str, Any], stage: str, every: float = 1.0):
        self.deps, self.record, self.stage, self.every = deps, record, stage, every
        self._last, self._rows, self._final = 0.0, -1, False
        self._lock = asyncio.Lock()  # one report written and emitted at a time, in order

    async def report(self, rows: int, percent: float, force: bool = False) -> None:
        async with self._lock:
            now = time.monotonic()
            if not force and (self._final or rows <= self._rows or now - self._last < self.every):
                return
            self._last, self._rows, self._final = now, max(rows, self._rows), self._final or force
            self.deps.progress += 1  # long work shows in the heartbeat, not only messages
            payload = {"file_id": self.record["id"], "stage": self.stage, "rows": rows,
                       "percent": round(min(max(percent, 0.0), 100.0), 1)}
            await file_repo.apply(self.deps.db, self.record["id"], "SalesFileProgressed", payload,
                                  now_iso())
            await self.deps.emit(EVENTS, self.record["id"], "SalesFileProgressed", payload)
