"""Per-file snapshots and the organisation's all-time summary, in MongoDB.

A snapshot is keyed by file id, so a reimport replaces it; the summary is recomputed from the
snapshots of the organisation's processed files, so no file is ever counted twice (its distinct
counts come from a union of the files' keys kept between summaries: `summary_counts`).
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.repos import summary_counts
from topics.envelope import now_iso

if TYPE_CHECKING:
    from models.sales.snapshot_io import Staged

MAX_ENTRIES = 1000  # per list in the snapshot document; every entry is in the pages object
CHUNK = 1000        # entries per page document of a snapshot stored as dicts (before Arrow pages)
AS_DOCUMENTS = ("byCurrency",)              # lists the document keeps as dicts (the summary reads them)


def pages_prefix(record: dict) -> str:
    return f"snapshots/org={record['organisation']}/file={record['id']}/"


def pages_key(record: dict, attempt: int) -> str:
    """One object per attempt, so a page read during a reimport still finds the pages its
    document points at; the older attempts' objects go once the new document is saved."""
    return f"{pages_prefix(record)}attempt={attempt}.pages"


async def save(db: AsyncDatabase, record: dict, staged: Staged, attempt: int,
               extra: dict | None, key: str) -> None:
    """The snapshot document (its totals, `extra` fields, each list's first MAX_ENTRIES entries
    with its exact `counts`, and where each Arrow IPC page of every list lies in the pages
    object `key`, the staged file the cleaning wrote, `models.sales.snapshot_io.write_staged`)
    and the organisation summary's keys. The pages stay in object storage as they are: a
    1 M-row file's 750 k entries are no longer bulk-written into MongoDB page by page.

    The first entries are kept as Arrow IPC (`first`: one binary value per list, `get` makes
    them dicts), byCurrency (a few entries, which the summary reads) as dicts: 3,000 entries as
    documents took 17 ms to build and 17-60 ms to write in the embedded store, as Arrow 6 ms and 4 ms."""
    from bson import Binary

    doc: dict[str, Any] = {"file_id": record["id"], "organisation": record["organisation"],
                           "reporting_period": record.get("reporting_period"),
                           "attempt": attempt, "created_at": now_iso(), "truncated": {}, "counts": {},
                           "pages": {"format": "arrow-object", "key": key, "rows": {}, "spans": {}},
                           "first": {}, "totals": staged.totals, **(extra or {})}

    def prepare() -> None:
        for name, listed in staged.lists.items():
            doc["counts"][name] = listed.count
            if listed.count > MAX_ENTRIES:
                doc["truncated"][name] = listed.count
            if name in AS_DOCUMENTS:
                doc[name] = staged.first(name, MAX_ENTRIES)
            else:
                first = staged.first_encoded(name, MAX_ENTRIES)
                doc["first"][name] = None if first is None else Binary(first)
            doc["pages"]["rows"][name] = listed.rows
            doc["pages"]["spans"][name] = listed.spans()

    await asyncio.to_thread(prepare)
    # the keys first, so the document names the digest of the keys saved (`keys_digest`: the
    # summary lists the files' keys from the documents it reads anyway, `summary_counts`)
    doc["keys_digest"] = await summary_counts.save_keys(db, record, staged.keys)
    await db.snapshot_pages.delete_many({"file_id": record["id"]})  # pages of an older format
    # an update, not a replacement (the embedded store cannot replace a document holding a
    # binary value); the lists an older document held as dicts go
    await db.snapshots.update_one(
        {"_id": record["id"]},
        {"$set": doc, "$unset": {name: "" for name in doc["first"]}}, upsert=True)
    await db.file_summaries.update_one({"_id": record["id"]}, {"$set": _summary_of(doc)}, upsert=True)


_SUMMARY_FIELDS = {"totals": 1, "reporting_period": 1, "byCurrency": 1, "conversion.currency": 1,
                   "keys_digest": 1}


def _summary_of(doc: dict) -> dict:
    """What the organisation summary reads of a snapshot document (`file_summaries`, `_SUMMARY_FIELDS`):
    a few hundred bytes, where the snapshot document holds its lists' first entries (131 KB for
    the 1 M-row file) and the embedded store reads a document whole for any of its fields (200
    snapshot documents: 0.18-0.34 s)."""
    conversion = doc.get("conversion")
    return {"organisation": doc["organisation"], "totals": doc["totals"],
            "reporting_period": doc.get("reporting_period"), "byCurrency": doc.get("byCurrency"),
            "conversion": {"currency": conversion.get("currency")} if isinstance(conversion, dict) else None,
            "keys_digest": doc.get("keys_digest")}


async def get(db: AsyncDatabase, file_id: int) -> dict | None:
    doc = await db.snapshots.find_one({"_id": file_id}, {"pages": 0})
    if doc:
        doc.pop("_id", None)
        first = doc.pop("first", None) or {}
        if first:
            doc.update(await asyncio.to_thread(_first_entries, first))
    return doc


