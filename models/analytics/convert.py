"""Conversion of sales rows to the organisation's base currency inside DuckDB, exact.

The same rules as the organisation summary (models.sales.money_summary): a line keeps the
conversion made when its file was imported (rate stated in the file, the upload's
`exchange_rate`, or the organisation's rate of the statement month: models.sales.money.Converter)
when that was into today's base currency; a line imported without a rate, or converted into a
base currency the organisation has since changed, takes the organisation's rate of its statement
month now (or its inverse), through the summary's `late_rate`. A line with no rate stays
unconverted: the converted figure is then partial and the pair and month are listed as missing.

DuckDB multiplies DECIMAL(38,18) by DECIMAL(38,18) into scale 36 and overflows above 100, so the
product is taken in parts that each fit (integer × integer, integer × fraction, fraction ×
fraction) and only the fraction × fraction part, the one finer than 1e-18, is rounded: the result
is the exact product rounded at 18 places (half away from zero, where the import rounds half-even:
the two differ only on an exact tie at the 19th decimal).

Lines converted now are summed first and converted once per group (currency and month), as the
summary converts a file's per-currency, per-month totals: the totals, computed per file, do not
depend on the grouping; a grouping's rows may differ from them by rounding at the 18th decimal.
Where the summary differs (a rate added later to a partly converted month): docs/money.md."""
from __future__ import annotations

from decimal import Decimal

from models.sales.money_summary import late_rate
from models.sales.result import _fmt

D18 = "DECIMAL(38,18)"


def exact_product(a: str, b: str) -> str:
    """SQL for round(a × b, 18) of two DECIMAL(38,18) expressions, exact (NULL if either is)."""
    def hi(x: str) -> str:
        return f"CAST(trunc({x}) AS DECIMAL(38,0))"

    def lo(x: str) -> str:
        return f"CAST({x} - trunc({x}) AS DECIMAL(18,18))"

    return (f"(CAST({hi(a)} * {hi(b)} AS {D18}) + CAST({hi(a)} * {lo(b)} AS {D18})"
            f" + CAST({lo(a)} * {hi(b)} AS {D18}) + CAST(round({lo(a)} * {lo(b)}, 18) AS {D18}))")


def _same() -> str:
    return "coalesce(s.currency = $base, false)"


def _stored(unstored: list[str]) -> str:
    """The line's import-time conversion stands: into today's base currency, and made."""
    if not unstored:
        return "s.revenue_converted IS NOT NULL"
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in unstored)
    return f"(s.revenue_converted IS NOT NULL AND s.filename NOT IN ({listed}))"


def stored_sum(unstored: list[str]) -> str:
    """The line in the base currency when no rate is needed now (else NULL). When every file
    was converted into today's base, that is the stored conversion itself (a line in the base
    currency was stored at rate 1)."""
    if not unstored:
        return "s.revenue_converted"
    return (f"CASE WHEN {_same()} THEN CAST(s.revenue AS {D18}) "
            f"WHEN {_stored(unstored)} THEN CAST(s.revenue_converted AS {D18}) END")


def late_sql(unstored: list[str]) -> str:
    """True when the line needs today's organisation rate."""
    if not unstored:
        return "(s.revenue_converted IS NULL)"
    return f"(NOT {_same()} AND NOT {_stored(unstored)})"


def late_rates(base: str, rates: dict[tuple[str, str, str], Decimal]) -> list[dict]:
    """Every (currency, month) the organisation's rates convert to `base`:
    [{currency, month, rate (Decimal, 18 places), source}]."""
    out = {}
    for src, dst, month in rates:
        for currency in {src, dst} - {base}:
            if (currency, month) in out or base not in (src, dst):
                continue
            rate = late_rate(currency, month, base, rates)
            if rate is not None:
                direct = (currency, base, month) in rates
                out[(currency, month)] = {"currency": currency, "month": month, "rate": rate,
                                          "source": "organisation" if direct else "organisation (inverse)"}
    return sorted(out.values(), key=lambda r: (r["currency"], r["month"]))


def rate_entry(currency: str, base: str, month: str | None, rate: Decimal | str, source: str) -> dict:
    return {"from": currency, "to": base, "month": month,
            "rate": _fmt(Decimal(str(rate)).normalize()), "source": source}
