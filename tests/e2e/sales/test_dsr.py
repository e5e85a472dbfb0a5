"""DDEX DSR flat files through the whole pipeline: pro-rata revenue, multi-file reports."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.support.sales import ingest

FIXTURES = Path(__file__).parents[2] / "fixtures" / "sales"


async def test_multi_file_dsr_report_sums_to_its_summary(api):
    parts = sorted(FIXTURES.glob("DSR_*ExampleFree_2025-05_FR_*of2_*.tsv"))
    assert len(parts) == 2
    totals = []
    for path in parts:
        final = await ingest(api, path.name, path.read_bytes(), "TSV")
        assert final["status"] == "FINALIZED", final
        assert final["reporting_period"] == "2025-05"
        totals.append(Decimal(final["total_local"]))
    assert sum(totals) == Decimal("1.00")


async def test_single_file_dsr_allocates_revenue_pro_rata(api):
    path = next(FIXTURES.glob("DSR_*ExamplePremium_2025-06_NO_1of1_*.tsv"))
    final = await ingest(api, path.name, path.read_bytes(), "TSV")
    assert final["status"] == "FINALIZED", final
    status, snap, _ = await api.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    assert status == 200
    territories = {e["name"]: Decimal(e["revenue"]) for e in snap["byTerritory"]}
    # NetRevenue of each summary record, spread over its lines by usages, sums back exactly
    assert territories == {"NO": Decimal("100.00"), "SE": Decimal("10")}
    # NOK and SEK summaries: no single local total, exact figures per currency
    assert snap["totals"]["revenue"] == final["total_local"]
    by_currency = {t["currency"]: Decimal(t["revenue"]) for t in final["totals_by_currency"]}
    assert sum(by_currency.values()) == Decimal("110") and len(by_currency) in (1, 2)
    if len(by_currency) == 1:
        assert Decimal(final["total_local"]) == Decimal("110")
