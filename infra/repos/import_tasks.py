"""Durable GTIN import tasks in MongoDB (`gtin_import_tasks`, `_id` = task id).

A document is the task's status view (`models.gtin_tasks`) plus what a run needs to resume:
`spec` (the request body), `checkpoint` {records: data records fully written, source_key:
the staged copy of the file}, `lease` (worker running it) and `updated_at` (heartbeat).
The view and the checkpoint are written together, after each batch's GTIN writes, so a
resumed run skips exactly the records already counted.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from models.gtin_tasks import TERMINAL, View
from topics.envelope import now_iso


def _coll(db: AsyncDatabase):
    return db.gtin_import_tasks


def ago(seconds: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat(
        timespec="milliseconds")


async def create(db: AsyncDatabase, view: View, spec: dict[str, Any]) -> bool:
    """Store a new task (idempotent: False when it already exists)."""
    doc = {**view, "_id": view["id"], "spec": spec, "checkpoint": {"records": 0},
           "lease": None, "updated_at": now_iso()}
    result = await _coll(db).update_one({"_id": view["id"]}, {"$setOnInsert": doc}, upsert=True)
    return result.upserted_id is not None


async def get(db: AsyncDatabase, task_id: str) -> dict[str, Any] | None:
    return await _coll(db).find_one({"_id": task_id})


async def claim(db: AsyncDatabase, task_id: str, worker: str, stale_after: float
                ) -> dict[str, Any] | None:
    """Take the task for this worker: unfinished and free, ours, or silent for `stale_after` s."""
    unfinished = {"_id": task_id, "status": {"$nin": list(TERMINAL)}}
    take = {"$set": {"lease": worker, "updated_at": now_iso()}}
    # two plain filters rather than one $or: nx-27017 does not match null inside $or
    for extra in ({"lease": {"$in": [None, worker]}}, {"updated_at": {"$lt": ago(stale_after)}}):
        doc = await _coll(db).find_one_and_update({**unfinished, **extra}, take,
                                                   return_document=ReturnDocument.AFTER)
        if doc is not None:
            return doc
    return None


async def save(db: AsyncDatabase, view: View, checkpoint: dict[str, Any], *,
               release: bool = False) -> None:
    """Write the view and checkpoint together (one update by `_id`)."""
    fields = {k: v for k, v in view.items() if k != "_id"}
    fields.update(checkpoint=checkpoint, updated_at=now_iso())
    if release:
        fields["lease"] = None
    await _coll(db).update_one({"_id": view["id"]}, {"$set": fields})


async def touch(db: AsyncDatabase, task_id: str) -> None:
    await _coll(db).update_one({"_id": task_id}, {"$set": {"updated_at": now_iso()}})


async def for_participant(db: AsyncDatabase, participant: str, *, kind: str | None = None,
                          limit: int = 100) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"participant": participant}
    if kind:
        query["kind"] = kind
    cursor = _coll(db).find(query, {"spec": 0, "checkpoint": 0}).sort("created_at", -1).limit(limit)
    return [doc async for doc in cursor]


async def stale(db: AsyncDatabase, older_than: float) -> list[dict[str, Any]]:
    """Unfinished tasks without a heartbeat for `older_than` seconds (their run was lost)."""
    cursor = _coll(db).find({"status": {"$in": ["started", "in_progress"]},
                             "updated_at": {"$lt": ago(older_than)}})
    return [doc async for doc in cursor]


async def expired(db: AsyncDatabase, retention_hours: float) -> list[dict[str, Any]]:
    cursor = _coll(db).find({"status": {"$in": list(TERMINAL)},
                             "finished_at": {"$lt": ago(retention_hours * 3600)}},
                            {"_id": 1, "checkpoint": 1})
    return [doc async for doc in cursor]


async def delete(db: AsyncDatabase, task_id: str) -> bool:
    result = await _coll(db).delete_one({"_id": task_id})
    return result.deleted_count == 1
