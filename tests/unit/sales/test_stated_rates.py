"""Rates stated inside a file are used for the conversion before the organisation's (source
`file`, or `file (inverse)` when the file states the opposite pair): ONErpm's `Exchange Rate`
column (1 Original Currency = rate Currency). The DSR summaries' ExchangeRate is covered in
test_sales_dsr.py."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from models.sales.money import inverse

ONERPM = Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "layouts" / "onerpm-2025-07-01-statement.xlsx"


def test_onerpm_exchange_rate_column_converts_to_a_base_it_names(run):
    """Line 3 states USD 0.5 × 80.25 = 40.125 RUB: RUB lines convert to a USD base at 1/80.25."""
    r = run(ONERPM, base_currency="USD")
    rate = inverse(Decimal("80.25"))
    assert r.result.conversion == {"currency": "USD", "complete": True, "missing": [], "rates": [
        {"from": "RUB", "to": "USD", "month": "2025-07", "rate": format(rate.normalize(), "f"),
         "source": "file (inverse)", "rows": 3}]}
    assert [x["revenue_converted"] for x in r.rows] == [
        (x["revenue"] * rate).quantize(Decimal(1).scaleb(-18)) for x in r.rows]
    assert r.result.warnings == []


def test_onerpm_stated_rate_does_not_reach_an_unrelated_base(run):
    r = run(ONERPM, base_currency="EUR")                  # the file states USD→RUB only
    assert r.result.conversion["complete"] is False
    assert r.result.conversion["missing"] == [{"from": "RUB", "to": "EUR", "month": "2025-07", "rows": 3}]


def test_organisation_rate_yields_to_the_file(run):
    r = run(ONERPM, base_currency="USD", org_rates={("RUB", "USD", "2025-07"): Decimal("0.5")})
    assert [x["source"] for x in r.result.conversion["rates"]] == ["file (inverse)"]
