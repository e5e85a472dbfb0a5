"""Sale lines of a DSR, columnar: each SU line joined to its block's release (RE) and resource
(AS) by block number and to its summary record by its SummaryRecordId. Python runs once per
distinct value (ISRCs, ICPNs, summary ids, usages, periods) and per distinct (summary id, usages)
pair of pro-rata lines, never per line; the results are exactly the per-line reader's
(reader._sale_row, kept as the reference for the rare files this path hands back: several
releases or resources in one block, usages beyond int64)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import normalise as nz
from ..result import Emitter
from ..schema import AMOUNT
from .allocation import own_revenue, pro_rata
from .lines import TAB_MARK, Blocks
from .records import SALE, columns, multi, unescape
from .summaries import integer

_INT_LIMIT = 2 ** 62
# a NetRevenue Arrow casts to DECIMAL(38,18) exactly as Decimal(text).quantize(1e-18) reads it
_PLAIN_AMOUNT = r"^-?\d{1,20}(\.\d{1,18})?$"
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


class _Rows:
    """Field access for the rows of one record kind; cell positions per record type."""

    def __init__(self, b: Blocks, rows: np.ndarray, rt_names: list[str], codes: np.ndarray) -> None:
        self.b, self.rows, self.rt_names, self.codes = b, rows, rt_names, codes[rows]

    def field(self, name: str) -> pa.Array:
        """The named cell of each row ("" where its record type has no such cell)."""
        pos = np.array([_position(rt, name) for rt in self.rt_names] or [-1], dtype=np.int64)[self.codes]
        out = None
        for p in np.unique(pos):
            at = pos == p
            value = self.b.cell(int(p), self.rows[at]) if p >= 0 else pa.nulls(int(at.sum()), self.b.rt.type).fill_null("")
            out = value if out is None else pc.replace_with_mask(out, pa.array(at), value)
        if out is None:
            out = pa.array([], self.b.rt.type)
        return pc.replace_substring(out, TAB_MARK, "\t") if self.b.escaped else out


def _position(rt: str, name: str) -> int:
    names = columns(rt) or ()
    return 1 + names.index(name) if name in names else -1


def per_value(arr: pa.Array, fn: Callable, typ: pa.DataType = pa.string()) -> pa.Array:
    """`fn` once per distinct value of `arr`, spread back to every row."""
    enc = pc.dictionary_encode(arr)
    return pa.array([fn(v) for v in enc.dictionary.to_pylist()], typ).take(enc.indices)


def _codes(arr: pa.Array) -> tuple[np.ndarray, list]:
    enc = pc.dictionary_encode(arr)
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def _mask(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _first_isrc(cell: str) -> str | None:
    return next((c for c in map(nz.norm_isrc, multi(cell)) if c), None)


def _by_block(b: Blocks, kind: _Rows, su_block: np.ndarray) -> pa.Array | None:
    """Per sale line, the row of `kind` in its block (null if none); None if a block has two."""
    blocks = b.block[kind.rows]
    if len(blocks) and np.bincount(blocks).max() > 1:
        return None
    at = np.full(int(b.block.max()) + 1 if len(b.block) else 1, -1, dtype=np.int64)
    at[blocks] = np.arange(len(blocks))
    found = at[su_block]
    return pa.array(found, mask=found < 0)


def sales(b: Blocks, s, period: str | None, dsp: str | None) -> Sales | None:
    """The canonical columns of the sale lines; fills s.line_usages, s.sources, s.usages and
    s.last_line as the per-line scan does. None: the per-line reader must read this file."""
    rt_codes, rt_names = _codes(b.rt)
    kinds = np.array([_kind(rt) for rt in rt_names] or [""], dtype=object)[rt_codes] if len(rt_codes) else np.array([], object)
    rel = _Rows(b, np.flatnonzero(kinds == "RE"), rt_names, rt_codes)
    res = _Rows(b, np.flatnonzero(kinds == "AS"), rt_names, rt_codes)
    su = _Rows(b, np.flatnonzero(kinds == "SU"), rt_names, rt_codes)
    n = len(su.rows)
    su_block = b.block[su.rows]
    ri, ai = _by_block(b, rel, su_block), _by_block(b, res, su_block)
    if ri is None or ai is None:
        return None
    line = pa.array(b.line[su.rows], pa.int64())

    usages_raw, sid_raw = su.field("Usages"), su.field("SummaryRecordId")
    use_codes, use_values = _codes(usages_raw)
    use_ints = [integer(v) for v in use_values]
    ret_codes, ret_values = _codes(su.field("Returns"))
    ret_ints = [integer(v) or 0 for v in ret_values]
    if any(abs(v) >= _INT_LIMIT for v in [*(u for u in use_ints if u is not None), *ret_ints]):
        return None
    use_counts = np.bincount(use_codes, minlength=len(use_values)) if n else []
    s.line_usages = sum((u or 0) * int(c) for u, c in zip(use_ints, use_counts))
    usages = pa.array(use_ints, pa.int64()).take(pa.array(use_codes))
    quantity = pc.subtract(usages, pa.array(ret_ints, pa.int64()).take(pa.array(ret_codes)))

    own = su.field("NetRevenue")
    sid_codes, sid_values = _codes(sid_raw)
    plain = _mask(pc.match_substring_regex(own, _PLAIN_AMOUNT))
    own_codes, own_values = _codes(own)
    own_blank = np.array([not v.strip() for v in own_values] or [True], dtype=bool)[own_codes] if n else np.zeros(0, bool)
    for rt_code in np.unique(rt_codes[su.rows]):         # where each sale record type's revenue comes from
        first = int(np.argmax(su.codes == rt_code))
        rt = rt_names[rt_code]
        s.sources.setdefault(rt, f"{rt} usages, NetRevenue allocated pro rata from its summary" if own_blank[first]
                             else f"{rt} NetRevenue")
    with localcontext() as ctx:
        ctx.prec = 80
        extra_rev: list[Decimal | None] = []
        extra_why: list[str | None] = []
        pick = np.full(n, -1, dtype=np.int64)            # row of extra_rev/extra_why, -1 = Arrow's cast
        rare = ~plain & ~own_blank
        for code in np.unique(own_codes[rare]):
            rev, why = own_revenue(own_values[code])
            pick[rare & (own_codes == code)] = len(extra_rev)
            extra_rev.append(rev)
            extra_why.append(why)
        pro_rata(s, own_blank, sid_codes, sid_values, use_codes, use_values, use_ints, b.line[su.rows],
                 pick, extra_rev, extra_why)
    cast = pc.cast(pc.if_else(pa.array(plain), own, pa.scalar(None, own.type)), AMOUNT)
    taken = pa.array(pick, mask=pick < 0)
    revenue = pc.coalesce(cast, pa.array(extra_rev, AMOUNT).take(taken))
    reason = pa.array(extra_why, pa.string()).take(taken)

    summary = [_summary(s, v) for v in sid_values]
    sid_take = pa.array(sid_codes)
    territory = pa.array([x[0] for x in summary], pa.string()).take(sid_take)
    terr_raw = pa.array([x[1] for x in summary], pa.string()).take(sid_take)
    use_type = su.field("UseType")
    use_type = pc.if_else(pc.not_equal(use_type, ""), pc.cast(use_type, pa.string()),
                          pa.array([x[2] for x in summary], pa.string()).take(sid_take))
    currency = pa.array([x[3] for x in summary], pa.string()).take(sid_take)
    sale = per_value(su.field("ValidityPeriodStart"), lambda v: (nz.norm_period(v) if v and v.strip() else None) or period)

    icpn = per_value(rel.field("ICPN"), lambda v: unescape(v).strip()).take(ri)
    upc = per_value(icpn, lambda v: nz.norm_upc(v) if v else None)
    isrc_cell = res.field("ISRC").take(ai)
    isrc = per_value(isrc_cell, _first_isrc)
    artist_res = pc.fill_null(res.field("DisplayArtistName").take(ai), "")
    artist = pc.if_else(pc.not_equal(artist_res, ""), artist_res,
                        pc.fill_null(rel.field("DisplayArtistName").take(ri), ""))
    text = lambda v: unescape(v) or None  # noqa: E731
    cols = {"statement_period": pa.array([period] * n, pa.string()), "sale_period": sale,
            "dsp": pa.array([dsp] * n, pa.string()), "territory": territory, "isrc": isrc, "upc": upc,
            "artist": per_value(artist, text), "track_title": per_value(res.field("Title"), text).take(ai),
            "release_title": per_value(rel.field("Title"), text).take(ri), "usage_type": use_type,
            "quantity": quantity, "currency": currency, "revenue": revenue}
    flags = {"isrc": (pc.and_(pc.is_null(isrc), per_value(isrc_cell, lambda v: bool(multi(v)), pa.bool_())), isrc_cell),
             "upc": (pc.and_(pc.is_null(upc), pc.not_equal(icpn, "")), icpn),
             "territory": (pc.and_(pc.is_null(territory), pc.not_equal(terr_raw, "")), terr_raw)}
    return Sales({k: cols[k] for k in NAMES}, line, reason, _nulled(flags, line))


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


def _nulled(flags: dict[str, tuple[pa.Array, pa.Array]], line: pa.Array) -> list[tuple[str, int, list[dict]]]:
    """Values nulled as invalid per field (count, first five samples), in the order the per-line
    reader first met them."""
    out = []
    for order, (name, (mask, raw)) in enumerate(flags.items()):
        mask = pc.fill_null(mask, False)
        count = pc.sum(mask).as_py() or 0
        if count:
            idx = pc.indices_nonzero(mask)[:5]
            found = [{"line": ln, "value": v, "result": None}
                     for ln, v in zip(line.take(idx).to_pylist(), raw.take(idx).to_pylist())]
            out.append((idx[0].as_py(), order, name, count, found))
    return [(name, count, found) for _, _, name, count, found in sorted(out)]

