"""Columnar mapping of one batch of raw string columns to canonical columns (no per-row Python)."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from . import normalise as nz
from . import quality as dq
from .coded import map_values, normalised, per_row, plain
from .dates import DateOrder, provisional
from .layouts.base import TabularLayout
from .layouts.derive import first_nonblank
from .result import CleanOptions, Emitter

_NULL = pa.scalar(None, pa.string())
_TEXT_FIELDS = ("dsp", "artist", "track_title", "release_title", "usage_type")
_NUMBERS = ("revenue", "revenue_converted", "quantity", "_rate", "_rate_from")
SNIFF_ROWS = 2000   # the first rows the decimal separator is sniffed from


@dataclass
class Mapper:
    layout: TabularLayout
    headers: list[str]                       # normalised header cells, by column index
    decimal_sep: str | None = None
    dates: DateOrder = field(default_factory=DateOrder)
    caches: dict[str, nz.DistinctCache] = field(default_factory=lambda: {
        k: nz.DistinctCache() for k in ("isrc", "upc", "territory", "currency", "period")})

    def used_columns(self) -> list[int] | None:
        """Indices of the columns the layout reads (first of each header name), or None when
        it reads every one (a `prepare` step may derive from any): readers skip the rest."""
        if self.layout.prepare is not None:
            return None
        wanted = {n for names in self.layout.columns.values() for n in names}
        wanted |= set(self.layout.stated_rate or ())
        keep = [i for i, h in enumerate(self.headers) if h in wanted and h not in self.headers[:i]]
        return keep if len(keep) < len(self.headers) else None

    def coded_columns(self) -> set[int]:
        """Indices of the columns readers may hand over coded (`coded`): those only text fields
        read, in layouts without a `prepare` step; a field coalesced from several columns (an
        organisation's mapping) reads them plain. The rest of the mapper relies on this: amounts,
        `prepare` and coalescing are only ever given plain strings."""
        lay = self.layout
        if lay.prepare is not None:
            return set()
        numbers = {n for f in _NUMBERS for n in lay.columns.get(f, ())} | set(lay.stated_rate or ())
        text = {n for f, names in lay.columns.items() if f not in _NUMBERS and not (lay.coalesce and len(names) > 1)
                for n in names} - numbers
        return {i for i, h in enumerate(self.headers) if h in text}

    def raw_columns(self, columns: list[pa.Array]) -> dict[str, pa.Array]:
        raw: dict[str, pa.Array] = {}
        names = self.headers if len(columns) == len(self.headers) else \
            [self.headers[i] for i in self.used_columns() or range(len(self.headers))]
        for name, arr in zip(names, columns):
            raw.setdefault(name, arr)
        return self.layout.prepare(raw) if self.layout.prepare else raw

    def sources(self, raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
        """The source column of each field: the first present one, or (layouts that coalesce)
        per row the first non-blank of those present."""
        out = {}
        for fld, names in self.layout.columns.items():
            present = [raw[name] for name in names if name in raw]
            if present:
                out[fld] = first_nonblank(*present) if self.layout.coalesce and len(present) > 1 else present[0]
        return out

    def apply(self, columns: list[pa.Array], lines: pa.Array, emitter: Emitter) -> None:
        raw = self.raw_columns(columns)
        src = self.sources(raw)
        if self.layout.stated_rate and all(h in raw for h in self.layout.stated_rate):
            src["_rate_from"], src["_rate"] = (raw[h] for h in self.layout.stated_rate)
        n = len(lines)
        if not src or n == 0:
            return
        # text columns trimmed once (a coded one on its distinct values); amounts are cleaned from
        # `src` (trimmed here only when every text column has a blank cell, to tell blank lines)
        trimmed = {k: map_values(v, pc.utf8_trim_whitespace) for k, v in src.items() if k not in _NUMBERS}
        blank = _blank_rows(chain(trimmed.values(),
                                  (pc.utf8_trim_whitespace(src[k]) for k in _NUMBERS if k in src)))
        if blank is not None:              # fully blank lines are not rows at all
            keep = pc.invert(blank)
            src = {k: v.filter(keep) for k, v in src.items()}
            trimmed = {k: v.filter(keep) for k, v in trimmed.items()}
            lines = lines.filter(keep)
            n = len(lines)
        if n == 0:
            return
        lay = self.layout
        if self.decimal_sep is None:
            self.decimal_sep = lay.decimal_sep or nz.sniff_decimal_sep(
                [v for v in src["revenue"][:SNIFF_ROWS].to_pylist() if v][:500])
        cols: dict[str, pa.Array] = {}
        for f in _TEXT_FIELDS:
            if f in src:
                cols[f] = nz.null_blanks(trimmed[f])
        c = self.caches
        for f, fn, cache in (("isrc", nz.norm_isrc, c["isrc"]), ("upc", nz.norm_upc, c["upc"]),
                             ("territory", nz.norm_territory, c["territory"]), ("currency", nz.norm_currency, c["currency"])):
            if f in src:
                text = nz.null_blanks(trimmed[f])
                cols[f], nulled, repaired = normalised(text, lambda v, fn=fn, cache=cache: nz.map_distinct(v, fn, cache))
                emitter.count_invalid(f, cols[f].null_count - text.null_count)  # valid in, null out
                _note(emitter, f, "nulled", nulled, lines, text, cols[f])
                _note(emitter, f, "repaired", repaired, lines, text, cols[f])
        fmt, dates = lay.date_format, self.dates
        for f in ("statement_period", "sale_period"):
            if f in src:
                text = nz.null_blanks(trimmed[f])
                cols[f], nulled, _ = normalised(text, lambda v: nz.map_distinct(
                    v, lambda x: nz.norm_period(x, fmt, dates), c["period"]))
                if f == "sale_period" or "sale_period" not in src:
                    _note(emitter, "sale_date", "nulled", nulled, lines, text, cols[f])
        if "statement_period" in cols or "sale_period" in cols:
            sp = cols.get("sale_period", cols.get("statement_period"))
            cols["statement_period"] = _coalesce(cols.get("statement_period", sp), sp)
            cols["sale_period"] = _coalesce(sp, cols["statement_period"])
        for f, value in lay.constants.items():
            cols[f] = pa.repeat(pa.scalar(value, pa.string()), n)
        if lay.default_currency:
            given = cols.get("currency", pa.nulls(n, pa.string()))
            if given.null_count:
                cols["currency"] = pc.coalesce(plain(given), pa.scalar(lay.default_currency))
        thousands = lay.thousands_sep
        notes: dict = {}
        revenue, bad_revenue = nz.to_amount(src["revenue"], self.decimal_sep, thousands, notes)
        _note_repaired(emitter, "revenue", notes, bad_revenue, lines, src["revenue"], revenue)
        cols["revenue"] = revenue
        if "revenue_converted" in src:
            converted, bad_converted = nz.to_amount(src["revenue_converted"], self.decimal_sep, thousands)
            cols["revenue_converted"] = converted
        checks: list[tuple[pa.Array | None, str, pa.Array | None]] = []
        if "quantity" in src:
            qty, bad_qty = nz.to_quantity(src["quantity"], self.decimal_sep, thousands, notes)
            _note_repaired(emitter, "quantity", notes, bad_qty, lines, src["quantity"], qty)
            cols["quantity"] = qty
            _note(emitter, "quantity", "nulled", bad_qty, lines, src["quantity"], None)
            checks.append((bad_qty, "invalid quantity", src["quantity"]))
        ident = [cols[f] for f in ("isrc", "upc", "track_title", "release_title") if f in cols]
        if ident:
            checks.append((_all_null(ident), "no ISRC, UPC or title", None))
        if "sale_period" in cols:
            checks.append((_null_mask(cols["sale_period"]), "invalid or missing period",
                           src.get("sale_period", src.get("statement_period"))))
        if "revenue_converted" in src:
            checks.append((bad_converted, "invalid converted revenue", src["revenue_converted"]))
        _note(emitter, "revenue", "nulled", bad_revenue, lines, src["revenue"], None)
        checks.append((_null_mask(revenue), "missing revenue", None))
        checks.append((bad_revenue, "invalid revenue", src["revenue"]))
        reasons = values = None
        for mask, why, raw in checks:      # last check wins: most important ones are appended last
            if mask is None or not pc.any(mask).as_py():
                continue                   # the usual case: nothing to mark
            if reasons is None:
                reasons, values = pa.nulls(n, pa.string()), pa.nulls(n, pa.string())
            reasons = pc.if_else(mask, pa.scalar(why), reasons)
            values = pc.if_else(mask, plain(raw) if raw is not None else _NULL, values)
        if "_rate" in src and "currency" in cols and "statement_period" in cols:
            _state_rates(emitter, src["_rate_from"], src["_rate"], cols, self.decimal_sep)
        emitter.emit(cols, lines, reasons, values)


def _state_rates(emitter, from_cur: pa.Array, rate: pa.Array, cols: dict, sep: str | None) -> None:
    """Rates a layout's columns state (1 `from` = rate line currency), once per distinct
    (from, rate, currency, month) of the batch, before the batch is converted."""
    rates, _ = nz.to_amount(rate, sep or ".")
    table = pa.table({"f": pc.utf8_trim_whitespace(from_cur), "r": rates, "t": plain(cols["currency"]),
                      "m": plain(cols["statement_period"])}).group_by(["f", "r", "t", "m"]).aggregate([])
    for f, r, t, m in zip(*(table.column(c).to_pylist() for c in ("f", "r", "t", "m"))):
        src = nz.norm_currency(f) if f else None
        if src and t and m and r is not None and r > 0 and src != t:
            emitter.state_rate(src, t, m, r)


def date_reader(layout: TabularLayout, options: CleanOptions) -> DateOrder:
    """The date reading a file starts with (or the one its rows forced on a first attempt)."""
    if options.date_order_found:
        order, example = options.date_order_found
        return DateOrder(order=order, source="rows", evidence={order: example})
    return provisional(layout.date_format, layout.date_order, options.date_order,
                       options.org_date_order, options.org_locale)


def _note(emitter, name: str, kind: str, mask: pa.Array | None, lines: pa.Array, raw: pa.Array | None,
          out: pa.Array | None) -> None:
    """Count and sample the values of `name` that `mask` marks (nothing to do when it is None)."""
    if mask is not None and (mask.null_count or pc.any(mask).as_py()):
        mask = pc.fill_null(mask, False)
        count, found = dq.samples(mask, lines, raw, out)
        emitter.note_quality(name, kind, count, found)


def _note_repaired(emitter, name: str, notes: dict, bad: pa.Array, lines: pa.Array, raw: pa.Array,
                   out: pa.Array) -> None:
    """Numbers that needed cleaning (`$1,234.50`, `(1.5)`, `1.234,5`) and still parsed: repaired."""
    cleaned = notes.pop("cleaned", None)
    if cleaned is not None:
        _note(emitter, name, "repaired", pc.and_(cleaned, pc.and_(pc.invert(bad), pc.is_valid(out))),
              lines, raw, out)


def _blank_rows(trimmed: Iterable[pa.Array]) -> pa.Array | None:
    """Mask of the rows whose every cell is blank, or None when there is none (decided by the
    first column without a blank cell, so usually after one comparison)."""
    blank = None
    for arr in trimmed:
        empty = per_row(arr, lambda values: pc.equal(values, ""))
        if arr.null_count == 0 and not pc.any(empty).as_py():
            return None
        blank = empty if blank is None else pc.and_(blank, empty)
    return blank if blank is not None and pc.any(blank).as_py() else None


def _coalesce(first: pa.Array, then: pa.Array) -> pa.Array:
    return first if first.null_count == 0 else pc.coalesce(plain(first), plain(then))


def _null_mask(arr: pa.Array) -> pa.Array | None:
    """`is_null(arr)`, or None when no value is null (nothing to mark)."""
    return pc.is_null(arr) if arr.null_count else None


def _all_null(arrays: list[pa.Array]) -> pa.Array | None:
    """Rows null in every array (`is_null(coalesce(...))`), or None when there is none."""
    if any(a.null_count == 0 for a in arrays):
        return None
    mask = pc.is_null(arrays[0])
    for arr in arrays[1:]:
        mask = pc.and_(mask, pc.is_null(arr))
    return mask
