"""Bulk writes of an import batch into `gtins` (document shape: infra/repos/gtins.py) and
`brands`. Re-applying a batch gives the same documents: a participant's source is merged by
its conditions, so a line written twice still leaves one source (and counts `unchanged`)."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from pymongo import InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from infra.repos import gtins
from models.gtin import Ok, Participant, merge_sources, replace_included
from models.gtin.import_spec import ImportSpec
from models.gtin.reimport import item_changes
from topics.envelope import now_iso


def brand_id(owner: str, name: str) -> str:
    """Deterministic brand id per owner and (case-folded) brand name."""
    digest = hashlib.sha256(f"{owner}\n{name.strip().casefold()}".encode()).hexdigest()[:16]
    return f"brand-{digest}"


async def ensure_brands(db: AsyncDatabase, owner: str, names: set[str],
                        known: set[str] | None = None) -> dict[str, str]:
    """{brand name: brand id}, creating the brand documents that do not exist yet. `known`:
    names already ensured by the caller (an import run), skipped and then extended."""
    ids = {name: brand_id(owner, name) for name in names}
    todo = {name: bid for name, bid in ids.items() if known is None or name not in known}
    if todo:
        now = now_iso()
        await db.brands.bulk_write([
            UpdateOne({"_id": bid}, {"$setOnInsert": {"_id": bid, "id": bid, "name": name,
                                                      "owner": owner, "type": "brand",
                                                      "created_at": now}}, upsert=True)
            for name, bid in todo.items()], ordered=False)
        if known is not None:
            known.update(todo)
    return ids


async def prepare_batch(db: AsyncDatabase, oks: Sequence[Ok], participant: Participant,
                        spec: ImportSpec, known_brands: set[str] | None = None,
                        pending: dict[str, dict[str, Any]] | None = None
                        ) -> tuple[list[InsertOne | UpdateOne], dict[str, dict[str, Any]],
                                   dict[str, int]]:
    """The writes of a batch, the documents as they will be after them ({gtin: doc}) and how
    many lines `created`, `updated` or left `unchanged` a GTIN.

    Lines of one GTIN in a batch apply in file order. A GTIN created by this batch starts with
    the line's source as is (`map_line` already validated it). A line for an existing GTIN sets
    the item fields it provides (models.gtin.reimport) and merges its source; a line that
    changes nothing writes nothing. Pass the same `known_brands` set for every batch of a run
    to upsert each brand once per run. `pending`: the documents of the batch whose writes are
    still in flight (its result here), used instead of the store for the GTINs they hold, so
    the next batch is prepared while the previous one is written."""
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    if not oks:
        return [], {}, tally
    pending = pending or {}
    wanted = list(dict.fromkeys(o.gtin for o in oks))
    existing = {g: pending[g] for g in wanted if g in pending}
    existing.update(await gtins.get_many(db, [g for g in wanted if g not in pending]))
    brands = await ensure_brands(db, participant.id, {o.brand for o in oks if o.brand}, known_brands)
    now = now_iso()
    created: dict[str, dict[str, Any]] = {}
    changed: dict[str, dict[str, Any]] = {}  # gtin -> fields to $set
    touched: dict[str, dict[str, Any]] = {}
    replace = spec.replace_included_conditions and not participant.system
    for ok in oks:
        doc = existing.get(ok.gtin) or created.get(ok.gtin)
        brand = brands.get(ok.brand) if ok.brand else None
        if doc is None:
            fields = {"name": ok.name, "brand_id": brand, **ok.gpc}
            doc = gtins.new_document(ok.gtin, participant.id, fields)
            doc["sources"] = [ok.source]
            doc.update(_id=ok.gtin, version=1, created_at=now, updated_at=now)  # stored form
            created[ok.gtin] = touched[ok.gtin] = doc
            tally["created"] += 1
            continue
        doc = touched.setdefault(ok.gtin, dict(doc))  # never change the caller's copy
        sources = list(doc.get("sources") or [])
        if replace:
            sources = replace_included(sources, participant.id, spec.conditions)
        sources = merge_sources(sources, participant, [ok.source], system=participant.system)
        fields = item_changes(doc, participant, ok.name, brand, ok.gpc)
        if sources != doc.get("sources"):
            fields["sources"] = sources
        if not fields:
            tally["unchanged"] += 1
            continue
        tally["updated"] += 1
        doc.update(fields)
        if ok.gtin not in created:
            changed.setdefault(ok.gtin, {}).update(fields)
    ops: list[InsertOne | UpdateOne] = [InsertOne(gtins.compact(doc)) for doc in created.values()]
    ops += [UpdateOne({"_id": gtin}, {"$set": {**fields, "updated_at": now},
                                      "$inc": {"version": 1}}) for gtin, fields in changed.items()]
    return ops, touched, tally


async def write_batch(db: AsyncDatabase, ops: Sequence[InsertOne | UpdateOne]) -> None:
    """Send a batch's writes, 1,000 operations per `bulk_write`.

    A GTIN the batch creates was missing when the batch was prepared, so it is inserted (a plain
    insert costs the embedded store ~10 % less than an upsert, which looks the `_id` up first).
    One that another writer created in between is written over, as an upsert of the same
    document would have (the line is counted `created` either way)."""
    for start in range(0, len(ops), gtins.BATCH):
        chunk = list(ops[start:start + gtins.BATCH])
        try:
            await db.gtins.bulk_write(chunk, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            taken = [chunk[e["index"]] for e in errors if e.get("code") == 11000
                     and isinstance(chunk[e["index"]], InsertOne)]
            if len(taken) < len(errors):
                raise
            await db.gtins.bulk_write([ReplaceOne({"_id": op._doc["_id"]}, op._doc, upsert=True)
                                       for op in taken], ordered=False)
