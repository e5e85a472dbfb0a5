"""Reports over HTTP on real imported sales: monthly + unmatched add up to the whole period
exactly, the 24-hour link downloads a gzipped RFC 4180 CSV, empty and bad periods, access by
another organisation, and staleness after a reimport."""
from __future__ import annotations

import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from tests.e2e.reports.conftest import download_csv, import_catalog, make_report
from tests.support.sales import ingest, wait_terminal

CATALOG = ("isrc,upc,release_title,track_title,artist,label\n"
           "USRC17607839,,Lanterns,North Light,Aurora Vale,Vale Records\n"
           ",012345678905,Lanterns,,Aurora Vale,Vale Records\n").encode()
HEADER = ("statement_period\tsale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\t"
          "release_title\tusage_type\tquantity\tcurrency\trevenue\n")


def sales_file(period: str, tag: str) -> tuple[bytes, list[tuple[str, str, int, Decimal]]]:
    """A generic TSV; returns it and (isrc, upc, quantity, revenue) per row."""
    rows = [("USRC17607839", "", 1200, Decimal("3.6000001")),          # ISRC in catalog
            ("", "0012345678905", 40, Decimal("0.0000003")),           # UPC as EAN-13
            ("GBAYE0601498", "012345678905", 7, Decimal("-0.25")),     # ISRC not in catalog
            ("", "", 2, Decimal("1.98"))]                              # nothing to match on
    lines = [f"{period}\t{period}\tSpotify\tGB\t{i}\t{u}\t=cmd {tag}\tSong {n}\tRel\tstream\t"
             f"{q}\tEUR\t{r}" for n, (i, u, q, r) in enumerate(rows)]
    return (HEADER + "\n".join(lines) + "\n").encode(), rows


async def test_monthly_and_unmatched_add_up_and_download(lapi, other_api):
    catalog = await import_catalog(lapi, "catalog.csv", CATALOG)
    assert catalog["status"] == "DONE", catalog
    period, expected = "2023-04", []
    for tag in ("a", "b"):
        data, rows = sales_file(period, tag)
        final = await ingest(lapi, f"sales-{tag}.tsv", data, reporting_period=period)
        assert final["status"] == "FINALIZED", final
        expected += rows
    monthly = await make_report(lapi, "monthly", period)
    unmatched = await make_report(lapi, "unmatched", period)
    assert monthly["status"] == unmatched["status"] == "DONE", (monthly, unmatched)
    assert [h["status"] for h in monthly["history"]] == ["PENDING", "RUNNING", "DONE"]

    snap = monthly["snapshot"]
    assert snap["catalog_version"] == catalog["version"] and len(snap["files"]) == 2
    assert snap["rows"] == snap["matched_rows"] == 4 and snap["unmatched_rows"] == 4
    assert snap["match_rate"] == 0.5 and monthly["stale"] is False
    total = sum((r for *_, r in expected), Decimal(0))
    assert Decimal(snap["period_totals"]["revenue"]) == total
    assert unmatched["snapshot"]["rows"] == 4

    url = monthly["download_url"]
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    assert abs(expires - time.time() - 24 * 3600) < 120
    got_m = await download_csv(url)
    got_u = await download_csv(unmatched["download_url"])
    # the totals identity, from the CSVs themselves
    assert len(got_m) + len(got_u) == len(expected)
    revenue = sum(Decimal(r["revenue"]) for r in got_m + got_u)
    assert revenue == total == Decimal(snap["revenue"]) + Decimal(unmatched["snapshot"]["revenue"])
    assert sum(int(r["quantity"]) for r in got_m + got_u) == sum(q for _, _, q, _ in expected)
    assert sorted(r["matched_on"] for r in got_m) == ["isrc", "isrc", "upc", "upc"]
    assert {r["catalog_release_title"] for r in got_m} == {"Lanterns"}
    assert sorted(r["reason"] for r in got_u) == ["isrc_not_in_catalog"] * 2 + \
        ["no_usable_isrc_or_upc"] * 2
    assert {r["artist"][:5] for r in got_m + got_u} == {"'=cmd"}  # CSV injection neutralised
    assert "0.0000003" in {r["revenue"] for r in got_m}  # exact, never 3E-7

    status, _, _ = await other_api.get(f"/api/reports/{monthly['id']}")
    assert status == 404
    _, theirs, _ = await other_api.get("/api/reports/")
    assert monthly["id"] not in [r["id"] for r in theirs["results"]]
    _, mine, _ = await lapi.get(f"/api/reports/?period={period}")
    assert {monthly["id"], unmatched["id"]} <= {r["id"] for r in mine["results"]}


