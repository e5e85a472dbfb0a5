"""Voiding a sales file over HTTP: DELETE takes its rows out of the summary, its snapshot and
the period's reports, keeps the record (VOIDED, with its history); a reimport undoes it."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.reports.conftest import make_report
from tests.support.http import Api
from tests.support.sales import ingest, wait_terminal
from tests.support.stack import cli

PERIOD = "2024-02"
HEADER = "sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"


def statement(artist: str, amounts: list[str]) -> bytes:
    lines = [f"{PERIOD}\tDeezer\tFR\tFRABC24000{n:02d}\t{artist}\tChanson {n}\t{10 + n}\tEUR\t{a}"
             for n, a in enumerate(amounts)]
    return (HEADER + "\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def void_label(stack):
    return cli(stack.data_dir, "org", "create", "Void Label", "--base-currency", "EUR")  # EUR statements


@pytest.fixture
def vapi(stack, void_label) -> Api:
    return Api(stack.url, void_label["token"])


async def _figures(api: Api) -> tuple[dict, dict]:
    _, summary, _ = await api.get("/api/sales/summary/")
    report = await make_report(api, "unmatched", PERIOD)
    assert report["status"] == "DONE", report
    return summary, report["snapshot"]


async def test_void_and_unvoid_move_summary_and_reports(vapi):
    kept = await ingest(vapi, "kept.tsv", statement("Reste", ["1.50", "2.25"]))
    voided = await ingest(vapi, "voided.tsv", statement("Annulé", ["10.00", "0.125", "3"]))
    assert kept["status"] == voided["status"] == "FINALIZED"
    summary, report = await _figures(vapi)
    assert summary["files"] == 2 and Decimal(summary["total_gross"]) == Decimal("16.875")
    assert report["rows"] == 5 and Decimal(report["period_totals"]["revenue"]) == Decimal("16.875")

    status, body, _ = await vapi.call("DELETE", f"/api/files/salesfiles/{voided['id']}/")
    assert status == 200 and body["status"] == "VOIDED", body
    _, view, _ = await vapi.get(f"/api/files/salesfiles/{voided['id']}/")
    assert view["status"] == "VOIDED" and view["voided"]["status_before"] == "FINALIZED"
    assert [h["status"] for h in view["history"]][-2:] == ["FINALIZED", "VOIDED"]
    assert view["filename"] == "voided.tsv" and view["total_rows"] == 3  # the record stays
    status, _, _ = await vapi.get(f"/api/files/salesfiles/{voided['id']}/snapshot/")
    assert status == 409
    summary, report = await _figures(vapi)
    assert summary["files"] == 1 and Decimal(summary["total_gross"]) == Decimal("3.75")
    assert summary["artists"] == 1
    assert report["rows"] == 2 and Decimal(report["period_totals"]["revenue"]) == Decimal("3.75")
    _, listing, _ = await vapi.get("/api/files/salesfiles/?status=VOIDED")
    assert [f["id"] for f in listing["results"]] == [voided["id"]]
    status, body, _ = await vapi.call("DELETE", f"/api/files/salesfiles/{voided['id']}/")
    assert status == 200 and body["status"] == "VOIDED"  # voiding again changes nothing

    # undo: a reimport (the duplicate check runs again and finds nothing counted)
    status, body, _ = await vapi.post(f"/api/files/salesfiles/{voided['id']}/process/",
                                      json={"action": "reimport"})
    assert status == 202, body
    back = await wait_terminal(vapi, voided["id"])
    assert back["status"] == "FINALIZED", back
    summary, report = await _figures(vapi)
    assert summary["files"] == 2 and Decimal(summary["total_gross"]) == Decimal("16.875")
    assert report["rows"] == 5


async def test_unvoid_of_a_statement_imported_again_meanwhile_is_a_duplicate(vapi):
    data = statement("Zweimal", ["4.00"])
    first = await ingest(vapi, "first.tsv", data)
    status, _, _ = await vapi.call("DELETE", f"/api/files/salesfiles/{first['id']}/")
    assert status == 200
    second = await ingest(vapi, "second.tsv", data)  # the first no longer counts: not a duplicate
    assert second["status"] == "FINALIZED", second
    status, body, _ = await vapi.post(f"/api/files/salesfiles/{first['id']}/process/",
                                      json={"action": "reimport"})
    assert status == 202
    again = await wait_terminal(vapi, first["id"])
    assert again["status_cause"] == "DUPLICATE" and again["duplicate_of"] == second["id"]


async def test_void_of_another_organisations_file_is_404(vapi, api):
    mine = await ingest(vapi, "mine.tsv", statement("Privé", ["0.5"]))
    status, body, _ = await api.call("DELETE", f"/api/files/salesfiles/{mine['id']}/")
    assert status == 404, body
