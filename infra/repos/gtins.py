"""GTIN documents of the description service in MongoDB (`gtins`, keyed by the 14-digit GTIN).

Stored document (`_id` = `id` = the GTIN normalised to 14 digits)::

    {"_id": "09506000134352", "id": "09506000134352", "type": "gtin",
     "name": str | None, "brand_id": str | None, "owner": participant URN,
     "gpc_segment": str | None, "gpc_family": str | None, "gpc_class": str | None,
     "gpc_brick": str | None, "gpc_brick_attributes": {attType code: attValue code},
     "attachments": [GDTI URN, ...],
     "sources": [{"id": participant URN, "type": participant type | "gs1",
                  "conditions": {"language": [ISO 639-1], "country": [ISO 3166 numeric]},
                  "data": [widget, ...]}],
     "version": int,            # +1 on every write; guards read-modify-write (optimistic)
     "created_at": iso, "updated_at": iso}

Item fields without a value (None, no brick attributes, no attachments) are left out of the
stored form and filled in on read (`compact`, `_filled`): the document store spends its time per
key it parses and copies, and most imported items have no GPC. Documents are read with their
widgets in the specification's form (`get`, `get_many`): ones
stored earlier in the older typed form (`{"type": "text", …}`) are converted on read and written
back in the new form by their next change. `public(doc)` is the API form (no `_id`, `version`
or timestamps). Every write goes by `_id`
(fast on nx-27017); bulk helpers batch 1,000 operations per `bulk_write`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from models.gtin.widgets import wire_sources
from topics.envelope import now_iso

BATCH = 1000
ITEM_FIELDS = ("name", "brand_id", "gpc_segment", "gpc_family", "gpc_class", "gpc_brick",
               "gpc_brick_attributes")
_INTERNAL = ("_id", "version", "created_at", "updated_at", "_outbox")


def new_document(gtin14: str, owner: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """A fresh document with every field present (missing item fields are None / empty)."""
    fields = fields or {}
    doc: dict[str, Any] = {"id": gtin14, "type": "gtin", "owner": owner}
    for name in ITEM_FIELDS:
        doc[name] = fields.get(name)
    doc["gpc_brick_attributes"] = (fields.get("gpc_brick_attributes")
                                   or _empty("gpc_brick_attributes"))
    doc["attachments"] = list(fields.get("attachments") or _empty("attachments"))
    doc["sources"] = list(fields.get("sources") or [])
    return doc


def public(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The API form of a stored document."""
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if k not in _INTERNAL}


_OPTIONAL = (*ITEM_FIELDS, "attachments")


def _empty(name: str) -> Any:
    """The value of an optional field that holds none (a new object each time)."""
    return {} if name == "gpc_brick_attributes" else [] if name == "attachments" else None


