"""agents/importing.py (and agents/voiding.py, agents/withdraw.py): ImportSalesFile and
VoidSalesFile on cleaned files, without a broker."""
from __future__ import annotations

import pyarrow.parquet as pq

from agents.cleaning import snapshot_key, staging_key
from agents.importing import sales_key
from infra.repos import files as file_repo
from infra.repos import snapshots as snapshot_repo
from infra.repos import summary_counts
from models.sales.summary_keys import KINDS
from tests.unit.agents.sales_files import FILES, SALES, uploaded

IMPORT = "sales.import.commands"
BANDCAMP = SALES / "layouts" / "bandcamp-sales.csv"
TUNECORE = SALES / "layouts" / "tunecore-sales.csv"


async def cleaned(h, org: str, file_id: int, path=BANDCAMP) -> dict:
    await uploaded(h, org, file_id, path)
    await h.send("sales.cleaning.commands", file_id, "CleanSalesFile",
                 {"file_id": file_id, "attempt": 1})
    record = await file_repo.get(h.db, file_id)
    assert record["status"] == "CLEANED"
    h.clear()
    return record


async def test_import_writes_the_sales_parquet_snapshot_and_summary(h):
    org = await h.org()
    before = await cleaned(h, org, 701)
    sent = await h.send(IMPORT, 701, "ImportSalesFile", {"file_id": 701, "attempt": 1})
    assert [s.payload["status"] for s in sent] == ["PROCESSING", "PROCESSED", "FINALIZED"]
    record = await file_repo.get(h.db, 701)
    assert record["status"] == "FINALIZED" and record["parquet_key"] == sales_key(record)
    assert (record["total_rows"], record["total_local"], record["currency"]) == (3, "15.43", "EUR")
    store = await h.store()
    await store.download(sales_key(record), str(h.root / "sales.parquet"))
    assert pq.read_table(h.root / "sales.parquet").num_rows == 3
    assert await store.head(staging_key(before)) is None      # staging removed once PROCESSED
    assert await store.head(snapshot_key(before)) is None
    snapshot = await h.db.snapshots.find_one({"_id": 701})
    assert snapshot["totals"]["rows"] == 3 and snapshot["attempt"] == 1
    assert snapshot["keys_digest"] == (await h.db.snapshot_keys.find_one({"_id": 701}))["digest"]
    light = await h.db.file_summaries.find_one({"_id": 701})     # what the summary reads of it
    assert {k: light[k] for k in ("totals", "reporting_period", "byCurrency", "keys_digest")} == \
        {k: snapshot.get(k) for k in ("totals", "reporting_period", "byCurrency", "keys_digest")}
    assert snapshot["pages"]["key"] == snapshot_repo.pages_key(record, 1)   # the staged file, kept
    assert "byTrack" not in snapshot and set(snapshot["first"]) == {"byArtist", "byDSP", "byTerritory",
                                                                    "byTrack", "byRelease"}
    count, tracks = await snapshot_repo.page(h.db, 701, "byTrack", 1, 100, store)
    assert count == len(tracks) and tracks == (await snapshot_repo.get(h.db, 701))["byTrack"]
    summary = await h.db.summaries.find_one({"_id": org})
    assert summary["files"] == 1


async def test_two_files_add_up_in_the_summary(h):
    org = await h.org()
    for file_id, path in ((702, BANDCAMP), (703, TUNECORE)):
        await cleaned(h, org, file_id, path)
        await h.send(IMPORT, file_id, "ImportSalesFile", {"file_id": file_id, "attempt": 1})
    summary = await h.db.summaries.find_one({"_id": org})
    assert summary["files"] == 2
    # files imported before the summary's own documents: read from their snapshots, alike
    await h.db.file_summaries.delete_many({"_id": {"$in": [702, 703]}})
    again = await snapshot_repo.refresh_summary(h.db, org)
    assert {k: v for k, v in again.items() if k != "updated_at"} == \
        {k: v for k, v in summary.items() if k != "updated_at"}


async def test_a_stale_attempt_is_skipped(h):
    org = await h.org()
    await cleaned(h, org, 704)
    assert await h.send(IMPORT, 704, "ImportSalesFile", {"file_id": 704, "attempt": 5}) == []
    assert (await file_repo.get(h.db, 704))["status"] == "CLEANED"


