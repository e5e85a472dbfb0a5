"""The organisation summary's money: exact revenue per currency and per period, and the total
converted to the base currency. Amounts of two currencies are only ever added once converted."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .money import inverse, quantize
from .result import _fmt


def _entries(snap: dict) -> list[dict]:
    """The snapshot's currency × month entries (older snapshots: one entry from the totals)."""
    if snap.get("byCurrency") is not None:
        return snap["byCurrency"]
    t = snap.get("totals") or {}
    return [{"currency": t.get("currency"), "period": snap.get("reporting_period"),
             "rows": t.get("rows", 0), "revenue": t.get("revenue") or "0",
             "revenue_converted": t.get("revenue_converted")}]


def late_rate(currency: str | None, month: str | None, base: str, rates: dict) -> Decimal | None:
    """An organisation rate added after the file was imported."""
    if currency is None or month is None:
        return None
    if (currency, base, month) in rates:
        return quantize(rates[(currency, base, month)])
    if (base, currency, month) in rates:
        return inverse(rates[(base, currency, month)])
    return None


def summarise(snaps: list[dict], base: str, rates: dict) -> dict:
    """{total_gross (base currency), currency, total_gross_complete, by_currency, by_period,
    missing_rates} over the snapshots of the files counted."""
    per_cur: dict = defaultdict(lambda: [Decimal(0), 0])
    per_period: dict = defaultdict(lambda: {"converted": Decimal(0), "complete": True,
                                            "currencies": defaultdict(Decimal)})
    missing: dict = defaultdict(int)
    gross, complete = Decimal(0), True
    for snap in snaps:
        # a conversion stored at import counts only if it was into today's base currency; after
        # the base changed, the file's amounts are converted afresh (never a sum of two currencies)
        stored = ((snap.get("conversion") or {}).get("currency") or base) == base
        for e in _entries(snap):
            cur, month = e.get("currency"), e.get("period") or snap.get("reporting_period")
            revenue = Decimal(str(e.get("revenue") or 0))
            per_cur[cur][0] += revenue
            per_cur[cur][1] += int(e.get("rows") or 0)
            bucket = per_period[month or "unknown"]
            bucket["currencies"][cur] += revenue
            if stored and e.get("revenue_converted") is not None:
                converted = Decimal(str(e["revenue_converted"]))
            elif not stored and cur == base:
                converted = revenue
            else:
                untouched = not stored or \
                    int(e.get("unconverted_rows") or e.get("rows") or 0) == int(e.get("rows") or 0)
                rate = late_rate(cur, month, base, rates) if untouched else None
                if rate is not None:
                    converted = quantize(revenue * rate)
                elif stored:
                    converted = Decimal(str(e.get("converted_partial") or 0))
                    missing[(cur, month)] += int(e.get("unconverted_rows") or e.get("rows") or 0)
                else:                          # its partial conversion is in the former base
                    converted = Decimal(0)
                    missing[(cur, month)] += int(e.get("rows") or 0)
                if rate is None:
                    bucket["complete"] = complete = False
            bucket["converted"] += converted
            gross += converted
    return {
        "total_gross": _fmt(gross), "currency": base, "total_gross_complete": complete,
        "by_currency": [{"currency": c, "revenue": _fmt(v[0]), "rows": v[1]}
                        for c, v in sorted(per_cur.items(), key=lambda x: x[0] or "")],
        "by_period": [{"period": p, "revenue": _fmt(b["converted"]), "currency": base,
                       "complete": b["complete"],
                       "by_currency": [{"currency": c, "revenue": _fmt(v)}
                                       for c, v in sorted(b["currencies"].items(), key=lambda x: x[0] or "")]}
                      for p, b in sorted(per_period.items())],
        "missing_rates": [{"from": c, "to": base, "month": m, "rows": n}
                          for (c, m), n in sorted(missing.items(), key=lambda x: (x[0][0] or "", x[0][1] or ""))],
    }