def compact(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a document: its optional fields only where they hold a value."""
    return {k: v for k, v in doc.items()
            if not (k in _OPTIONAL and (v is None or v == {} or v == []))}


def _stored(doc: dict[str, Any], version: int) -> dict[str, Any]:
    now = now_iso()
    body = compact(public(doc) or {})
    # events stored with the document (infra/outbox.py) and not yet sent are kept
    pending = {"_outbox": doc["_outbox"]} if doc.get("_outbox") else {}
    return {**body, "_id": body["id"], "version": version,
            "created_at": doc.get("created_at") or now, "updated_at": now, **pending}


def _filled(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with every item field present (None or empty where it has no value)."""
    for name in _OPTIONAL:
        if name not in doc:
            doc[name] = _empty(name)
    return doc


def _read(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document as read: every item field present, widgets of older documents in the
    specification's form."""
    _filled(doc)
    if "sources" in doc:
        doc["sources"] = wire_sources(doc["sources"])
    return doc


async def get(db: AsyncDatabase, gtin14: str) -> dict[str, Any] | None:
    """The stored document (with `version`), or None."""
    doc = await db.gtins.find_one({"_id": gtin14})
    return None if doc is None else _read(doc)


async def get_many(db: AsyncDatabase, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{gtin14: stored document} for the ids that exist (queried by `_id` in batches)."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        async for doc in db.gtins.find({"_id": {"$in": list(ids[start:start + BATCH])}}):
            out[doc["_id"]] = _read(doc)
    return out


async def insert(db: AsyncDatabase, doc: dict[str, Any]) -> bool:
    """Store a new document; False when this GTIN already exists."""
    stored = _stored(doc, 1)
    result = await db.gtins.update_one({"_id": stored["_id"]}, {"$setOnInsert": stored},
                                       upsert=True)
    return result.upserted_id is not None


async def replace(db: AsyncDatabase, doc: dict[str, Any],
                  expected_version: int | None = None) -> dict[str, Any] | None:
    """Write the whole document; with `expected_version`, only if nobody wrote it in between.

    Returns the stored document, or None when it is gone or its version moved on (re-read and
    retry). Without `expected_version` it is an upsert.
    """
    gtin14 = doc["id"]
    if expected_version is None:
        current = await get(db, gtin14)
        stored = _stored({**doc, "created_at": (current or {}).get("created_at")},
                         ((current or {}).get("version") or 0) + 1)
        await db.gtins.replace_one({"_id": gtin14}, stored, upsert=True)
        return _filled(stored)
    stored = _stored(doc, expected_version + 1)
    version: Any = expected_version or {"$in": [None, 0]}  # 0: a document written without one
    result = await db.gtins.replace_one({"_id": gtin14, "version": version}, stored)
    return _filled(stored) if result.matched_count else None


async def set_sources(db: AsyncDatabase, gtin14: str, sources: list[dict[str, Any]],
                      expected_version: int | None = None) -> bool:
    """Replace the sources of an existing document; False if it is missing (or version moved)."""
    query: dict[str, Any] = {"_id": gtin14}
    if expected_version is not None:
        query["version"] = expected_version
    result = await db.gtins.update_one(query, {"$set": {"sources": sources, "updated_at": now_iso()},
                                               "$inc": {"version": 1}})
    return result.matched_count == 1


async def delete(db: AsyncDatabase, gtin14: str) -> bool:
    """Remove the document (and with it all its sources); False if there was none."""
    result = await db.gtins.delete_one({"_id": gtin14})
    return result.deleted_count == 1


async def bulk_replace(db: AsyncDatabase, docs: Iterable[dict[str, Any]]) -> int:
    """Upsert whole documents by `_id` (version +1 over the given doc's), 1,000 per batch.

    For importers that read documents with get_many, change them, and write them back.
    Returns how many documents were written.
    """
    ops: list[ReplaceOne] = []
    count = 0
    for doc in docs:
        stored = _stored(doc, (doc.get("version") or 0) + 1)
        ops.append(ReplaceOne({"_id": stored["_id"]}, stored, upsert=True))
        if len(ops) >= BATCH:
            count += await _flush(db, ops)
    return count + await _flush(db, ops)


async def bulk_set_sources(db: AsyncDatabase, changes: Iterable[tuple[str, list[dict]]]) -> int:
    """Set `sources` of existing documents by `_id`, 1,000 per batch; returns matched count."""
    ops: list[UpdateOne] = []
    count = 0
    now = now_iso()
    for gtin14, sources in changes:
        ops.append(UpdateOne({"_id": gtin14}, {"$set": {"sources": sources, "updated_at": now},
                                               "$inc": {"version": 1}}))
        if len(ops) >= BATCH:
            count += await _flush(db, ops)
    return count + await _flush(db, ops)


async def _flush(db: AsyncDatabase, ops: list) -> int:
    if not ops:
        return 0
    result = await db.gtins.bulk_write(ops, ordered=False)
    ops.clear()
    return result.upserted_count + result.matched_count
