"""Reconciling detail files with a summary file that only states totals (SoundOn `Summary`).

The summary is never imported (it would count revenue twice); its stated totals are compared
with what the detail files of the same organisation and period imported. SoundOn states one
total per royalty type; which type a detail file holds is read from its name (`Share in`,
`Share out`, otherwise `My Royalty`)."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from .layouts.base import norm_header
from .layouts.soundon import summary_totals
from .normalise import norm_period

LAYOUT = "soundon"
_TYPES = (("share out", "Share out"), ("share in", "Share in"))


def royalty_type(filename: str) -> str:
    name = re.sub(r"[_\-.]+", " ", filename.lower())
    return next((label for hint, label in _TYPES if hint in name), "My Royalty")


def read_summary(path: str, limit: int = 1 << 20) -> dict | None:
    """{"period": "YYYY-MM", "totals": {type: "amount"}} of a SoundOn Summary CSV, else None."""
    with open(path, "rb") as handle:
        raw = handle.read(limit)
    text = raw.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    for number, row in enumerate(rows[:20]):
        headers = [norm_header(c) for c in row]
        if "final_royalty_usd" in headers and "reporting_period" in headers:
            totals = summary_totals(rows, number)
            column = headers.index("reporting_period")
            periods = {norm_period(r[column]) for r in rows[number + 1:]
                       if column < len(r) and r[column].strip()} - {None}
            if len(periods) != 1 or not totals:
                return None
            return {"period": periods.pop(), "totals": totals}
    return None


def compare(stated: dict[str, str], imported: dict[str, Decimal]) -> dict:
    """Stated totals vs imported sums by royalty type (only types with imported files)."""
    checks = []
    for kind, amount in sorted(imported.items()):
        try:
            declared = Decimal(stated[kind]) if kind in stated else None
        except InvalidOperation:
            declared = None
        checks.append({"royalty_type": kind, "declared": None if declared is None else str(declared),
                       "imported": str(amount),
                       "ok": declared is not None and declared == amount})
    ok = all(c["ok"] for c in checks)
    result = {"ok": ok, "source": "SoundOn Summary", "checks": checks}
    if not ok:
        result["warning"] = "; ".join(
            f"{c['royalty_type']}: summary states {c['declared'] or 'nothing'}, "
            f"imported {c['imported']}" for c in checks if not c["ok"])
    return result
