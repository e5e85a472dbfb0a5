"""Durable sales-file records in MongoDB (`files`, keyed by the integer file id).

A record may carry `_outbox` (infra/outbox.py: the commands stored with it, not yet handled),
`_version` and a lease (the lifecycle kit, infra/repos/lifecycle.py); reads leave them out
and status writes never touch them, so no fold can drop an entry in flight."""
from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.repos import lifecycle
from infra.repos.lifecycle import HIDDEN
from infra.repos.reports import INCLUDED
from models.files import KIND


async def insert(db: AsyncDatabase, record: dict[str, Any]) -> bool:
    """Store a new record; False when a record with this id already exists (redelivery)."""
    return await lifecycle.insert(db, KIND, record)


async def get(db: AsyncDatabase, file_id: int) -> dict[str, Any] | None:
    return await lifecycle.get(db, KIND, file_id)


async def find(db: AsyncDatabase, organisation: str, *, status: str | None = None,
               period: str | None = None, skip: int = 0, limit: int = 50,
               totals_check: str | None = None) -> tuple[int, list[dict]]:
    query: dict[str, Any] = {"organisation": organisation}
    if totals_check:
        query["totals_check"] = totals_check
    if status:
        query["status"] = status
    if period:
        query["reporting_period"] = period
    # newest first by id as a number: ordered here, not by the store (an embedded store
    # ordered integer ids 9, 8, 7, 18, 17 …); only ids are read for the whole organisation
    ids = sorted([int(d["_id"]) async for d in db.files.find(query, {"_id": 1})], reverse=True)
    page = ids[skip:skip + limit]
    found = {int(d["_id"]): d async for d in db.files.find({"_id": {"$in": page}}, HIDDEN)}
    docs = [found[i] for i in page if i in found]
    for doc in docs:
        doc.pop("_id", None)
    return len(ids), docs


async def find_by_checksum(db: AsyncDatabase, organisation: str, checksum: str,
                           exclude: int) -> dict[str, Any] | None:
    doc = await db.files.find_one({"organisation": organisation, "checksum": checksum,
                                   "_id": {"$ne": exclude},
                                   "status": {"$nin": ["FAILED", "VOIDED"]}}, sort=[("_id", 1)])
    if doc:
        doc.pop("_id", None)
    return doc


async def in_flight(db: AsyncDatabase, statuses: tuple[str, ...], older_than: str) -> list[dict]:
    cursor = db.files.find({"status": {"$in": list(statuses)}, "updated_at": {"$lt": older_than}})
    docs = [d async for d in cursor]
    for doc in docs:
        doc.pop("_id", None)
    return docs


async def counted(db: AsyncDatabase, organisation: str) -> dict[int, dict[str, Any]]:
    """The organisation's imported files with rows in the sales store (as reports count them:
    voided and duplicate (FAILED) files are not):
    {file id: {parquet_key, filename, conversion, attempt, checksum, rollups}}."""
    cursor = db.files.find({"organisation": organisation, "status": {"$in": list(INCLUDED)},
                            "parquet_key": {"$nin": [None, ""]}},
                           {"parquet_key": 1, "filename": 1, "conversion": 1, "attempt": 1,
                            "checksum": 1, "rollups": 1})
    return {int(d["_id"]): {"parquet_key": d["parquet_key"], "filename": d.get("filename"),
                            "conversion": d.get("conversion"), "attempt": d.get("attempt"),
                            "checksum": d.get("checksum"), "rollups": d.get("rollups")}
            async for d in cursor}


async def record_rollups(db: AsyncDatabase, record: dict, keys: dict[str, str]) -> bool:
    """Name a file's rollups on its stored record while it is still that attempt, FINALIZED,
    with that Parquet (a void or reimport meanwhile wins). `rollups` is internal to the store
    (models.lifecycle.INTERNAL): not a status change, not in the API's record."""
    done = await db.files.update_one(
        {"_id": record["id"], "status": "FINALIZED", "attempt": record["attempt"],
         "parquet_key": record["parquet_key"]}, {"$set": {"rollups": keys}})
    return done.matched_count == 1


async def rollup_keys(db: AsyncDatabase, file_id: int) -> dict[str, str]:
    """{kind: object key} of the rollups a file's stored record names."""
    doc = await db.files.find_one({"_id": file_id}, {"rollups": 1})
    return (doc or {}).get("rollups") or {}
