"""infra/repos/snapshots.py on the document store and object store: a multi-currency snapshot
whose Arrow pages stay in a pages object pages exactly like its full list, each page one ranged
read; snapshots saved before (Arrow or dict page documents, or no pages) are still served."""
from __future__ import annotations

import tempfile
from decimal import Decimal

import pyarrow as pa
import pytest

from infra.repos import snapshots as repo
from models.sales.schema import CANONICAL_SCHEMA
from models.sales.snapshot import build_snapshot, summary_keys
from models.sales.snapshot_io import (
    PAGE_BYTES,
    PAGE_ROWS,
    Staged,
    decode_keys,
    key_lists,
    page_rows,
    stage,
    write_staged,
)

CURRENCIES = ["EUR", "GBP", "JPY"]


def multi_currency(tracks: int) -> pa.Table:
    """Each track sold in three currencies: 3 × `tracks` byTrack entries, amounts to 1e-18."""
    n = tracks * len(CURRENCIES)
    return pa.table({
        **{f.name: pa.nulls(n, f.type) for f in CANONICAL_SCHEMA},
        "artist": [f"Artist {i % 97}" for i in range(n)],
        "track_title": [f"Track {i // 3}" for i in range(n)],
        "isrc": [f"GBXYZ24{i // 3:05d}" for i in range(n)],
        "dsp": ["Spotify"] * n, "territory": ["GB"] * n, "statement_period": ["2025-06"] * n,
        "currency": [CURRENCIES[i % 3] for i in range(n)],
        "quantity": pa.array(range(n), pa.int64()),
        "revenue": pa.array([Decimal(i) / 10**18 + i % 7 for i in range(n)], CANONICAL_SCHEMA.field("revenue").type),
        "revenue_converted": pa.array([None if i % 11 == 0 else Decimal(i) / 10**17 for i in range(n)],
                                      CANONICAL_SCHEMA.field("revenue").type),
        "line": pa.array(range(n), pa.int64())}).select(CANONICAL_SCHEMA.names).cast(CANONICAL_SCHEMA)


async def save(h, record: dict, staged: Staged, attempt: int, extra: dict | None = None) -> str:
    """As the import agent does: the staged file put as the pages object, then the document."""
    store = await h.store()
    key = repo.pages_key(record, attempt)
    with tempfile.TemporaryDirectory() as tmp:
        write_staged(staged, f"{tmp}/pages")
        await store.put_file(key, f"{tmp}/pages")
    await repo.save(h.db, record, staged, attempt, extra, key)
    return key


class Reads:
    """The store, counting the bytes each ranged read asks for."""

    def __init__(self, store):
        self.store, self.sizes = store, []

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        self.sizes.append(length)
        return await self.store.read_range(key, start, length)


async def test_arrow_pages_give_every_entry_exactly_and_the_document_its_first(h):
    snap = build_snapshot(multi_currency(4000))
    full = snap.to_dict()
    record = {"id": 9101, "organisation": await h.org(), "reporting_period": "2025-06"}
    staged = stage(snap)
    assert key_lists(staged.keys) == summary_keys(snap)
    key = await save(h, record, staged, 1, {"conversion": None})
    doc = await repo.get(h.db, 9101)
    assert "pages" not in doc and doc["counts"]["byTrack"] == 12000
    assert doc["truncated"] == {"byTrack": 12000}
    assert doc["byTrack"] == full["byTrack"][:repo.MAX_ENTRIES]
    assert doc["byCurrency"] == full["byCurrency"] and doc["totals"] == full["totals"]
    assert await h.db.snapshot_pages.count_documents({"file_id": 9101}) == 0
    spans = (await h.db.snapshots.find_one({"_id": 9101}))["pages"]["spans"]["byTrack"]
    assert len(spans) == 12000 // PAGE_ROWS + 1
    assert spans[-1][0] + spans[-1][1] <= (await (await h.store()).head(key)).size
    reads = Reads(await h.store())
    stored = await h.db.snapshot_keys.find_one({"_id": 9101})
    assert key_lists(decode_keys(bytes(stored["keys"]))) == summary_keys(snap)
    for size in (1000, 777):
        seen, page = [], 1
        while True:
            count, entries = await repo.page(h.db, 9101, "byTrack", page, size, reads)
            assert count == 12000
            if not entries:
                break
            seen += entries
            page += 1
        assert seen == full["byTrack"], size
    assert any(e.get("unconverted_rows") for e in seen)           # partly converted entries
    assert any(len(e["revenue"].partition(".")[2]) == 18 for e in seen)   # to the last decimal
    assert await repo.page(h.db, 9101, "byTrack", 13, 1000, reads) == (12000, [])
    assert max(reads.sizes) <= 2 * max(length for _, length in spans)   # a page, never the object