async def test_empty_period_and_bad_requests(lapi):
    report = await make_report(lapi, "unmatched", "1999-01")
    assert report["status"] == "DONE"
    assert report["snapshot"]["rows"] == 0 and report["snapshot"]["empty"] is True
    assert "no processed sales files" in report["snapshot"]["message"]
    assert await download_csv(report["download_url"]) == []
    for body in ({"type": "monthly", "period": "2025-13"}, {"type": "monthly", "period": "June"},
                 {"type": "weekly", "period": "2025-06"}, {"type": "monthly"}):
        status, err, _ = await lapi.post("/api/reports/", json=body)
        assert status == 400, body
    status, _, _ = await lapi.get("/api/reports/?period=2025/06")
    assert status == 400
    status, _, _ = await lapi.get("/api/reports/99999999")
    assert status == 404


async def test_reimport_marks_earlier_reports_stale(lapi):
    period = "2023-05"
    data, _ = sales_file(period, "stale")
    final = await ingest(lapi, "stale.tsv", data, reporting_period=period)
    assert final["status"] == "FINALIZED", final
    report = await make_report(lapi, "monthly", period)
    assert report["status"] == "DONE" and report["stale"] is False
    status, _, _ = await lapi.post(f"/api/files/salesfiles/{final['id']}/process/",
                                   json={"action": "reimport"})
    assert status == 202
    again = await wait_terminal(lapi, final["id"])
    assert again["status"] == "FINALIZED" and again["attempt"] > final["attempt"]
    _, view, _ = await lapi.get(f"/api/reports/{report['id']}")
    assert view["stale"] is True and view["stale_reason"]["reimported"] == [final["id"]]
    fresh = await make_report(lapi, "monthly", period)
    assert fresh["stale"] is False and fresh["snapshot"]["rows"] == report["snapshot"]["rows"]


async def test_report_never_adds_two_base_currencies(lapi):
    """The organisation changes its base currency between two imports: the report states each
    file's conversion under its own base instead of one sum of EUR and GBP."""
    period = "2023-08"
    _, body, _ = await lapi.get("/api/organisation/settings/")
    former = body["base_currency"]
    new = "GBP" if former != "GBP" else "USD"
    try:
        first, _ = sales_file(period, "x")
        assert (await ingest(lapi, "base-a.tsv", first, reporting_period=period,
                             exchange_rate="2"))["status"] == "FINALIZED"
        status, body, _ = await lapi.call("PATCH", "/api/organisation/settings/",
                                          json={"base_currency": new})
        assert status == 200, body
        second, _ = sales_file(period, "y")
        final = await ingest(lapi, "base-b.tsv", second, reporting_period=period,
                             exchange_rate="3")
        assert final["status"] == "FINALIZED" and final["converted_currency"] == new, final
    finally:
        await lapi.call("PATCH", "/api/organisation/settings/", json={"base_currency": former})
    report = await make_report(lapi, "unmatched", period)
    totals = report["snapshot"]["period_totals"]
    assert report["status"] == "DONE" and totals["revenue_converted"] is None, totals
    revenue = Decimal("3.6000001") + Decimal("0.0000003") + Decimal("-0.25") + Decimal("1.98")
    assert {k: Decimal(v) for k, v in totals["revenue_converted_by_currency"].items()} == \
        {former: revenue * 2, new: revenue * 3}
    assert totals["converted_complete"] is False and totals["revenue_by_currency"] == {
        "EUR": str(revenue * 2)}


async def test_a_requested_report_is_listed_at_once(lapi):
    """The gateway stores the report's first record with its command (one write): a list right
    after each 202 holds it, with the exact count, before any worker stored anything."""
    period, ids = "1987-03", []
    for number, kind in enumerate(("monthly", "unmatched"), start=1):
        status, accepted, _ = await lapi.post("/api/reports/", json={"type": kind,
                                                                    "period": period})
        assert status == 202, accepted
        ids.append(accepted["id"])
        status, page, _ = await lapi.get(f"/api/reports/?period={period}")
        assert status == 200 and page["count"] == number, page
        listed = {r["id"]: r for r in page["results"]}
        assert set(listed) == set(ids), page
        assert listed[accepted["id"]]["type"] == kind
        assert listed[accepted["id"]]["status"] in ("PENDING", "RUNNING", "DONE"), page
        assert not any(k.startswith("_") for k in listed[accepted["id"]]), page
    for report_id in ids:
        done = await lapi.wait_for(f"/api/reports/{report_id}/",
                                   lambda b: b["status"] in ("DONE", "FAILED"), 90)
        assert done["status"] == "DONE" and done["snapshot"]["rows"] == 0, done
