"""The base-currency product in DuckDB is exact: DECIMAL(38,18) × DECIMAL(38,18) taken in parts
equals Python's exact product rounded at 18 places (half away from zero), where DuckDB's plain
product overflows above 100; and the filters refuse what they cannot read."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.analytics.convert import exact_product, late_rates
from models.analytics.filters import check

AMOUNTS = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=18,
                      allow_nan=False, allow_infinity=False)
RATES = st.decimals(min_value=Decimal("1e-18"), max_value=Decimal("100000"), places=18,
                    allow_nan=False, allow_infinity=False)
CON = duckdb.connect()
SQL = f"SELECT {exact_product('CAST($a AS DECIMAL(38,18))', 'CAST($b AS DECIMAL(38,18))')}"


def expected(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return (a * b).quantize(Decimal(1).scaleb(-18), rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(AMOUNTS, RATES)
def test_product_is_exact(a, b):
    assert CON.execute(SQL, {"a": str(a), "b": str(b)}).fetchone()[0] == expected(a, b)


def test_plain_duckdb_product_overflows_where_ours_does_not():
    with pytest.raises(duckdb.OutOfRangeException):
        CON.execute("SELECT CAST(123456.5 AS DECIMAL(38,18)) * CAST(0.5 AS DECIMAL(38,18))").fetchone()
    a, b = Decimal("123456.5"), Decimal("0.123456789012345678")
    assert CON.execute(SQL, {"a": str(a), "b": str(b)}).fetchone()[0] == Decimal("15241.543072702654196007")


def test_late_rates_direct_before_inverse():
    rates = {("USD", "EUR", "2025-05"): Decimal("0.9"), ("EUR", "USD", "2025-05"): Decimal("2"),
             ("EUR", "GBP", "2025-06"): Decimal("0.8"), ("JPY", "USD", "2025-06"): Decimal("0.0065")}
    assert late_rates("EUR", rates) == [
        {"currency": "GBP", "month": "2025-06", "rate": Decimal("1.25"), "source": "organisation (inverse)"},
        {"currency": "USD", "month": "2025-05", "rate": Decimal("0.9"), "source": "organisation"}]


def test_filters_checked():
    filters, problems = check({"from": "2025-01", "to": "2025-03", "currency": "eur", "territory": "fr",
                               "isrc": "fr-aaa-25-00001", "date": "period"})
    assert problems == [] and (filters.start, filters.end, filters.currency, filters.territory,
                               filters.isrc, filters.date) == ("2025-01", "2025-03", "EUR", "FR",
                                                               "FRAAA2500001", "period")
    _, problems = check({"from": "2025-3", "month": "13-2025", "currency": "XXY", "date": "paid"})
    assert {p["field"] for p in problems} == {"from", "month", "currency", "date"}
