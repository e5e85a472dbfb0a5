"""agents/cleaning.py (and the zip members of agents/zip_upload.py, the duplicate check of
agents/statements.py): CleanSalesFile on real uploads, without a broker."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pyarrow.parquet as pq

from agents.cleaning import snapshot_key, staging_key
from infra.repos import files as file_repo
from tests.unit.agents.sales_files import FILES, SALES, uploaded

CLEAN = "sales.cleaning.commands"
BANDCAMP = SALES / "layouts" / "bandcamp-sales.csv"


async def test_a_small_csv_ends_cleaned_with_its_rows_staged(h):
    org = await h.org()
    await uploaded(h, org, 601, BANDCAMP)
    h.clear()
    sent = await h.send(CLEAN, 601, "CleanSalesFile", {"file_id": 601, "attempt": 1})
    statuses = [s.payload["status"] for s in sent if s.type == "SalesFileStatusChanged"]
    assert statuses == ["CLEANING", "CLEANED"]
    cleaned = h.last("SalesFileStatusChanged")["fields"]
    assert (cleaned["total_rows"], cleaned["bad_rows"], cleaned["layout"]) == (3, 0, "bandcamp")
    assert cleaned["currency"] == "EUR" and cleaned["reporting_period"] == "2025-03"
    assert (sent[-1].topic, sent[-1].type, sent[-1].payload) == (
        "sales.import.commands", "ImportSalesFile", {"file_id": 601, "attempt": 1})
    record = await file_repo.get(h.db, 601)
    assert (record["status"], record["total_rows"]) == ("CLEANED", 3)
    store = await h.store()
    path = h.root / "staged.parquet"
    await store.download(staging_key(record), str(path))
    table = pq.read_table(path)
    assert table.num_rows == 3
    assert sum(Decimal(str(v)) for v in table.column("revenue").to_pylist()) == \
        Decimal("0.98") + Decimal("13.6") + Decimal("0.85")
    assert await store.head(snapshot_key(record)) is not None


async def test_a_stale_attempt_is_skipped(h):
    org = await h.org()
    await uploaded(h, org, 602, BANDCAMP)
    h.clear()
    assert await h.send(CLEAN, 602, "CleanSalesFile", {"file_id": 602, "attempt": 2}) == []
    assert (await file_repo.get(h.db, 602))["status"] == "UPLOADED"


async def test_a_file_that_is_no_sales_report_fails_unknown_layout(h):
    org = await h.org()
    await uploaded(h, org, 603, SALES / "layouts" / "not-a-report.txt")
    await h.send(CLEAN, 603, "CleanSalesFile", {"file_id": 603, "attempt": 1})
    failed = h.last("SalesFileStatusChanged")
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "UNKNOWN_LAYOUT")
    assert "header found" in failed["error_message"]
    assert not h.events_of("ImportSalesFile")
    assert (await file_repo.get(h.db, 603))["status_cause"] == "UNKNOWN_LAYOUT"


async def test_the_same_bytes_again_fail_as_a_duplicate_naming_the_original(h):
    org = await h.org()
    await uploaded(h, org, 604, BANDCAMP)
    await h.settle()
    assert (await file_repo.get(h.db, 604))["status"] == "FINALIZED"
    await uploaded(h, org, 605, BANDCAMP)
    await h.send(CLEAN, 605, "CleanSalesFile", {"file_id": 605, "attempt": 1})
    failed = h.last("SalesFileStatusChanged")
    assert (failed["file_id"], failed["status_cause"]) == (605, "DUPLICATE")
    assert failed["fields"]["duplicate_of"] == 604
    assert "allow_duplicate_of=604" in failed["error_message"]


async def test_a_zip_upload_registers_its_members_and_lists_what_it_skipped(h):
    org = await h.org()
    archive = h.root / "batch.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.write(BANDCAMP, "march/bandcamp-sales.csv")
        zf.writestr("notes.pdf", b"%PDF-1.4 not a sales file")
    archive.write_bytes(buffer.getvalue())
    await uploaded(h, org, 606, archive)
    h.clear()
    await h.send(CLEAN, 606, "CleanSalesFile", {"file_id": 606, "attempt": 1})
    [create] = h.events_of("CreateSalesFile", FILES)
    assert (create["filename"], create["filetype"], create["organisation"]) == (
        "bandcamp-sales.csv", "CSV", org)
    assert create["source"] == {"kind": "zip_upload", "archive_file_id": 606,
                                "member": "march/bandcamp-sales.csv"}
    assert [s.type for s in h.sent if s.topic == FILES] == [
        "CreateSalesFile", "StartSalesFileUpload", "ProcessSalesFile"]
    zipped = await file_repo.get(h.db, 606)
    assert zipped["status"] == "FINALIZED"
    assert [f["filename"] for f in zipped["archive"]["files"]] == ["bandcamp-sales.csv"]
    assert [s["path"] for s in zipped["archive"]["skipped"]] == ["batch.zip/notes.pdf"]
    await h.settle()  # the member goes through the whole pipeline
    member = await file_repo.get(h.db, create["id"])
    assert (member["status"], member["total_rows"]) == ("FINALIZED", 3)


async def test_an_invalid_command_is_dead_lettered_with_its_field(h):
    await h.send(CLEAN, 607, "CleanSalesFile", {"file_id": 607, "attempt": -1}, check=False)
    [letter] = h.dead_letters
    assert letter["topic"] == CLEAN and [e["field"] for e in letter["errors"]] == ["attempt"]
    assert [s.type for s in h.sent] == ["MessageDeadLettered"]
