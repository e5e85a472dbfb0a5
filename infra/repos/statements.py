"""Statement identities of sales files (`statements`, keyed by file id): what a file's rows
are, so the same statement is counted once whatever bytes carried it."""
from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

# a file in one of these statuses does not count: a duplicate of it is no duplicate
NOT_COUNTED = ["FAILED", "VOIDED"]


async def save(db: AsyncDatabase, record: dict, statement: dict) -> None:
    doc = {k: statement[k] for k in ("key", "layout", "dsps", "periods", "rows", "fingerprint",
                                     "sketch", "identities")}
    doc["scope"] = scope(statement)
    await db.statements.replace_one(
        {"_id": record["id"]},
        {"_id": record["id"], "organisation": record["organisation"], **doc}, upsert=True)


async def _counted(db: AsyncDatabase, query: dict) -> list[dict[str, Any]]:
    docs = {d["_id"]: d async for d in db.statements.find(query)}
    if not docs:
        return []
    files = db.files.find({"_id": {"$in": list(docs)}, "status": {"$nin": NOT_COUNTED}},
                          {"_id": 1, "filename": 1, "status": 1})
    found = [{**docs[f["_id"]], "file_id": f["_id"], "filename": f.get("filename")}
             async for f in files]
    return sorted(found, key=lambda d: d["file_id"])


async def twins(db: AsyncDatabase, record: dict, key: str) -> list[dict[str, Any]]:
    """Counted files of the organisation holding the same statement, oldest first."""
    return await _counted(db, {"organisation": record["organisation"], "key": key,
                               "_id": {"$ne": record["id"]}})


async def relatives(db: AsyncDatabase, record: dict, statement: dict) -> list[dict[str, Any]]:
    """Counted files with the same layout, DSPs and periods but other rows."""
    return await _counted(db, {"organisation": record["organisation"],
                               "scope": scope(statement), "key": {"$ne": statement["key"]},
                               "_id": {"$ne": record["id"]}})


def scope(statement: dict) -> str:
    """Layout, DSPs and periods as one value (the document store compares scalars only)."""
    return "\x1f".join([statement["layout"] or "", "|".join(statement["dsps"]),
                        "|".join(statement["periods"])])