def _first_entries(first: dict) -> dict[str, list[dict]]:
    from models.sales.snapshot import entries
    from models.sales.snapshot_io import decode

    return {name: [] if blob is None else entries(decode(bytes(blob))) for name, blob in first.items()}


async def page(db: AsyncDatabase, file_id: int, group: str, page_no: int, size: int,
               store=None) -> tuple[int, list[dict]]:
    """(exact count, entries of page `page_no` (1-based) of `size`) of one list of a snapshot:
    only the one or two pages that hold it are read (one ranged read of the pages object in
    `store`), and only its entries become dicts. A reimport that replaced the pages object
    between the document's read and the object's is followed to the new document, once."""
    from infra.storage.base import ObjectNotFound

    try:
        return await _page(db, file_id, group, page_no, size, store)
    except ObjectNotFound:
        return await _page(db, file_id, group, page_no, size, store)


async def _page(db: AsyncDatabase, file_id: int, group: str, page_no: int, size: int,
                store) -> tuple[int, list[dict]]:
    doc = await db.snapshots.find_one({"_id": file_id}, {"counts": 1, "pages": 1, group: 1})
    if doc is None:
        return 0, []
    count = (doc.get("counts") or {}).get(group)
    if count is None:                       # stored before pages existed: the document's list
        entries = doc.get(group) or []
        return len(entries), entries[(page_no - 1) * size:page_no * size]
    start, end = (page_no - 1) * size, min(page_no * size, count)
    if start >= end:
        return count, []
    pages = doc.get("pages") or {}
    fmt = pages.get("format")
    rows = pages["rows"][group] if fmt in ("arrow", "arrow-object") else CHUNK  # older: dicts
    chunks = range(start // rows, (end - 1) // rows + 1)
    offset = start - chunks[0] * rows
    if fmt == "arrow-object":
        blobs = await _object_pages(store, pages["key"], pages["spans"][group][chunks[0]:chunks[-1] + 1])
        return count, await asyncio.to_thread(_arrow_entries, blobs, offset, end - start)
    found = {d["chunk"]: d async for d in db.snapshot_pages.find(
        {"file_id": file_id, "group": group, "chunk": {"$in": list(chunks)}})}
    if fmt != "arrow":
        entries = [e for c in chunks for e in found.get(c, {}).get("entries", [])]
        return count, entries[offset:offset + (end - start)]
    return count, await asyncio.to_thread(_arrow_entries, [found[c]["arrow"] for c in chunks if c in found],
                                          offset, end - start)


async def _object_pages(store, key: str, spans: list[list[int]]) -> list[bytes]:
    """The pages at `spans` (adjacent in the object), read in one ranged request."""
    if not spans:
        return []
    first = spans[0][0]
    data = await store.read_range(key, first, spans[-1][0] + spans[-1][1] - first)
    return [data[at - first:at - first + length] for at, length in spans]


def _arrow_entries(blobs: list[bytes], offset: int, length: int) -> list[dict]:
    import pyarrow as pa

    from models.sales.snapshot import entries
    from models.sales.snapshot_io import decode

    if not blobs:
        return []
    return entries(pa.concat_tables([decode(b) for b in blobs]).slice(offset, length))


async def refresh_summary(db: AsyncDatabase, organisation: str) -> dict:
    """All-time summary over the files with rows: distinct artists, tracks (ISRC, else artist and
    title), releases (UPC, else artist and release title); revenue per currency and per period,
    and converted to the base currency with the rates each file used (rates added since fill in
    lines that had none; what still has no rate is listed and marks the total incomplete)."""
    from infra.repos import orgs
    from infra.repos import rates as rate_repo
    from models.rates import rate_table
    from models.sales.money_summary import summarise

    ids = [d["_id"] async for d in db.files.find(
        {"organisation": organisation, "status": {"$in": ["PROCESSED", "FINALIZED"]},
         "total_rows": {"$gt": 0}}, {"_id": 1})]
    found = {doc["_id"]: doc async for doc in db.file_summaries.find({"_id": {"$in": ids}})}
    older = [file_id for file_id in ids if file_id not in found]   # imported before file_summaries
    if older:
        found |= {doc["_id"]: doc async for doc in db.snapshots.find({"_id": {"$in": older}}, _SUMMARY_FIELDS)}
    snaps = list(found.values())
    distinct = await summary_counts.distinct_counts(
        db, organisation, ids, {snap["_id"]: snap.get("keys_digest") for snap in snaps})
    base = (await orgs.settings(db, organisation))["base_currency"]
    money = summarise(snaps, base, rate_table(await rate_repo.find(db, organisation)))
    summary = {"_id": organisation, "organisation": organisation, "files": len(ids),
               "artists": distinct["artists"], "releases": distinct["releases"], "tracks": distinct["tracks"],
               **money, "updated_at": now_iso()}
    await db.summaries.replace_one({"_id": organisation}, summary, upsert=True)
    return summary
