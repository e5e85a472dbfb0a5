"""Per-file snapshots and the organisation's all-time summary, in MongoDB.

A snapshot is keyed by file id, so a reimport replaces it; the summary is recomputed from the
snapshots of the organisation's processed files, so no file is ever counted twice (its distinct
counts are kept while those files' keys stay the same: `_distinct_counts`).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from typing import TYPE_CHECKING, Any

from pymongo.asynchronous.database import AsyncDatabase

from topics.envelope import now_iso

if TYPE_CHECKING:
    from models.sales.snapshot_io import Staged

MAX_ENTRIES = 1000  # per list in the snapshot document; every entry is in the pages object
CHUNK = 1000        # entries per page document of a snapshot stored as dicts (before Arrow pages)
KINDS = ("artists", "tracks", "releases")   # the summary's distinct keys, kept per file
KEYS_FORMAT = "arrow"                       # snapshot_keys: one binary value (older: string lists)
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
    await db.snapshot_pages.delete_many({"file_id": record["id"]})  # pages of an older format
    # an update, not a replacement (the embedded store cannot replace a document holding a
    # binary value); the lists an older document held as dicts go
    await db.snapshots.update_one(
        {"_id": record["id"]},
        {"$set": doc, "$unset": {name: "" for name in doc["first"]}}, upsert=True)
    await save_keys(db, record, staged.keys)


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


async def save_keys(db: AsyncDatabase, record: dict, keys: dict) -> None:
    """The file's summary keys as one binary Arrow value (`encode_keys`); a document of an older
    format loses its string lists. An update, not a replacement: the embedded store cannot
    replace a document holding a binary value."""
    from bson import Binary

    from models.sales.snapshot_io import encode_keys

    blob = Binary(await asyncio.to_thread(encode_keys, keys))
    await db.snapshot_keys.update_one(
        {"_id": record["id"]},
        {"$set": {"organisation": record["organisation"], "format": KEYS_FORMAT, "keys": blob,
                  "digest": _digest(blob)},
         "$unset": {kind: "" for kind in KINDS}}, upsert=True)


def _digest(blob: bytes) -> str:
    """What a keys document's `digest` says of its keys: a summary's counts are kept with the
    digests they were counted from (`_distinct_counts`)."""
    return hashlib.sha256(blob).hexdigest()[:32]


def _stamp(digests: list[tuple[int, str | None]]) -> str | None:
    """One value for the keys documents of a set of files (None when one has no digest: a
    document of the string-list format, counted every time)."""
    if not all(digest for _, digest in digests):
        return None
    return hashlib.sha256(json.dumps(sorted(digests)).encode()).hexdigest()


def _keys_of(doc: dict) -> dict:
    """A stored keys document's arrays, in either format."""
    import pyarrow as pa

    from models.sales.snapshot_io import decode_keys

    if doc.get("format") == KEYS_FORMAT:
        return decode_keys(bytes(doc["keys"]))
    return {kind: pa.array(doc.get(kind) or [], pa.string()) for kind in KINDS}


def _counted(docs: list[dict]) -> tuple[dict[str, int], str | None]:
    """The documents' distinct counts and the stamp of what was counted, digests taken from the
    keys read (not from their `digest` fields)."""
    stamp = _stamp([(doc["_id"], _digest(doc["keys"]) if doc.get("format") == KEYS_FORMAT else None)
                    for doc in docs])
    return distinct_keys(docs), stamp


async def _distinct_counts(db: AsyncDatabase, organisation: str, ids: list) -> dict[str, int]:
    """Distinct artists, tracks and releases over the files `ids`, counted again only when their
    keys documents changed since the last count (a file imported, reimported, voided or
    withdrawn): the counts are kept with the stamp of the documents they came from. Counting
    every file's keys on every summary grew with the organisation's history (200 files of the
    1 M-row benchmark file: 94 MB read and 1.1 s of counting per request)."""
    digests = [(d["_id"], d.get("digest")) async for d in
               db.snapshot_keys.find({"_id": {"$in": ids}}, {"digest": 1})]
    stamp = _stamp(digests)
    if stamp is not None:
        kept = await db.summary_counts.find_one({"_id": organisation, "stamp": stamp})
        if kept is not None:
            return {kind: kept[kind] for kind in KINDS}
    docs = [doc async for doc in db.snapshot_keys.find({"_id": {"$in": ids}})]
    distinct, counted = await asyncio.to_thread(_counted, docs)
    if counted is not None:   # kept under the stamp of the very documents counted
        await db.summary_counts.replace_one({"_id": organisation},
                                            {"_id": organisation, "stamp": counted, **distinct}, upsert=True)
    return distinct


def distinct_keys(docs: list[dict]) -> dict[str, int]:
    """How many distinct artists, tracks and releases the files' keys documents hold together."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = [_keys_of(doc) for doc in docs]
    return {kind: pc.count_distinct(pa.chunked_array([a[kind] for a in arrays if kind in a], pa.string())).as_py()
            for kind in KINDS}


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
    distinct = await _distinct_counts(db, organisation, ids)
    snaps = [snap async for snap in db.snapshots.find(
        {"_id": {"$in": ids}}, {"totals": 1, "reporting_period": 1, "byCurrency": 1, "conversion.currency": 1})]
    base = (await orgs.settings(db, organisation))["base_currency"]
    money = summarise(snaps, base, rate_table(await rate_repo.find(db, organisation)))
    summary = {"_id": organisation, "organisation": organisation, "files": len(ids),
               "artists": distinct["artists"], "releases": distinct["releases"], "tracks": distinct["tracks"],
               **money, "updated_at": now_iso()}
    await db.summaries.replace_one({"_id": organisation}, summary, upsert=True)
    return summary
