"""Report records (`reports`, keyed by report id) and the sales files a report reads."""
from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.repos import lifecycle
from infra.repos.lifecycle import HIDDEN
from models.reports import KIND

INCLUDED = ("PROCESSED", "FINALIZED")


async def insert(db: AsyncDatabase, record: dict[str, Any]) -> bool:
    """Store a new record; False when a record with this id already exists (redelivery)."""
    return await lifecycle.insert(db, KIND, record)


async def get(db: AsyncDatabase, report_id: int) -> dict[str, Any] | None:
    return await lifecycle.get(db, KIND, report_id)


async def find(db: AsyncDatabase, organisation: str, *, kind: str | None = None,
               period: str | None = None, skip: int = 0, limit: int = 50) -> tuple[int, list]:
    query: dict[str, Any] = {"organisation": organisation}
    if kind:
        query["type"] = kind
    if period:
        query["period"] = period
    total = await db.reports.count_documents(query)
    docs = [d async for d in db.reports.find(query, HIDDEN).sort("_id", -1).skip(skip).limit(limit)]
    for doc in docs:
        doc.pop("_id", None)
    return total, docs


async def period_files(db: AsyncDatabase, organisation: str, period: str) -> list[dict]:
    """The period's processed sales files: [{file_id, attempt, parquet_key, rows, filename,
    base}] (`base`: the currency its lines were converted into at import)."""
    cursor = db.files.find({"organisation": organisation, "reporting_period": period,
                            "status": {"$in": list(INCLUDED)}})
    files = [{"file_id": d["_id"], "attempt": d.get("attempt"), "parquet_key": d.get("parquet_key"),
              "rows": d.get("total_rows"), "filename": d.get("filename"),
              "base": (d.get("conversion") or {}).get("currency")} async for d in cursor]
    return sorted(files, key=lambda f: f["file_id"])
