"""Sale lines of a DSR, columnar: each SU line joined to its block's release (RE) and resource
(AS) by block number (blockwise.py) and to its summary record by its SummaryRecordId. Python runs
once per distinct value (summary ids, usages, periods, unusual amounts) and per distinct
(summary id, usages) pair of pro-rata lines (allocation.py), never per line; the results are
exactly the per-line reader's (reader._sale_row, kept for the rare files this path hands back:
several releases or resources in one block, usages beyond int64)."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import localcontext
from typing import Callable

import numpy as np
import pyarrow as pa

from .. import normalise as nz
from ..coded import plain, recoded
from ..result import Emitter
from ..schema import AMOUNT
from .allocation import own_revenue, pro_rata
from .fields import Rows, codes, pc, per_value
from .lines import Blocks
from .links import linked
from .records import SALE
from .summaries import integer

_INT_LIMIT = 2 ** 62
# a NetRevenue Arrow casts to DECIMAL(38,18) exactly as Decimal(text).quantize(1e-18) reads it
_PLAIN_AMOUNT = r"^-?\d{1,20}(\.\d{1,18})?$"
FIELDS = {"RE": ("ReleaseReference", "ICPN", "DisplayArtistName", "Title"),
          "AS": ("ResourceReference", "DspResourceId", "ISRC", "Title", "DisplayArtistName"),
          "SU": ("Usages", "Returns", "SummaryRecordId", "NetRevenue", "UseType", "ValidityPeriodStart",
                 "TransactedRelease", "TransactedResource", "DspResourceId")}
NAMES = ("statement_period", "sale_period", "dsp", "territory", "isrc", "upc", "artist", "track_title",
         "release_title", "usage_type", "quantity", "currency", "revenue")


@dataclass
class Sales:
    """Canonical columns of every sale line (file order), bad-row reasons and nulled values."""

    cols: dict[str, pa.Array]
    line: pa.Array
    reason: pa.Array
    nulled: list[tuple[str, int, list[dict]]]   # (field, count, first samples), first-seen order

    def emit(self, emitter: Emitter, batch_rows: int, progress: Callable[[int, float], None] | None) -> None:
        for name, count, found in self.nulled:
            emitter.count_invalid(name, count)
            emitter.note_quality(name, "nulled", count, found)
        n = len(self.line)
        for at in range(0, n, batch_rows):
            emitter.emit({k: v.slice(at, batch_rows) for k, v in self.cols.items()},
                         self.line.slice(at, batch_rows), self.reason.slice(at, batch_rows))
            if progress:
                progress(emitter.rows + emitter.bad, 100.0 * min(n, at + batch_rows) / n)


def sales(b: Blocks, s, period: str | None, dsp: str | None) -> Sales | None:
    """The canonical columns of the sale lines; fills s.line_usages, s.sources, s.usages and
    s.last_line as the per-line scan does. None: the per-line reader must read this file."""
    rt_codes, rt_names = codes(b.rt)
    kinds = np.array([_kind(rt) for rt in rt_names] + [""], dtype=object)[rt_codes]
    with ThreadPoolExecutor(2, thread_name_prefix="dsr") as pool:
        rel, res, su = (Rows(b, np.flatnonzero(kinds == k), rt_names, rt_codes, *FIELDS[k], pool=pool)
                        for k in ("RE", "AS", "SU"))
        b.flat = None                             # the file's bytes and cells: every cell needed is taken
        # the links touch no reader state: they are found while the amounts are read here
        links = pool.submit(linked, b, rel, res, su, pool)   # its resources' side on the other thread
        try:
            return _sales(b, s, period, dsp, rt_names, rt_codes, su, links)
        finally:
            links.cancel()


def _sales(b: Blocks, s, period: str | None, dsp: str | None, rt_names: list[str], rt_codes: np.ndarray,
           su: Rows, links: Future) -> Sales | None:
    n, line = len(su.rows), pa.array(b.line[su.rows], pa.int64())
    use_codes, use_values = codes(su.field("Usages"))
    use_ints = [integer(v) for v in use_values]
    ret_codes, ret_values = codes(su.field("Returns"))
    ret_ints = [integer(v) or 0 for v in ret_values]
    if any(abs(v) >= _INT_LIMIT for v in [*(u for u in use_ints if u is not None), *ret_ints]):
        return None
    s.line_usages = sum((u or 0) * int(c) for u, c in zip(use_ints, np.bincount(use_codes, minlength=len(use_values))))
    quantity = pc.subtract(pc.take(pa.array(use_ints, pa.int64()), pa.array(use_codes)),
                           pc.take(pa.array(ret_ints, pa.int64()), pa.array(ret_codes)))
    sid_codes, sid_values = codes(su.field("SummaryRecordId"))
    revenue, reason = _revenue(s, su, rt_names, rt_codes, sid_codes, sid_values, use_codes, use_values, use_ints,
                               b.line[su.rows])
    summary = [_summary(s, v) for v in sid_values]
    by_sid = pa.array(sid_codes)

    def of_summary(i: int) -> pa.Array:            # coded: the summaries' values, an index per line
        return recoded(by_sid, pa.array([x[i] for x in summary], pa.string()))

    territory, terr_raw = of_summary(0), of_summary(1)
    link = links.result()
    if link is None:
        return None
    use_type = su.field("UseType")
    use_type = pc.if_else(pc.not_equal(use_type, ""), pc.cast(use_type, pa.string()), plain(of_summary(2)))
    sale = per_value(su.field("ValidityPeriodStart"), lambda v: (nz.norm_period(v) if v and v.strip() else None) or period)
    one = pa.array(np.zeros(n, np.int32))
    cols = {"statement_period": recoded(one, pa.array([period], pa.string())), "sale_period": sale,
            "dsp": recoded(one, pa.array([dsp], pa.string())), "territory": territory, "usage_type": use_type,
            "quantity": quantity, "currency": of_summary(3), "revenue": revenue,
            **{k: link[k] for k in NAMES if k in link}}
    flags = {"isrc": (link["isrc_nulled"], link["isrc_cell"], link["as_row"]),
             "upc": (link["upc_nulled"], link["icpn"], link["re_row"]),
             "territory": (pc.take(pa.array([x[0] is None and x[1] != "" for x in summary], pa.bool_()), by_sid), terr_raw, None)}
    return Sales({k: cols[k] for k in NAMES}, line, reason, _nulled(flags, line))


def _revenue(s, su: Rows, rt_names, rt_codes, sid_codes, sid_values, use_codes, use_values, use_ints,
             lines: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """(revenue, bad-row reason) per sale line: the line's NetRevenue cast by Arrow when plainly
    written, else read once per distinct text; pro rata from its summary when blank."""
    own = su.field("NetRevenue")
    plain = np.asarray(pc.coalesce(pc.match_substring_regex(own, _PLAIN_AMOUNT), False)
                       .to_numpy(zero_copy_only=False), dtype=bool)
    empty = np.asarray(pc.equal(own, "").to_numpy(zero_copy_only=False), dtype=bool)
    other = np.flatnonzero(~plain & ~empty)
    other_codes, other_values = codes(pc.take(own, pa.array(other)))
    blank = empty.copy()                                  # blank once stripped: allocated pro rata
    blank[other] = np.array([not v.strip() for v in other_values] + [False], dtype=bool)[other_codes]
    for code in np.unique(su.codes):                      # where each sale type's revenue comes from
        rt, first = rt_names[code], int(np.argmax(su.codes == code))
        s.sources.setdefault(rt, f"{rt} usages, NetRevenue allocated pro rata from its summary" if blank[first]
                             else f"{rt} NetRevenue")
    revenues, reasons = [], []
    pick = np.full(len(own), -1, dtype=np.int64)          # row of revenues/reasons; -1: Arrow's cast
    with localcontext() as ctx:
        ctx.prec = 80
        for code, value in enumerate(other_values):
            if value.strip():
                pick[other[other_codes == code]] = len(revenues)
                rev, why = own_revenue(value)
                revenues.append(rev), reasons.append(why)
        pro_rata(s, blank, sid_codes, sid_values, use_codes, use_values, use_ints, lines, pick, revenues, reasons)
    cast = pc.cast(pc.if_else(pa.array(plain), own, pa.scalar(None, own.type)), AMOUNT)
    if not revenues:
        return cast, pa.nulls(len(own), pa.string())
    taken = pa.array(pick, mask=pick < 0)
    return (pc.coalesce(cast, pc.take(pa.array(revenues, AMOUNT), taken)),
            pc.take(pa.array(reasons, pa.string()), taken))


def _kind(rt: str) -> str:
    if rt.startswith("RE"):
        return "RE"
    if rt.startswith("AS"):
        return "AS"
    return "SU" if SALE.match(rt) else ""


def _summary(s, sid: str) -> tuple[str | None, str, str | None, str | None]:
    """(territory, its raw text, usage type, currency) of the summary a SummaryRecordId names."""
    key = s.summary_key(sid)
    summary = s.summaries.view(key) if key is not None else {}
    terr_raw = summary.get("Territory", "").strip()
    currency = summary.get("Currency")
    return (nz.norm_territory(terr_raw) if terr_raw else None, terr_raw,
            summary.get("UseType") or summary.get("CommercialModel") or None,
            nz.norm_currency(currency) if currency else None)


def _nulled(flags: dict[str, tuple[pa.Array, pa.Array, pa.Array | None]],
            line: pa.Array) -> list[tuple[str, int, list[dict]]]:
    """Values nulled as invalid per field (count, first five samples), in the order the per-line
    reader first met them. Each flag: (mask per line, raw values, their row per line or None)."""
    out = []
    for order, (name, (mask, raw, row)) in enumerate(flags.items()):
        mask = pc.coalesce(mask, False)
        count = pc.sum(mask).as_py() or 0
        if count:
            idx = pc.indices_nonzero(mask)[:5]
            values = raw.take(idx if row is None else row.take(idx)).to_pylist()
            found = [{"line": ln, "value": v, "result": None} for ln, v in zip(line.take(idx).to_pylist(), values)]
            out.append((idx[0].as_py(), order, name, count, found))
    return [(name, count, found) for _, _, name, count, found in sorted(out)]
