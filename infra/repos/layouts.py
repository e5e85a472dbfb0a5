"""Organisation layouts (mappings) in MongoDB collection `layouts`, keyed by `_id` = numeric id.

Stored shape = what `models.sales.layouts.layout_from_mapping` reads, plus `id`, `organisation`
and timestamps; the cleaning agent loads them with `find({"organisation": org})`."""
from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.mongo import next_id
from topics.envelope import now_iso


def _public(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if k != "_id"}


async def create(db: AsyncDatabase, organisation: str, mapping: dict[str, Any]) -> dict[str, Any]:
    number = await next_id(db, "layouts")
    now = now_iso()
    doc = {"_id": number, "id": number, "organisation": organisation, **mapping,
           "created_at": now, "updated_at": now}
    await db.layouts.insert_one(doc)
    return _public(doc)


async def list_for(db: AsyncDatabase, organisation: str) -> list[dict[str, Any]]:
    docs = [d async for d in db.layouts.find({"organisation": organisation})]
    return [_public(d) for d in sorted(docs, key=lambda d: d["_id"])]


async def get(db: AsyncDatabase, organisation: str, layout_id: int) -> dict[str, Any] | None:
    doc = await db.layouts.find_one({"_id": layout_id})
    return _public(doc) if doc and doc.get("organisation") == organisation else None


async def find_by_name(db: AsyncDatabase, organisation: str, name: str) -> dict[str, Any] | None:
    return next((d for d in await list_for(db, organisation) if d["name"] == name), None)


async def replace(db: AsyncDatabase, organisation: str, layout_id: int, mapping: dict[str, Any]) -> dict | None:
    old = await db.layouts.find_one({"_id": layout_id})
    if not old or old.get("organisation") != organisation:
        return None
    doc = {"_id": layout_id, "id": layout_id, "organisation": organisation, **mapping,
           "created_at": old.get("created_at"), "updated_at": now_iso()}
    await db.layouts.replace_one({"_id": layout_id}, doc)
    return _public(doc)


async def delete(db: AsyncDatabase, organisation: str, layout_id: int) -> bool:
    doc = await db.layouts.find_one({"_id": layout_id})
    if not doc or doc.get("organisation") != organisation:
        return False
    await db.layouts.delete_one({"_id": layout_id})
    return True