def test_long_entries_get_smaller_page_documents():
    assert page_rows(10_000 * 200, 10_000) == PAGE_ROWS
    assert page_rows(1_000 * 40_000, 1_000) * 40_000 <= PAGE_BYTES
    assert page_rows(0, 0) == PAGE_ROWS


async def test_a_reimport_replaces_the_pages(h):
    record = {"id": 9102, "organisation": await h.org()}
    first = await save(h, record, stage(build_snapshot(multi_currency(3000))), 1)
    small = build_snapshot(multi_currency(10))
    second = await save(h, record, stage(small), 2)
    assert first != second
    assert await repo.page(h.db, 9102, "byTrack", 1, 1000, await h.store()) == (30, small.to_dict()["byTrack"])


async def test_snapshots_stored_before_arrow_pages_are_still_served(h):
    entries = [{"name": f"T{i}", "currency": "EUR", "quantity": "1", "revenue": f"{i}.5",
                "revenue_converted": None, "rows": 1} for i in range(2500)]
    await h.db.snapshots.insert_one({"_id": 9103, "counts": {"byTrack": 2500}, "byTrack": entries[:1000]})
    await h.db.snapshot_pages.insert_many([
        {"_id": f"9103:byTrack:{c}", "file_id": 9103, "group": "byTrack", "chunk": c,
         "entries": entries[c * repo.CHUNK:(c + 1) * repo.CHUNK]} for c in range(3)])
    assert await repo.page(h.db, 9103, "byTrack", 2, 700) == (2500, entries[700:1400])
    staged = stage(build_snapshot(multi_currency(1000)))                 # Arrow page documents
    listed = staged.lists["byTrack"]
    await h.db.snapshots.insert_one({"_id": 9105, "counts": {"byTrack": listed.count},
                                     "pages": {"format": "arrow", "rows": {"byTrack": listed.rows}}})
    await h.db.snapshot_pages.insert_many([
        {"_id": f"9105:byTrack:{c}", "file_id": 9105, "group": "byTrack", "chunk": c, "arrow": data}
        for c, data in enumerate(listed.pages)])
    assert await repo.page(h.db, 9105, "byTrack", 3, 900) == (3000, staged.first("byTrack", 2700)[1800:])
    await h.db.snapshots.insert_one({"_id": 9104, "byTrack": entries[:30]})     # no pages at all
    assert await repo.page(h.db, 9104, "byTrack", 2, 20) == (30, entries[20:30])


class Replaced(Reads):
    """The pages object gone at the first read, as when a reimport replaced it meanwhile."""

    def __init__(self, store, replace) -> None:
        super().__init__(store)
        self.replace = replace

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        if self.replace is not None:
            replace, self.replace = self.replace, None
            await replace()
            await self.store.delete(key)
        return await super().read_range(key, start, length)


async def test_a_page_read_follows_a_reimport_that_replaced_the_pages_meanwhile(h):
    from infra.storage.base import ObjectNotFound

    record = {"id": 9106, "organisation": await h.org()}
    await save(h, record, stage(build_snapshot(multi_currency(300))), 1)
    small = build_snapshot(multi_currency(10))
    replaced = Replaced(await h.store(), lambda: save(h, record, stage(small), 2))
    assert await repo.page(h.db, 9106, "byTrack", 1, 1000, replaced) == (30, small.to_dict()["byTrack"])
    await (await h.store()).delete(repo.pages_key(record, 2))                 # lost for good
    with pytest.raises(ObjectNotFound):
        await repo.page(h.db, 9106, "byTrack", 1, 1000, await h.store())


async def test_a_document_keeps_its_first_entries_as_arrow_and_replaces_an_older_one(h):
    snap = build_snapshot(multi_currency(1500))
    full = snap.to_dict()
    record = {"id": 9108, "organisation": await h.org(), "reporting_period": "2025-06"}
    # a document written before: every list's first entries as dicts
    await h.db.snapshots.insert_one({"_id": 9108, "file_id": 9108, "totals": full["totals"],
                                     **{name: full[name][:3] for name in full if name != "totals"}})
    for attempt in (1, 2):                  # over the older document, then over its own kind
        await save(h, record, stage(snap), attempt)
        raw = await h.db.snapshots.find_one({"_id": 9108})
        assert raw["attempt"] == attempt and "byTrack" not in raw and raw["byCurrency"] == full["byCurrency"]
        assert all(isinstance(blob, bytes) for blob in raw["first"].values())
        doc = await repo.get(h.db, 9108)
        assert "first" not in doc and doc["totals"] == full["totals"]
        for name in ("byArtist", "byDSP", "byTerritory", "byTrack", "byRelease", "byCurrency"):
            assert doc[name] == full[name][:repo.MAX_ENTRIES], name
        assert doc["counts"]["byTrack"] == len(full["byTrack"]) == 4500
