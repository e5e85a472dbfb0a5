"""Options, result and the shared batch emitter (bad-row accounting, conversion, sink)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from .coded import is_coded
from .dates import DateOrder
from .errors import SalesFileError
from .money import Converter, multiply_rounded, quantize
from .quality import Quality
from .schema import CANONICAL_SCHEMA

MAX_SAMPLES = 100


@dataclass
class CleanOptions:
    exchange_rate: Decimal | None = None   # file currency → organisation currency; None = same currency
    max_bad_share: float = 0.5
    mappings: Sequence[Any] = ()            # organisation layouts (dicts for layout_from_mapping, or Layouts)
    batch_rows: int = 50_000
    clean_ahead: int = 4                   # ranges cleaned ahead of the one written (TRIBUTARY_CLEAN_AHEAD)
    infer: bool = True                      # propose a mapping for files no layout claims (models/sales/infer)
    base_currency: str | None = None        # organisation currency; None = no conversion by currency (revenue × exchange_rate)
    org_rates: dict = field(default_factory=dict)   # (from, to, "YYYY-MM") → Decimal
    date_order: str | None = None           # requested reading of a/b/yyyy dates (DMY / MDY)
    org_date_order: str | None = None       # the organisation's setting
    org_locale: str | None = None           # the organisation's locale (CLDR short date pattern)
    date_order_found: tuple[str, str] | None = None  # (order, example) the rows forced on a first attempt


@dataclass
class CleanResult:
    layout: str
    encoding: str
    delimiter: str | None
    rows: int
    bad_rows: int
    bad_samples: list[dict]
    declared_totals: dict | None = None
    totals_check: dict | None = None
    reporting_period: str | None = None
    currency: str | None = None
    file_number: int | None = None          # DSR multi-file reports: HEAD FileNumber / NumberOfFiles
    number_of_files: int | None = None
    header_line: int | None = None          # 1-based line of the header row (tabular layouts)
    footer_lines: int = 0                   # trailing total/footer lines dropped
    invalid_values: dict[str, int] = field(default_factory=dict)  # values nulled (bad ISRC, UPC, territory…)
    imported_totals: dict[str, str] = field(default_factory=dict)  # {"revenue", "revenue_converted", "quantity"}
    warnings: list[str] = field(default_factory=list)
    inference: dict | None = None           # layout `inferred`: the proposal used (mapping, confidences)
    totals_by_currency: list[dict] = field(default_factory=list)   # [{currency, rows, quantity, revenue}]
    conversion: dict | None = None          # base currency, complete, rates used and missing
    date_order: dict | None = None          # reading of a/b/yyyy dates and what decided it
    data_quality: dict = field(default_factory=dict)  # per field: nulled, repaired, samples with lines


class Emitter:
    """Turns canonical column dicts into CANONICAL_SCHEMA batches, drops bad rows (keeping samples),
    accumulates exact totals, and calls the sink. A text column the mapper kept coded
    (`coded`) stays a dictionary array in the batch: the sink's consumers share its codes."""

    def __init__(self, options: CleanOptions, sink: Callable[[pa.RecordBatch], None]) -> None:
        self.options, self.sink = options, sink
        self.rows = self.bad = 0
        self.samples: list[dict] = []
        self.invalid: Counter[str] = Counter()
        self.revenue = self.converted = Decimal(0)
        self.quantity = 0
        self.currencies: Counter[str] = Counter()
        self.periods: Counter[str] = Counter()
        self.by_currency: dict[str | None, list] = {}   # currency → [rows, quantity, revenue]
        self.quality = Quality()
        self.dates: DateOrder | None = None             # set by the mapper of tabular layouts
        self.sunk = 0                                    # batches handed to the sink
        self.converter = None if not options.base_currency else Converter(
            options.base_currency, None if options.exchange_rate is None else Decimal(options.exchange_rate),
            dict(options.org_rates))
        rate = options.exchange_rate
        self.rate = None if rate is None else quantize(Decimal(rate))

    def note_quality(self, name: str, kind: str, count: int, samples: list[dict]) -> None:
        self.quality.add(name, kind, count, samples)

    def state_rate(self, src: str, dst: str, month: str, rate) -> None:
        """A rate the file states (1 `src` = `rate` `dst` in `month`), for the conversion."""
        if self.converter is not None:
            self.converter.state(src, dst, month, rate)

    def count_invalid(self, name: str, n: int) -> None:
        if n:
            self.invalid[name] += n

    def emit(self, cols: dict[str, pa.Array], lines: pa.Array, reasons: pa.Array | None = None,
             values: pa.Array | None = None) -> None:
        """`reasons`: string array, non-null = bad row; `values`: raw text shown in the samples."""
        n = len(lines)
        if reasons is not None and reasons.null_count < n:
            bad_mask = pc.is_valid(reasons)
            nbad = pc.sum(bad_mask).as_py()
            self.bad += nbad
            room = MAX_SAMPLES - len(self.samples)
            if room > 0:
                idx = pc.indices_nonzero(bad_mask)[:room]
                shown = values.take(idx).to_pylist() if values is not None else [None] * len(idx)
                for ln, why, val in zip(lines.take(idx).to_pylist(), reasons.take(idx).to_pylist(), shown):
                    self.samples.append({"line": ln, "reason": why if val is None else f"{why}: {val!r}"})
            keep = pc.invert(bad_mask)
            cols = {k: v.filter(keep) for k, v in cols.items()}
            lines = lines.filter(keep)
            n -= nbad
        if n == 0:
            return
        revenue = cols["revenue"]
        if self.converter is not None:
            converted = self.converter.convert(revenue, _col(cols, "currency", n), _col(cols, "statement_period", n))
        elif self.rate is None:
            converted = revenue
        else:
            converted = multiply_rounded(revenue, [self.rate])
        if cols.get("revenue_converted") is not None:   # the file states its own conversion (TuneCore)
            converted = pc.coalesce(cols["revenue_converted"], converted)
        arrays = []
        for f in CANONICAL_SCHEMA:
            if f.name == "revenue_converted":
                arr = converted
            elif f.name == "line":
                arr = lines
            else:
                arr = cols.get(f.name)
                if arr is None:
                    arr = pa.nulls(n, f.type)
            if arr.type != f.type and not (is_coded(arr) and arr.type.value_type == f.type):
                arr = arr.cast(f.type)
            arrays.append(arr)
        batch = pa.RecordBatch.from_arrays(arrays, schema=_schema(arrays))
        self.rows += n
        self.revenue += pc.sum(revenue).as_py() or 0
        self.converted += pc.sum(converted).as_py() or 0
        self.quantity += pc.sum(batch.column("quantity")).as_py() or 0
        self._count(batch)
        self.sunk += 1
        self.sink(batch)

    def _count(self, batch: pa.RecordBatch) -> None:
        """Rows per currency and per statement month, and exact rows, quantity and revenue per
        currency: one group-by of the batch on (currency, month), its few groups added up here
        (a value count per column and a group-by per currency hashed every row three times)."""
        table = pa.Table.from_batches([batch]).select(["currency", "statement_period", "quantity", "revenue"])
        agg = table.group_by(["currency", "statement_period"], use_threads=False).aggregate(
            [("quantity", "sum"), ("revenue", "sum"), ([], "count_all")])
        for cur, month, qty, rev, rows in zip(*(agg.column(c).to_pylist() for c in (
                "currency", "statement_period", "quantity_sum", "revenue_sum", "count_all"))):
            if cur is not None:
                self.currencies[cur] += rows
            if month is not None:
                self.periods[month] += rows
            entry = self.by_currency.setdefault(cur, [0, 0, Decimal(0)])
            entry[0] += rows
            entry[1] += qty or 0
            entry[2] += rev or 0

    def check_share(self, filename: str) -> None:
        total = self.rows + self.bad
        if total and self.bad / total > self.options.max_bad_share:
            raise SalesFileError("TOO_MANY_BAD_ROWS",
                                 f"{filename!r}: {self.bad} of {total} rows unusable (> {self.options.max_bad_share:.0%}); "
                                 f"first: {self.samples[:3]}")

    def result(self, **kw: Any) -> CleanResult:
        kw.setdefault("currency", self.currencies.most_common(1)[0][0] if len(self.currencies) == 1 else None)
        kw.setdefault("reporting_period", self.periods.most_common(1)[0][0] if self.periods else None)
        warnings = list(kw.pop("warnings", None) or [])
        if self.dates is not None:
            kw["date_order"] = self.dates.report()
            if self.dates.warning():
                warnings.append(self.dates.warning())
        if self.converter is not None:
            kw["conversion"] = self.converter.report()
            warnings += self.converter.warnings()
        by_currency = [{"currency": c, "rows": v[0], "quantity": str(v[1]), "revenue": _fmt(v[2])}
                       for c, v in sorted(self.by_currency.items(), key=lambda x: x[0] or "")]
        return CleanResult(rows=self.rows, bad_rows=self.bad, bad_samples=self.samples,
                           invalid_values=dict(self.invalid), warnings=warnings,
                           totals_by_currency=by_currency, data_quality=self.quality.report(),
                           imported_totals={"revenue": _fmt(self.revenue), "revenue_converted": _fmt(self.converted),
                                            "quantity": str(self.quantity)}, **kw)


def _schema(arrays: list[pa.Array]) -> pa.Schema:
    """CANONICAL_SCHEMA with the coded text columns of this batch as their dictionary type."""
    if not any(is_coded(a) for a in arrays):
        return CANONICAL_SCHEMA
    return pa.schema([f.with_type(a.type) for f, a in zip(CANONICAL_SCHEMA, arrays)])


def _col(cols: dict[str, pa.Array], name: str, n: int) -> pa.Array:
    arr = cols.get(name)
    return pa.nulls(n, pa.string()) if arr is None else arr


def _fmt(d: Decimal) -> str:
    """Exact decimal string without exponent and without trailing zeros past the point."""
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s




def add_bad(emitter: Emitter, line: int | None, reason: str) -> None:
    """Count one unusable row that never became part of a batch (e.g. wrong cell count)."""
    emitter.bad += 1
    if len(emitter.samples) < MAX_SAMPLES:
        emitter.samples.append({"line": line, "reason": reason})
