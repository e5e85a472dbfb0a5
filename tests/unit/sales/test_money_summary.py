"""The organisation summary's converted total: stored conversions only count in the base they
were made in; after the base currency changes the amounts are converted afresh or named missing."""
from __future__ import annotations

from decimal import Decimal as D

from models.sales.money_summary import summarise


def _snap(base: str, entries: list[dict]) -> dict:
    return {"reporting_period": "2025-06", "conversion": {"currency": base}, "byCurrency": entries}


USD_FILE = _snap("USD", [
    {"currency": "USD", "period": "2025-06", "rows": 2, "revenue": "10", "revenue_converted": "10"},
    {"currency": "EUR", "period": "2025-06", "rows": 1, "revenue": "4", "revenue_converted": "4.4"}])


def test_stored_conversion_counts_in_its_own_base():
    out = summarise([USD_FILE], "USD", {})
    assert D(out["total_gross"]) == D("14.4") and out["total_gross_complete"] is True


def test_a_former_base_is_never_added_as_the_new_one():
    out = summarise([USD_FILE], "EUR", {})                       # base changed, no USD→EUR rate
    assert D(out["total_gross"]) == D("4")                       # EUR lines as they are
    assert out["total_gross_complete"] is False
    assert out["missing_rates"] == [{"from": "USD", "to": "EUR", "month": "2025-06", "rows": 2}]
    rates = {("EUR", "USD", "2025-06"): D("1.25")}              # stated the other way round
    out = summarise([USD_FILE], "EUR", rates)
    assert D(out["total_gross"]) == D("4") + D("10") / D("1.25") and out["total_gross_complete"]
    assert {c["currency"]: c["revenue"] for c in out["by_currency"]} == {"EUR": "4", "USD": "10"}
