"""Revenue of sale lines the columnar reader cannot hand to Arrow's decimal cast: NetRevenue
texts of unusual spelling (once per distinct text) and lines without NetRevenue, allocated pro
rata from their summary once per distinct (SummaryRecordId, Usages) pair — the line of a summary
read last takes the remainder, so its lines sum to its NetRevenue exactly (as reader._sale_row)."""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal, InvalidOperation

import numpy as np

from ..schema import AMOUNT_LIMIT, AMOUNT_SCALE
from .summaries import dec, integer

QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)


def in_range(revenue: Decimal | None, reason: str | None) -> tuple[Decimal | None, str | None]:
    """Quantized to the canonical scale; a bad row (with its value) if DECIMAL(38,18) cannot hold it."""
    if revenue is None:
        return None, reason
    try:
        revenue = revenue.quantize(QUANTUM)
    except InvalidOperation:                   # beyond any precision (1e999)
        return None, f"NetRevenue {revenue} is out of range"
    if abs(revenue) >= AMOUNT_LIMIT:
        return None, f"NetRevenue {revenue} is out of range"
    return revenue, reason


def own_revenue(text: str) -> tuple[Decimal | None, str | None]:
    own = text.strip()
    revenue = dec(own)
    return in_range(revenue, None if revenue is not None else f"invalid NetRevenue {own!r}")


def _share(s, sid: str, usages_text: str, usages: int | None) -> tuple[str | None, Decimal | None, str | None]:
    """(summary key, revenue before the range check, reason) of one pro-rata line."""
    key = s.summary_key(sid)
    summary = s.summaries.view(key) if key is not None else {}
    if usages is None:
        return key, None, f"invalid usages {usages_text!r}"
    if not summary:
        return key, None, f"unknown SummaryRecordId {sid!r}"
    if "Currency" in summary.get("Conflict", ""):
        return key, None, (f"SummaryRecordId {sid!r} names summary records in several "
                           "currencies: its share of each cannot be told")
    net = dec(summary.get("NetRevenue", ""))
    total = integer(summary.get("Usages", "")) or s.usages.get(key, 0)
    if net is None or total == 0:
        return key, None, "summary record has no usable NetRevenue/Usages"
    # a share beyond any precision raises InvalidOperation: the per-line reader reads that file
    return key, (net * usages / total).quantize(QUANTUM, rounding=ROUND_DOWN), None


def pro_rata(s, blank: np.ndarray, sid_codes: np.ndarray, sid_values: list[str], use_codes: np.ndarray,
             use_values: list[str], use_ints: list[int | None], lines: np.ndarray, pick: np.ndarray,
             revenues: list, reasons: list) -> None:
    """Appends one (revenue, reason) per distinct pair and per remainder line to `revenues` and
    `reasons`, and points each pro-rata line's `pick` at its row; fills s.usages/s.last_line."""
    idx = np.flatnonzero(blank)
    if not len(idx):
        return
    nu = len(use_values)
    uniq, inverse, counts = np.unique(sid_codes[idx] * nu + use_codes[idx], return_inverse=True, return_counts=True)
    raw_usages: dict[str, int] = defaultdict(int)
    for p, c in zip(uniq.tolist(), counts.tolist()):
        raw_usages[sid_values[p // nu]] += (use_ints[p % nu] or 0) * c
    last = np.zeros(len(sid_values), dtype=np.int64)
    np.maximum.at(last, sid_codes[idx], lines[idx])
    code = {sid: i for i, sid in enumerate(sid_values)}
    for sid, u in raw_usages.items():           # raw ids that name the same summary id are merged
        key = s.summary_key(sid)
        if key is not None:
            s.usages[key] += u
            s.last_line[key] = max(s.last_line.get(key, 0), int(last[code[sid]]))
    shares = [_share(s, sid_values[p // nu], use_values[p % nu], use_ints[p % nu]) for p in uniq.tolist()]
    base = len(revenues)
    for _, raw, why in shares:
        revenues.append(None), reasons.append(None)
        revenues[-1], reasons[-1] = in_range(raw, why)
    inverse = inverse.reshape(-1)
    pick[idx] = base + inverse
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    for (key, raw, _), c in zip(shares, counts.tolist()):
        if raw is not None:
            allocated[key] += raw * c
    for key, at in s.last_line.items():
        k = int(inverse[np.searchsorted(idx, np.searchsorted(lines, at))])
        key_k, raw, _ = shares[k]
        summary = s.summaries.view(key)
        total = integer(summary.get("Usages", "")) or s.usages.get(key, 0)
        if raw is None or key_k != key or s.usages.get(key) != total:
            continue
        remainder = dec(summary.get("NetRevenue", "")) - (allocated[key] - raw)
        pick[np.searchsorted(lines, at)] = len(revenues)
        revenue, why = in_range(remainder, None)
        revenues.append(revenue), reasons.append(why)
