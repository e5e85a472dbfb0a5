"""Every built-in DSP/distributor layout end to end: upload the project's fixture over HTTP, let
the pipeline run, and check the snapshot totals to the exact decimal. Expected totals are the
fixture's own amounts summed by hand (written out below), never computed by the code under test."""
from __future__ import annotations

import asyncio
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "layouts"

# file → (layout, rows, revenue, revenue_converted, quantity, currency, reporting_period)
EXPECTED = {
    "apple-financial_85012345_0126_US.txt": ("apple-financial", 4, D("2.1") + D("0.042") - D("0.7") + D("0.01855"),
                                             None, 3 + 10 - 1 + 5, "USD", "2026-01"),
    "youtube-music-assets.csv": ("youtube-reporting", 3, D("0.812345") + D("0.1234567") + D("0.000042"),
                                 None, 1500 + 320 + 0, "USD", "2025-06"),
    "distrokid-excruciating.tsv": ("distrokid", 4, D("3.12345678") + D("0.28000001") + D("6.93") + D("0.00412345"),
                                   None, 1200 + 40 + 1 + 7, "USD", "2025-07"),
    "tunecore-sales.csv": ("tunecore", 3, D("0.34") + D("0.142") + D("0.69"),
                           D("0.2686") + D("0.11218") + D("0.5451"), 100 + 20 + 1, "USD", "2025-06"),
    "cdbaby-sales.txt": ("cdbaby", 3, D("0.01236") + D("0.99") + D("0.115"), None, 3 + 1 + 2, "USD", "2025-11"),
    "fuga-royalty_extended.csv": ("fuga-royalty", 3, D("0.0032") + D("0.0032") + D("6.392"), None, 3, "GBP", "2025-03"),
    "orchard-revenue_details.csv": ("orchard", 3, D("4.0125") + D("0.912") - D("0.7"), None, 2500 + 300 - 1,
                                    None, "2025-11"),
    "believe-statement.csv": ("believe", 3, D("2.295") + D("0.255") + D("0.0285175"), None, 900 + 120 + 55,
                              "EUR", "2025-08"),
    "symphonic-report.csv": ("symphonic", 3, D("0.905312") + D("0.000007") - D("0.062356"), None, 412 + 3 + 0,
                             "USD", "2025-06"),
    "bandcamp-sales.csv": ("bandcamp", 3, D("0.98") + D("13.6") + D("0.85"), None, 1 + 2 + 1, "EUR", "2025-03"),
    "bandcamp-sales-utf16.csv": ("bandcamp", 3, D("7.38") + D("0.99") + D("15.5"), None, 3, "USD", "2025-04"),
    "secretly-digital.csv": ("secretly-digital", 3, D("0.034") + D("0.010455") + D("0.595"), None, 10 + 3 + 1,
                             "USD", "2025-07"),
    "onerpm-2025-07-01-statement.xlsx": ("onerpm", 3, D("120.4") + D("32.1") + D("79.2"), None, 3000 + 200 + 1,
                                         "RUB", "2025-07"),
    "soundon-my-royalty.csv": ("soundon", 3, D("0.0123456") + D("0.0000078") + D("0.5"), None, 0, "USD", "2025-07"),
}

STATED = {"onerpm-2025-07-01-statement.xlsx": "file (inverse)"}   # Exchange Rate: 1 USD = 80.25 RUB


