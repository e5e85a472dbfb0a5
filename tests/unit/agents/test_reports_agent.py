"""agents/reports.py: monthly and unmatched reports over imported sales, without a broker."""
from __future__ import annotations

import csv
import gzip
import io

from infra.repos import reports as repo
from tests.unit.agents.catalogs import imported
from tests.unit.agents.sales_files import SALES, uploaded

REPORTS = "reports.commands"


def statuses(h, report_id: int) -> list[str]:
    return h.statuses("report_id", report_id, "ReportStatusChanged")


async def finalized(h, org: str, file_id: int, path=SALES / "generic.tsv") -> None:
    await uploaded(h, org, file_id, path)
    await h.settle()


async def rows_of(h, report_id: int) -> list[dict]:
    record = await repo.get(h.db, report_id)
    data = await (await h.store()).get(record["object_key"])
    text = gzip.decompress(data).decode()
    assert text.endswith("\r\n")  # RFC 4180 line ends
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_monthly_report_lists_the_catalog_matched_sales(h):
    org = await h.org()
    await imported(h, org, 1)
    await finalized(h, org, 901)
    h.clear()
    await h.send(REPORTS, 31, "CreateReport", {"report_id": 31, "organisation": org,
                                               "type": "monthly", "period": "2025-06"})
    assert statuses(h, 31)[0] == "PENDING" and statuses(h, 31)[-1] == "DONE"
    assert set(statuses(h, 31)[1:-1]) == {"RUNNING"}
    rows = await rows_of(h, 31)
    assert [(r["isrc"], r["matched_on"], r["catalog_label"]) for r in rows] == [
        ("QZABC2500012", "isrc", "Harness Rec")] * 2
    assert sorted(r["quantity"] for r in rows) == ["1", "4"]
    record = await repo.get(h.db, 31)
    assert record["status"] == "DONE" and record["snapshot"]["catalog_version"] == 1
    assert [f["file_id"] for f in record["snapshot"]["files"]] == [901]


async def test_an_unmatched_report_without_a_catalog_lists_every_sale(h):
    org = await h.org()
    await finalized(h, org, 902)
    await h.send(REPORTS, 32, "CreateReport", {"report_id": 32, "organisation": org,
                                               "type": "unmatched", "period": "2025-06"})
    rows = await rows_of(h, 32)
    assert [r["reason"] for r in rows] == ["no_catalog", "no_catalog"]


async def test_a_period_without_sales_gives_the_header_alone(h):
    org = await h.org()
    await h.send(REPORTS, 33, "CreateReport", {"report_id": 33, "organisation": org,
                                               "type": "monthly", "period": "2024-01"})
    assert statuses(h, 33)[-1] == "DONE"
    assert await rows_of(h, 33) == []


async def test_lost_sales_fail_the_report_sales_missing(h):
    org = await h.org()
    await finalized(h, org, 903)
    record = await h.db.files.find_one({"_id": 903})
    await (await h.store()).delete(record["parquet_key"])
    await h.send(REPORTS, 34, "CreateReport", {"report_id": 34, "organisation": org,
                                               "type": "monthly", "period": "2025-06"})
    failed = h.last("ReportStatusChanged")
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "SALES_MISSING")
    assert "file 903" in failed["error_message"]
    assert (await repo.get(h.db, 34))["status"] == "FAILED"


async def test_an_unknown_organisation_is_rejected(h):
    sent = await h.send(REPORTS, 35, "CreateReport", {"report_id": 35, "organisation": "org-404",
                                                      "type": "monthly", "period": "2025-06"})
    assert [s.type for s in sent] == ["ReportRejected"]
    assert sent[0].payload["reason"] == "unknown organisation 'org-404'"
    assert await repo.get(h.db, 35) is None


async def test_a_finished_report_is_not_run_again(h):
    org = await h.org()
    payload = {"report_id": 36, "organisation": org, "type": "monthly", "period": "2024-01"}
    await h.send(REPORTS, 36, "CreateReport", payload)
    before = await repo.get(h.db, 36)
    again = await h.send(REPORTS, 36, "CreateReport", payload)
    # not run again: its recorded status announced again, with its history (a view that missed
    # the last event, its worker killed after the write, is whole again)
    assert [(s.type, s.payload["status"]) for s in again] == [("ReportStatusChanged", before["status"])]
    assert again[0].payload["fields"]["history"] == before["history"]
    assert (await repo.get(h.db, 36))["history"] == before["history"]


async def test_a_bad_period_is_dead_lettered(h):
    await h.send(REPORTS, 37, "CreateReport", {"report_id": 37, "organisation": "org-1",
                                               "type": "monthly", "period": "June"}, check=False)
    [letter] = h.dead_letters
    assert [e["field"] for e in letter["errors"]] == ["period"]


async def test_a_report_left_running_is_requested_again(h):
    org = await h.org()
    await h.send(REPORTS, 38, "CreateReport", {"report_id": 38, "organisation": org,
                                               "type": "monthly", "period": "2024-01"})
    await h.db.reports.update_one({"_id": 38}, {"$set": {
        "status": "RUNNING", "updated_at": "2020-01-01T00:00:00"}})
    h.clear()
    await h.tick("reports.reissue_stale_reports")
    assert [(s.topic, s.type, s.payload) for s in h.sent] == [
        (REPORTS, "CreateReport", {"report_id": 38, "organisation": org, "type": "monthly",
                                   "period": "2024-01"})]