async def test_lost_staged_rows_fail_the_import(h):
    org = await h.org()
    record = await cleaned(h, org, 705)
    await (await h.store()).delete(staging_key(record))
    await h.send(IMPORT, 705, "ImportSalesFile", {"file_id": 705, "attempt": 1})
    failed = h.last("SalesFileStatusChanged")
    assert failed["status"] == "FAILED"
    assert failed["status_cause"] in ("IMPORT_FAILED", "STORAGE_ERROR")
    assert failed["error_message"].startswith("import failed")


async def test_void_takes_the_rows_out_and_reimport_brings_them_back(h):
    org = await h.org()
    await cleaned(h, org, 706)
    await h.send(IMPORT, 706, "ImportSalesFile", {"file_id": 706, "attempt": 1})
    parquet = (await file_repo.get(h.db, 706))["parquet_key"]
    await h.send(FILES, 706, "VoidSalesFile", {"file_id": 706})
    voided = await file_repo.get(h.db, 706)
    assert voided["status"] == "VOIDED" and voided["parquet_key"] is None
    assert voided["voided"]["status_before"] == "FINALIZED"
    assert await (await h.store()).head(parquet) is None
    assert await h.db.snapshots.find_one({"_id": 706}) is None
    assert await (await h.store()).list(f"snapshots/org={org}/file=706/") == []
    assert (await h.db.summaries.find_one({"_id": org}))["files"] == 0
    assert await h.db.file_summaries.find_one({"_id": 706}) is None
    await h.send(FILES, 706, "ReimportSalesFile", {"file_id": 706})
    await h.settle()
    back = await file_repo.get(h.db, 706)
    assert (back["status"], back["attempt"], back["total_rows"]) == ("FINALIZED", 2, 3)
    kept = await (await h.store()).list(snapshot_repo.pages_prefix(back))
    assert [info.key for info in kept] == [snapshot_repo.pages_key(back, 2)]
    assert (await h.db.summaries.find_one({"_id": org}))["files"] == 1


async def test_an_import_without_its_attempt_is_dead_lettered(h):
    await h.send(IMPORT, 707, "ImportSalesFile", {"file_id": 707}, check=False)
    [letter] = h.dead_letters
    assert letter["topic"] == IMPORT and [e["field"] for e in letter["errors"]] == ["attempt"]


async def _imported_pages(h, org: str, file_id: int) -> list[dict]:
    await h.send(IMPORT, file_id, "ImportSalesFile", {"file_id": file_id, "attempt": 1})
    record = await file_repo.get(h.db, file_id)
    assert record["status"] == "FINALIZED"
    doc = await h.db.snapshots.find_one({"_id": file_id})
    assert doc["pages"]["key"] == snapshot_repo.pages_key(record, 1)
    count, tracks = await snapshot_repo.page(h.db, file_id, "byTrack", 1, 100, await h.store())
    assert count == len(tracks) == len((await snapshot_repo.get(h.db, file_id))["byTrack"]) > 0
    return tracks


async def test_a_snapshot_staged_whole_by_an_older_cleaning_is_paged_and_left_as_it_was(h):
    """The older staged format has no pages to keep: they are written to a file of their own,
    never into the downloaded one (a local store hands out a link to the staged object)."""
    from models.sales.snapshot import build_snapshot
    from models.sales.snapshot_io import write_snapshot

    org = await h.org()
    record = await cleaned(h, org, 708)
    store = await h.store()
    await store.download(staging_key(record), str(h.root / "rows.parquet"))
    snapshot = build_snapshot(pq.read_table(h.root / "rows.parquet"))
    older = h.root / "older.arrow"
    write_snapshot(snapshot, str(older))
    await store.put_file(snapshot_key(record), str(older))
    kept = older.read_bytes()
    assert await _imported_pages(h, org, 708) == snapshot.entries("byTrack")
    assert older.read_bytes() == kept


async def test_a_lost_staged_snapshot_is_recomputed_from_the_rows_and_paged(h):
    org = await h.org()
    record = await cleaned(h, org, 709)
    await (await h.store()).delete(snapshot_key(record))
    tracks = await _imported_pages(h, org, 709)
    assert sum(int(t["rows"]) for t in tracks) == 3