@pytest.fixture(scope="module")
async def ingested(stack, org) -> dict[str, dict]:
    """All fixtures through the pipeline at once (one shared stack, concurrent uploads)."""
    api = Api(stack.url, org["token"])
    names = list(EXPECTED) + ["soundon-summary.csv", "not-a-report.txt"]
    finals = await asyncio.gather(*(ingest(api, n, (FIXTURES / n).read_bytes()) for n in names))
    return dict(zip(names, finals))


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_layout_imports_with_exact_totals(api, ingested, name):
    layout, rows, revenue, converted, quantity, currency, period = EXPECTED[name]
    final = ingested[name]
    assert final["status"] == "FINALIZED", final
    assert final["layout"] == layout
    # the session organisation's base currency is USD and it has no rates: other currencies
    # (and lines without one) are named as not converted, nothing else is a warning
    others = [w for w in final.get("warnings") or []
              if "exchange rate" not in w.get("warning", "") and "name no currency" not in w.get("warning", "")]
    assert others == [], final["warnings"]
    assert final["reporting_period"] == period and final.get("currency") == currency
    status, snap, _ = await api.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    assert status == 200, snap
    totals = snap["totals"]
    assert totals["rows"] == rows and final["bad_rows"] == 0
    assert D(totals["revenue"]) == revenue
    if currency == "USD":
        assert D(totals["revenue_converted"]) == (revenue if converted is None else converted)
        assert totals["converted_complete"] is True
    elif name in STATED:                       # the file states the rate (docs/money.md)
        assert totals["converted_complete"] is True
        assert [(c["from"], c["source"]) for c in final["conversion"]["rates"]] == [(currency, STATED[name])]
    else:                                      # no rate to USD: exact local figures, marked incomplete
        assert totals["converted_complete"] is False
        assert [m["from"] for m in final["conversion"]["missing"]] == [currency]
        assert [(c["currency"], D(c["revenue"])) for c in totals["by_currency"]] == [(currency, revenue)]
    assert int(totals["quantity"]) == quantity
    assert D(final["total_local"]) == revenue


async def test_quirks_visible_in_the_snapshot(api, ingested):
    async def snap(name):
        return (await api.get(f"/api/files/salesfiles/{ingested[name]['id']}/snapshot/"))[1]

    cdbaby = await snap("cdbaby-sales.txt")                       # quoted barcodes keep leading zeros
    assert {e["upc"] for e in cdbaby["byRelease"]} == {"012345678905", "088000000015"}
    symphonic = await snap("symphonic-report.csv")                # alpha-3 → alpha-2, void rows negative
    assert {e["name"]: D(e["revenue"]) for e in symphonic["byTerritory"]} == \
        {"US": D("0.905312"), "GB": D("0.000007"), "DE": D("-0.062356")}
    distrokid = await snap("distrokid-excruciating.tsv")          # album row: a release, not a track
    assert {e["name"] for e in distrokid["byRelease"] if e["name"]} == {"Lanterns"}
    assert "José Ñúñez" in {e["name"] for e in distrokid["byArtist"]}   # cp1252 file decoded
    tunecore = await snap("tunecore-sales.csv")                   # UK → GB
    assert {e["name"] for e in tunecore["byTerritory"]} == {"GB", "US", "DE"}


async def test_summary_file_is_refused_as_not_sales(ingested):
    final = ingested["soundon-summary.csv"]
    assert final["status"] == "FAILED" and final["status_cause"] == "NOT_SALES"
    assert "SoundOn Summary" in final["error_message"] and "0.5123534" in final["error_message"]


async def test_non_report_is_unknown_layout_with_closest_layouts(ingested):
    final = ingested["not-a-report.txt"]
    assert final["status"] == "FAILED" and final["status_cause"] == "UNKNOWN_LAYOUT"
    message = final["error_message"]
    assert "header found" in message and "closest layouts tried" in message
    assert "missing" in message


async def test_apple_trailer_mismatch_is_a_warning_and_the_file_imports(stack):
    # an organisation of its own: the same rows were imported by `ingested` (same statement)
    api = Api(stack.url, cli(stack.data_dir, "org", "create", "Apple Trailers")["token"])
    data = (FIXTURES / "apple-financial_85012345_0126_US.txt").read_bytes()
    data = data.replace(b"Total_Amount\t1.46055", b"Total_Amount\t1.47").replace(b"Total_Units\t17", b"Total_Units\t18")
    final = await ingest(api, "apple-mismatch.txt", data)
    assert final["status"] == "FINALIZED", final
    _, view, _ = await api.get(f"/api/files/salesfiles/{final['id']}/")
    assert view["totals_check"] == "MISMATCH"
    totals = view["totals"]
    assert totals["revenue"] == [{"currency": "USD", "declared": "1.47", "imported": "1.46055",
                                  "gap": "-0.00945", "match": False}]
    assert totals["quantity"] == {"declared": 18, "imported": 17, "match": False}
    assert totals["declared_in"] == ["Total_Amount trailer"]
    [warning] = view["warnings"]
    assert "1.47" in warning["warning"] and "1.46055" in warning["warning"] and "18" in warning["warning"]
    assert D(view["total_local"]) == D("1.46055")
