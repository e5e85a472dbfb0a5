"""agents/statements.py and agents/reconcile.py through the pipeline: a multi-part DSR is
checked once all its parts are in; a SoundOn Summary is kept and compared with its detail file."""
from __future__ import annotations

from infra.repos import files as file_repo
from tests.unit.agents.sales_files import SALES, uploaded


async def finalized(h, org: str, file_id: int, path) -> dict:
    await uploaded(h, org, file_id, path)
    await h.settle()
    return await file_repo.get(h.db, file_id)


async def test_a_multi_part_report_is_pending_until_its_last_part_then_matches(h):
    org = await h.org()
    one, two = sorted(SALES.glob("DSR_*ExampleFree_2025-05_FR_*of2_*.tsv"))
    first = await finalized(h, org, 1501, one)
    assert (first["status"], first["totals_check"]) == ("FINALIZED", "PENDING_PARTS")
    assert first["totals"]["parts"] == {"of": 2, "received": [1], "missing": [2]}
    await finalized(h, org, 1502, two)
    for file_id in (1501, 1502):
        record = await file_repo.get(h.db, file_id)
        assert record["totals_check"] == "MATCH", record["totals"]
        assert record["totals"]["parts"]["files"] == [1501, 1502]
        assert record["totals"]["revenue"] == [{"currency": "EUR", "declared": "1",
                                                "imported": "1", "gap": "0", "match": True}]


async def test_the_same_statement_under_other_bytes_is_a_duplicate(h):
    org = await h.org()
    path = next(SALES.glob("DSR_*ExamplePremium_*.tsv"))
    await finalized(h, org, 1503, path)
    other = h.root / path.name
    other.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))   # same rows, other checksum
    again = await finalized(h, org, 1504, other)
    assert (again["status"], again["status_cause"], again["duplicate_of"]) == (
        "FAILED", "DUPLICATE", 1503)
    assert "the same statement" in again["error_message"]


async def test_a_soundon_summary_is_kept_and_checked_against_its_detail_file(h):
    org = await h.org()
    summary = await finalized(h, org, 1505, SALES / "layouts" / "soundon-summary.csv")
    assert (summary["status"], summary["status_cause"]) == ("FAILED", "NOT_SALES")
    stated = await h.db.reconciliations.find_one({})
    assert (stated["period"], stated["summary_file"]) == ("2025-07", 1505)
    detail = await finalized(h, org, 1506, SALES / "layouts" / "soundon-my-royalty.csv")
    assert detail["reconciliation"]["ok"] is True
    assert detail["reconciliation"]["checks"] == [{"royalty_type": "My Royalty",
                                                   "declared": "0.5123534",
                                                   "imported": "0.5123534", "ok": True}]
