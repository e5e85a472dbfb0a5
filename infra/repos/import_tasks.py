"""Durable GTIN import tasks in MongoDB (`gtin_import_tasks`, `_id` = task id).

A document is the task's status view (`models.gtin_tasks`) plus what a run needs to resume:
`spec` (the request body), `checkpoint` {records: data records fully written, source_key:
the staged copy of the file}, the lease of the worker running it (`infra/repos/leases.py`:
`lease`, `lease_expires`, `lease_token`), `updated_at` (last write or heartbeat) and
`reissued_at` (when the reconciler last re-issued it).
The view and the checkpoint are written together, after each batch's GTIN writes, so a
resumed run skips exactly the records already counted.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.repos import leases
from models.gtin_tasks import TERMINAL, View
from topics.envelope import now_iso


def _coll(db: AsyncDatabase):
    return db.gtin_import_tasks


def ago(seconds: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat(
        timespec="milliseconds")


async def create(db: AsyncDatabase, view: View, spec: dict[str, Any], **extra: Any) -> bool:
    """Store a new task (idempotent: False when it already exists); `extra`: e.g. `_outbox`."""
    doc = {**view, "_id": view["id"], "spec": spec, "checkpoint": {"records": 0},
           "lease": None, "updated_at": now_iso(), **extra}
    result = await _coll(db).update_one({"_id": view["id"]}, {"$setOnInsert": doc}, upsert=True)
    return result.upserted_id is not None


async def get(db: AsyncDatabase, task_id: str) -> dict[str, Any] | None:
    return await _coll(db).find_one({"_id": task_id})


async def claim(db: AsyncDatabase, task_id: str, worker: str, ttl: float
                ) -> dict[str, Any] | None:
    """Take the unfinished task's lease for this worker: free, ours, or expired."""
    return await leases.take(_coll(db), task_id, worker, ttl,
                             {"status": {"$nin": list(TERMINAL)}})


async def save(db: AsyncDatabase, view: View, checkpoint: dict[str, Any], *,
               release: bool = False, fence: dict[str, Any] | None = None) -> None:
    """Write the view and checkpoint together (one update by `_id`); with `fence`, only while
    that lease is held (else `LeaseLost`: another worker took the task over)."""
    fields = {k: v for k, v in view.items() if k != "_id"}
    fields.update(checkpoint=checkpoint, updated_at=now_iso())
    if release:
        fields["lease"] = None
    result = await _coll(db).update_one({"_id": view["id"], **(fence or {})}, {"$set": fields})
    if fence and result.matched_count == 0:
        raise leases.LeaseLost(f"task {view['id']} was taken over")


async def renew(db: AsyncDatabase, task_id: str, fence: dict[str, Any], ttl: float) -> bool:
    return await leases.renew(_coll(db), task_id, fence, ttl)


async def mark_reissued(db: AsyncDatabase, task_id: str) -> None:
    await _coll(db).update_one({"_id": task_id}, {"$set": {"reissued_at": now_iso()}})


async def for_participant(db: AsyncDatabase, participant: str, *, kind: str | None = None,
                          limit: int = 100) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"participant": participant}
    if kind:
        query["kind"] = kind
    cursor = _coll(db).find(query, {"spec": 0, "checkpoint": 0}).sort("created_at", -1).limit(limit)
    return [doc async for doc in cursor]


async def stale(db: AsyncDatabase, cutoff: str) -> list[dict[str, Any]]:
    """Unfinished tasks without a heartbeat since `cutoff` (their run was lost), not re-issued
    since then either. Nothing here refreshes the lease: the worker that gets the re-issued
    command takes the expired lease over."""
    cursor = _coll(db).find({"status": {"$in": ["started", "in_progress"]},
                             "updated_at": {"$lt": cutoff}}, {"checkpoint": 0})
    return [doc async for doc in cursor if (doc.get("reissued_at") or "") < cutoff]


async def expired(db: AsyncDatabase, retention_hours: float) -> list[dict[str, Any]]:
    cursor = _coll(db).find({"status": {"$in": list(TERMINAL)},
                             "finished_at": {"$lt": ago(retention_hours * 3600)}},
                            {"_id": 1, "checkpoint": 1})
    return [doc async for doc in cursor]


async def delete(db: AsyncDatabase, task_id: str) -> bool:
    result = await _coll(db).delete_one({"_id": task_id})
    return result.deleted_count == 1
