"""Catalog imports (`catalog_imports`, keyed by import id) and each organisation's current
catalog version (`catalogs`, keyed by organisation id).

A catalog version is an immutable Parquet object (`catalog/org=…/version=N.parquet`); the
`catalogs` document names the current one and is switched by one update once the new version
is fully written, so readers see the old catalog or the new one, never a mix.
"""
from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.mongo import next_id
from infra.repos import lifecycle
from infra.repos.lifecycle import HIDDEN
from models.catalog import IMPORT_KIND
from topics.envelope import now_iso


def version_key(organisation: str, version: int) -> str:
    return f"catalog/org={organisation}/version={version}.parquet"


async def insert_import(db: AsyncDatabase, record: dict[str, Any]) -> bool:
    """Store a new record; False when a record with this id already exists (redelivery)."""
    return await lifecycle.insert(db, IMPORT_KIND, record)


async def get_import(db: AsyncDatabase, import_id: int) -> dict[str, Any] | None:
    return await lifecycle.get(db, IMPORT_KIND, import_id)


async def list_imports(db: AsyncDatabase, organisation: str, skip: int = 0,
                       limit: int = 50) -> tuple[int, list[dict]]:
    query = {"organisation": organisation}
    total = await db.catalog_imports.count_documents(query)
    docs = [d async for d in db.catalog_imports.find(query, HIDDEN).sort("_id", -1).skip(skip).limit(limit)]
    for doc in docs:
        doc.pop("_id", None)
    return total, docs


async def next_version(db: AsyncDatabase, organisation: str) -> int:
    return await next_id(db, f"catalog-version:{organisation}")


async def current(db: AsyncDatabase, organisation: str) -> dict[str, Any] | None:
    """{organisation, version, object_key, rows, import_id, switched_at} or None (no catalog)."""
    doc = await db.catalogs.find_one({"_id": organisation})
    if doc:
        doc.pop("_id", None)
    return doc


async def switch(db: AsyncDatabase, organisation: str, version: int, object_key: str, rows: int,
                 import_id: int) -> bool:
    """Make `version` current in one update, unless a newer version already is."""
    doc = {"organisation": organisation, "version": version, "object_key": object_key,
           "rows": rows, "import_id": import_id, "switched_at": now_iso()}
    result = await db.catalogs.update_one({"_id": organisation, "version": {"$lt": version}},
                                          {"$set": doc})
    if result.matched_count:
        return True
    if await db.catalogs.find_one({"_id": organisation}) is None:
        await db.catalogs.update_one({"_id": organisation}, {"$setOnInsert": doc}, upsert=True)
        return True
    return False