async def test_the_summary_counts_each_key_once_across_files_and_stored_formats(h):
    org = await h.org()
    for file_id, path in ((708, BANDCAMP), (709, TUNECORE)):
        await cleaned(h, org, file_id, path)
        await h.send(IMPORT, file_id, "ImportSalesFile", {"file_id": file_id, "attempt": 1})
    docs = {d["_id"]: d async for d in h.db.snapshot_keys.find({"_id": {"$in": [708, 709]}})}
    assert all(d["format"] == summary_counts.KEYS_FORMAT and "artists" not in d for d in docs.values())
    lists = {i: {kind: values.to_pylist() for kind, values in summary_counts.keys_of(d).items()}
             for i, d in docs.items()}
    for i in (708, 709):        # each file's keys are what its snapshot counted
        totals = (await h.db.snapshots.find_one({"_id": i}))["totals"]
        assert [len(lists[i][k]) for k in KINDS] == [totals[k] for k in KINDS]

    def union(extra: list[str]) -> list[int]:
        return [len(set(lists[708][k]) | set(lists[709][k]) | set(extra * (k == "artists")))
                for k in KINDS]

    summary = await h.db.summaries.find_one({"_id": org})
    assert summary["files"] == 2 and [summary[k] for k in KINDS] == union([])
    # a keys document written before the binary format (string lists), with a snapshot document
    # of its time (no digest of its keys), counts alike
    await h.db.snapshot_keys.delete_one({"_id": 709})
    older = {**lists[709], "artists": [*lists[709]["artists"], "Someone Else", lists[708]["artists"][0]]}
    await h.db.snapshot_keys.insert_one({"_id": 709, "organisation": org, **older})
    await h.db.snapshots.update_one({"_id": 709}, {"$unset": {"keys_digest": ""}})
    await h.db.file_summaries.delete_one({"_id": 709})
    summary = await snapshot_repo.refresh_summary(h.db, org)
    assert [summary[k] for k in KINDS] == union(["Someone Else"])
    # saved again, it takes the binary format and loses its lists
    digest = await summary_counts.save_keys(h.db, {"id": 709, "organisation": org},
                                            summary_counts.keys_of(docs[709]))
    await h.db.snapshots.update_one({"_id": 709}, {"$set": {"keys_digest": digest}})
    again = await h.db.snapshot_keys.find_one({"_id": 709})
    assert again["format"] == summary_counts.KEYS_FORMAT and "artists" not in again
    assert [(await snapshot_repo.refresh_summary(h.db, org))[k] for k in KINDS] == union([])


async def test_the_summary_counts_again_only_when_a_files_keys_change(h):
    """The distinct counts are kept with the digests of the keys they came from: a summary read
    while no file was imported, reimported or voided does not read every file's keys again."""
    import pyarrow as pa

    from models.sales.snapshot_io import encode_keys

    org = await h.org()
    for file_id, path in ((712, BANDCAMP), (713, TUNECORE)):
        await cleaned(h, org, file_id, path)
        await h.send(IMPORT, file_id, "ImportSalesFile", {"file_id": file_id, "attempt": 1})
    first = await snapshot_repo.refresh_summary(h.db, org)
    kept = await h.db.summary_counts.find_one({"_id": org})
    assert [kept[k] for k in KINDS] == [first[k] for k in KINDS]
    doc = await h.db.snapshot_keys.find_one({"_id": 713})
    keys = summary_counts.keys_of(doc)
    more = {**keys, "artists": pa.array([*keys["artists"].to_pylist(), "Someone Else"])}
    # the keys changed behind the digest's back: the counts kept are what a read gets
    await h.db.snapshot_keys.update_one({"_id": 713}, {"$set": {"keys": encode_keys(more)}})
    assert (await snapshot_repo.refresh_summary(h.db, org))["artists"] == first["artists"]
    # saved as the import saves them, their digest in the snapshot document: counted again
    digest = await summary_counts.save_keys(h.db, {"id": 713, "organisation": org}, more)
    await h.db.file_summaries.update_one({"_id": 713}, {"$set": {"keys_digest": digest}})
    assert (await snapshot_repo.refresh_summary(h.db, org))["artists"] == first["artists"] + 1
    # a file voided leaves the summary's files: counted again without it
    await h.send(FILES, 713, "VoidSalesFile", {"file_id": 713})
    alone = await snapshot_repo.refresh_summary(h.db, org)
    totals = (await h.db.snapshots.find_one({"_id": 712}))["totals"]
    assert alone["files"] == 1 and [alone[k] for k in KINDS] == \
        [totals[k] for k in KINDS]
