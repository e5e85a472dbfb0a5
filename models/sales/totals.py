"""Declared totals: every total a file states, compared with what was imported from it.

A cleaner reports what its file declares (`CleanResult.declared_totals`): DDEX DSR summary
records and FOOT counts, `Total` footer lines, Apple trailers. The imported side is the
per-currency sum of the rows written (models.sales.statement). The verdict is one of
TOTALS_CHECKS; a revenue figure matches when the gap is within the rounding of the declared
figure (half a unit of its last decimal, at most half a cent). Pure functions.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

TOTALS_CHECKS = ("MATCH", "MISMATCH", "PENDING_PARTS", "NONE")
DEFAULT_MAX_GAP = Decimal("0.005")  # 0.5 % of the declared revenue
_HALF_CENT = Decimal("0.005")


def max_gap(text: str | None) -> Decimal:
    """TRIBUTARY_MAX_TOTAL_GAP (settings.money.max_total_gap): share of the declared revenue
    (`0.005` or `0.5%`); the default when empty or unreadable."""
    raw = str(text or "").strip()
    if not raw:
        return DEFAULT_MAX_GAP
    try:
        value = Decimal(raw[:-1]) / 100 if raw.endswith("%") else Decimal(raw)
    except InvalidOperation:
        return DEFAULT_MAX_GAP
    return value if value.is_finite() and value >= 0 else DEFAULT_MAX_GAP


def _tolerance(declared: str) -> Decimal:
    exponent = Decimal(declared).as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(Decimal(1).scaleb(-places) / 2, _HALF_CENT)


def _fmt(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def declared_of(result) -> dict | None:
    """The cleaner's declared totals in one shape: {revenue: {currency: amount}, quantity?,
    counts?: {name: {declared, found}}, declared_in: [record types], imported_from: [...]}."""
    declared = result.declared_totals
    if not declared:
        return None
    if isinstance(declared.get("revenue"), dict) or "counts" in declared:
        return declared
    out: dict = {"declared_in": ["Total_Amount trailer" if "quantity" in declared or
                                 "rows" in declared else "Total footer line"],
                 "imported_from": ["data rows"]}
    if "revenue" in declared:
        out["revenue"] = {result.currency or "": declared["revenue"]}
    if "quantity" in declared:
        out["quantity"] = declared["quantity"]
    if "rows" in declared:
        out["counts"] = {"rows": {"declared": int(Decimal(declared["rows"])),
                                  "found": result.rows + result.bad_rows}}
    return out


def compare(declared: dict | None, imported: dict) -> dict:
    """Verdict over a whole statement: `imported` is {revenue: {currency: amount}, quantity}."""
    if not declared:
        return {"status": "NONE", "message": "the file states no totals"}
    problems: list[str] = []
    revenue = []
    stated = declared.get("revenue") or {}
    got = imported.get("revenue") or {}
    if stated:
        for currency in sorted(set(stated) | set(got)):
            want = Decimal(str(stated.get(currency, "0")))
            have = Decimal(str(got.get(currency, "0")))
            gap = have - want
            ok = abs(gap) <= _tolerance(str(stated.get(currency, "0")))
            revenue.append({"currency": currency or None, "declared": _fmt(want),
                            "imported": _fmt(have), "gap": _fmt(gap), "match": ok})
            if not ok:
                problems.append(f"revenue {currency or '(no currency)'}: declared {_fmt(want)} "
                                f"({', '.join(declared.get('declared_in') or [])}), imported "
                                f"{_fmt(have)} ({', '.join(declared.get('imported_from') or [])})")
    check: dict = {"revenue": revenue, "declared_in": declared.get("declared_in") or [],
                   "imported_from": declared.get("imported_from") or []}
    if declared.get("quantity") is not None:
        want_q, have_q = int(Decimal(str(declared["quantity"]))), int(imported.get("quantity") or 0)
        check["quantity"] = {"declared": want_q, "imported": have_q, "match": want_q == have_q}
        if want_q != have_q:
            problems.append(f"quantity: declared {want_q}, imported {have_q}")
    counts = []
    for name, pair in (declared.get("counts") or {}).items():
        ok = pair["declared"] == pair["found"]
        counts.append({"name": name, **pair, "match": ok})
        if not ok:
            problems.append(f"{name}: declared {pair['declared']}, found {pair['found']}")
    if counts:
        check["counts"] = counts
    check["status"] = "MISMATCH" if problems else "MATCH"
    check["message"] = "; ".join(problems) or "every declared total matches the imported rows"
    return check


def over_gap(check: dict, limit: Decimal) -> list[dict]:
    """The revenue figures of a MISMATCH whose gap exceeds `limit` × the declared revenue."""
    out = []
    for entry in check.get("revenue") or []:
        declared, gap = Decimal(entry["declared"]), abs(Decimal(entry["gap"]))
        if not entry["match"] and gap > abs(declared) * limit:
            out.append(entry)
    return out


def pending(part: int | None, of: int, have: list[int]) -> dict:
    missing = [n for n in range(1, of + 1) if n not in have]
    return {"status": "PENDING_PARTS", "parts": {"of": of, "received": sorted(have),
                                                "missing": missing},
            "message": f"part {part} of a {of}-part report: the declared totals are checked once "
                       f"parts {', '.join(map(str, missing))} are in"}
