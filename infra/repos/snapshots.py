"""Per-file snapshots and the organisation's all-time summary, in MongoDB.

A snapshot is keyed by file id, so a reimport replaces it; the summary is recomputed from the
snapshots of the organisation's processed files, so no file is ever counted twice.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from topics.envelope import now_iso

MAX_ENTRIES = 5000  # per dimension stored in the snapshot document


async def save(db: AsyncDatabase, record: dict, snapshot: dict, keys: dict, attempt: int) -> None:
    doc: dict[str, Any] = {"_id": record["id"], "file_id": record["id"],
                           "organisation": record["organisation"],
                           "reporting_period": record.get("reporting_period"),
                           "attempt": attempt, "created_at": now_iso(), "truncated": {}}
    for name, value in snapshot.items():
        if isinstance(value, list) and len(value) > MAX_ENTRIES:
            doc["truncated"][name] = len(value)
            value = value[:MAX_ENTRIES]
        doc[name] = value
    await db.snapshots.replace_one({"_id": record["id"]}, doc, upsert=True)
    await db.snapshot_keys.replace_one(
        {"_id": record["id"]},
        {"_id": record["id"], "organisation": record["organisation"], **keys}, upsert=True)


async def get(db: AsyncDatabase, file_id: int) -> dict | None:
    doc = await db.snapshots.find_one({"_id": file_id})
    if doc:
        doc.pop("_id", None)
    return doc


async def refresh_summary(db: AsyncDatabase, organisation: str) -> dict:
    ids = [d["_id"] async for d in db.files.find(
        {"organisation": organisation, "status": {"$in": ["PROCESSED", "FINALIZED"]}},
        {"_id": 1})]
    artists: set = set()
    tracks: set = set()
    releases: set = set()
    gross = Decimal(0)
    by_period: dict[str, Decimal] = {}
    async for keys in db.snapshot_keys.find({"_id": {"$in": ids}}):
        artists.update(keys.get("artists") or [])
        tracks.update(keys.get("tracks") or [])
        releases.update(keys.get("releases") or [])
    async for snap in db.snapshots.find({"_id": {"$in": ids}}, {"totals": 1, "reporting_period": 1}):
        amount = Decimal(str(snap["totals"]["revenue_converted"]))
        gross += amount
        period = snap.get("reporting_period") or "unknown"
        by_period[period] = by_period.get(period, Decimal(0)) + amount
    summary = {"_id": organisation, "organisation": organisation, "files": len(ids),
               "artists": len(artists), "releases": len(releases), "tracks": len(tracks),
               "total_gross": str(gross),
               "by_period": [{"period": p, "revenue": str(v)} for p, v in sorted(by_period.items())],
               "updated_at": now_iso()}
    await db.summaries.replace_one({"_id": organisation}, summary, upsert=True)
    return summary
