"""Durable GTIN import tasks in MongoDB (`gtin_import_tasks`, `_id` = task id).

A document is the task's status view (`models.gtin_tasks`) plus what a run needs to resume:
`spec` (the request body), `checkpoint` {records: data records fully written, source_key:
the staged copy of the file}, the lease of the worker running it (`infra/repos/leases.py`:
`lease`, `lease_expires`, `lease_token`), `updated_at` (last write or heartbeat) and
`reissued_at` (when the reconciler last re-issued it).
The view and the checkpoint are written together by the lifecycle kit's CAS writer (fenced
by the lease, agents/gtin_import.py), so a resumed run skips exactly the records already
counted; the re-issuer and the lease (models.gtin_tasks.KIND, agents/lifecycle.py) are the kit's.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

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


async def for_participant(db: AsyncDatabase, participant: str, *, kind: str | None = None,
                          limit: int = 100) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"participant": participant}
    if kind:
        query["kind"] = kind
    cursor = _coll(db).find(query, {"spec": 0, "checkpoint": 0}).sort("created_at", -1).limit(limit)
    return [doc async for doc in cursor]


async def expired(db: AsyncDatabase, retention_hours: float) -> list[dict[str, Any]]:
    cursor = _coll(db).find({"status": {"$in": list(TERMINAL)},
                             "finished_at": {"$lt": ago(retention_hours * 3600)}},
                            {"_id": 1, "checkpoint": 1})
    return [doc async for doc in cursor]


async def delete(db: AsyncDatabase, task_id: str) -> bool:
    result = await _coll(db).delete_one({"_id": task_id})
    return result.deleted_count == 1
