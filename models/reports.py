"""Reports: match a batch of canonical sales rows to the catalog, shape the CSV rows (with
CSV-injection neutralised), add up totals exactly, fold status events and tell stale reports.

A sale matches when its ISRC is in the catalog or, when it has no usable ISRC, its UPC is.
Both sides go through the same key functions (models.catalog.isrc_keys / upc_keys). When the
catalog holds a key more than once, the first row (file order) is the match, so every sale
appears in exactly one of the two reports exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from models.catalog import isrc_keys, upc_keys
from models.lifecycle import NEW, EntityKind, opened, stamped, status_change
from models.sales.schema import FIELDS as SALE_FIELDS

TYPES = ("monthly", "unmatched")
CATALOG_OUT = ("isrc", "upc", "release_title", "track_title", "artist", "label")
COLUMNS = {
    "monthly": [*SALE_FIELDS, "file_id", "matched_on", *(f"catalog_{c}" for c in CATALOG_OUT)],
    "unmatched": [*SALE_FIELDS, "file_id", "reason"],
}
REASONS = {"isrc": "isrc_not_in_catalog", "upc": "upc_not_in_catalog",
           "none": "no_usable_isrc_or_upc", "catalog": "no_catalog"}
_AMOUNTS = ("revenue", "revenue_converted")
_NULL = pa.scalar(None, pa.string())


class CatalogIndex:
    """The current catalog version as lookup arrays (ISRC keys, UPC keys) over its rows."""

    def __init__(self, table: pa.Table | None, version: int | None = None) -> None:
        self.version = version
        self.table = table.sort_by("line") if table is not None and table.num_rows else None
        if self.table is not None:
            self.isrc = isrc_keys(self.table["isrc"].combine_chunks())
            self.upc = upc_keys(self.table["upc"].combine_chunks())

    def split(self, batch: pa.RecordBatch | pa.Table, file_id: int) -> tuple[pa.Table, pa.Table]:
        """(matched rows with catalog fields + matched_on, unmatched rows with reason)."""
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        table = table.append_column("file_id",
                                    pa.repeat(pa.scalar(file_id, pa.int64()), table.num_rows))
        ik = isrc_keys(table["isrc"].combine_chunks())
        uk = upc_keys(table["upc"].combine_chunks())
        has_isrc, has_upc = pc.is_valid(ik), pc.is_valid(uk)
        why = pc.if_else(has_isrc, REASONS["isrc"], pc.if_else(has_upc, REASONS["upc"],
                                                                REASONS["none"]))
        if self.table is None:
            reason = pa.array([REASONS["catalog"]] * table.num_rows, pa.string())
            return _empty("monthly", table), table.append_column("reason", reason)
        idx = pc.if_else(has_isrc, pc.index_in(ik, value_set=self.isrc, skip_nulls=True),
                         pc.index_in(uk, value_set=self.upc, skip_nulls=True))
        found = pc.is_valid(idx)
        matched = table.filter(found)
        rows = self.table.take(idx.filter(found))
        matched = matched.append_column(
            "matched_on", pc.if_else(has_isrc.filter(found), "isrc", "upc"))
        for name in CATALOG_OUT:
            matched = matched.append_column(f"catalog_{name}", rows[name])
        missing = pc.invert(found)
        return matched, table.filter(missing).append_column("reason", why.filter(missing))


def _empty(kind: str, like: pa.Table) -> pa.Table:
    schema = pa.schema([like.schema.field(c) if c in like.schema.names else pa.field(c, pa.string())
                        for c in COLUMNS[kind]])
    return schema.empty_table()


def neutralise(arr: pa.Array) -> pa.Array:
    """Cells starting with = + - @ TAB or CR get a leading single quote (CSV/formula injection)."""
    risky = pc.fill_null(pc.match_substring_regex(arr, r"^[=+\-@\t\r]"), False)
    return pc.if_else(risky, pc.binary_join_element_wise("'", arr, ""), arr)


def format_amount(arr: pa.Array) -> pa.Array:
    """Exact decimal as plain text without trailing zeros: 1.500000000000000000 → 1.5, 2.000 → 2.

    Arrow writes values below 1e-6 in scientific notation (`1E-18`); those few are redone exactly
    with Python's Decimal."""
    text = pc.cast(arr, pa.string())
    sci = pc.fill_null(pc.match_substring(text, "E"), False)
    if pc.any(sci).as_py():
        plain = [format(v, "f") for v in arr.filter(sci).to_pylist()]
        text = pc.replace_with_mask(text, sci, pa.array(plain, pa.string()))
    text = pc.replace_substring_regex(text, r"^(-?\d+)\.(\d*?)0+$", r"\1.\2")
    return pc.replace_substring_regex(text, r"\.$", "")


def csv_table(kind: str, table: pa.Table) -> pa.Table:
    """The rows as the CSV shows them: columns in order, amounts as text, text cells neutralised."""
    out = {}
    for name in COLUMNS[kind]:
        col = table[name].combine_chunks() if name in table.column_names else \
            pa.nulls(table.num_rows, pa.string())
        if name in _AMOUNTS:
            col = format_amount(col)
        elif pa.types.is_string(col.type):
            col = neutralise(col)
        out[name] = col
    return pa.table(out)


@dataclass
class Totals:
    rows: int = 0
    quantity: int = 0
    revenue: Decimal = Decimal(0)
    by_currency: dict[str, Decimal] = field(default_factory=dict)
    unconverted_rows: int = 0             # lines without a rate to the base currency
    # converted amounts by the base currency each file was converted into at import: a base
    # change between imports must never add two currencies into one `revenue_converted`
    converted: dict[str | None, Decimal] = field(default_factory=dict)

    def add(self, table: pa.Table, base: str | None = None) -> None:
        if not table.num_rows:
            return
        self.rows += table.num_rows
        self.quantity += int(pc.sum(table["quantity"]).as_py() or 0)
        self.revenue += _dec(pc.sum(table["revenue"]).as_py())
        self.converted[base] = self.converted.get(base, Decimal(0)) + \
            _dec(pc.sum(table["revenue_converted"]).as_py())
        self.unconverted_rows += table["revenue_converted"].null_count
        for group in table.group_by("currency").aggregate([("revenue", "sum")]).to_pylist():
            key = group["currency"] or "unknown"
            self.by_currency[key] = self.by_currency.get(key, Decimal(0)) + \
                _dec(group["revenue_sum"])

    def as_json(self) -> dict[str, Any]:
        # `revenue` adds amounts up only when they share one currency; per currency always
        # and `revenue_converted` only when every file was converted into the same base
        single = len(self.by_currency) <= 1
        one_base = len(self.converted) <= 1
        out = {"rows": self.rows, "quantity": self.quantity,
               "revenue": _txt(self.revenue) if single else None,
               "currency": next(iter(self.by_currency), None) if single else None,
               "revenue_converted": _txt(sum(self.converted.values(), Decimal(0)))
               if one_base else None,
               "converted_currency": next(iter(self.converted), None) if one_base else None,
               "converted_complete": self.unconverted_rows == 0 and one_base,
               "revenue_by_currency": {k: _txt(v) for k, v in sorted(self.by_currency.items())}}
        if not one_base:
            out["revenue_converted_by_currency"] = {
                k or "unknown": _txt(v) for k, v in sorted(self.converted.items(),
                                                          key=lambda kv: kv[0] or "")}
        return out


def _dec(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)


def _txt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def snapshot(kind: str, period: str, matched: Totals, unmatched: Totals,
             catalog_version: int | None, files: list[dict]) -> dict[str, Any]:
    """The report's numbers: its own rows and totals, both counts, the period's totals."""
    period_total = Totals(rows=matched.rows + unmatched.rows,
                          quantity=matched.quantity + unmatched.quantity,
                          revenue=matched.revenue + unmatched.revenue,
                          unconverted_rows=matched.unconverted_rows + unmatched.unconverted_rows)
    for part in (matched, unmatched):
        for cur, amount in part.by_currency.items():
            period_total.by_currency[cur] = period_total.by_currency.get(cur, Decimal(0)) + amount
        for base, amount in part.converted.items():
            period_total.converted[base] = period_total.converted.get(base, Decimal(0)) + amount
    own = matched if kind == "monthly" else unmatched
    rate = round(matched.rows / period_total.rows, 6) if period_total.rows else None
    snap = {"type": kind, "period": period, **own.as_json(), "matched_rows": matched.rows,
            "unmatched_rows": unmatched.rows, "match_rate": rate,
            "period_totals": period_total.as_json(), "catalog_version": catalog_version,
            "files": files, "empty": not files}
    if not files:
        snap["message"] = f"no processed sales files for {period}: the report has zero rows"
    return snap


def staleness(included: list[dict], current: list[dict]) -> dict | None:
    """None when the report still covers exactly the period's processed files (id + attempt);
    else which files were reimported, added or are no longer processed."""
    before = {int(f["file_id"]): f.get("attempt") for f in included}
    now = {int(f["file_id"]): f.get("attempt") for f in current}
    changed = sorted(i for i in before.keys() & now.keys() if before[i] != now[i])
    added, removed = sorted(now.keys() - before.keys()), sorted(before.keys() - now.keys())
    if not (changed or added or removed):
        return None
    return {"reimported": changed, "added": added, "removed": removed}


def apply_report_event(view: dict | None, payload: dict, ts: str) -> dict | None:
    """Fold one ReportStatusChanged into the report view (MongoDB record and worker table)."""
    out = opened(view, payload, "PENDING")
    if out is None:
        return None
    status = payload["status"]
    out["progress"] = payload.get("progress") if status == "RUNNING" else None
    return stamped(out, payload, "report_id", ts, status != out.get("status"))


status_payload = status_change("report_id")  # ReportStatusChanged (topics/reports.py)


def report_created(command: dict, ts: str) -> tuple[dict, dict]:
    """(first status event, first record) of the report a `CreateReport` payload asks for: the
    gateway stores this record with the command (listed and readable at once), the worker
    stores the same one (a no-op when it exists) and announces it with the event."""
    record = {"id": int(command["report_id"]), "organisation": command["organisation"]}
    event = status_payload(record, "PENDING", None, None, {
        "type": command["type"], "period": command["period"], "created_at": ts})
    return event, apply_report_event(None, event, ts)


KIND = EntityKind(
    name="report", collection="reports", events="reports.events", key_field="report_id",
    status_event="ReportStatusChanged", statuses=("PENDING", "RUNNING", "DONE", "FAILED"),
    terminal=("DONE", "FAILED"),
    transitions={NEW: ("PENDING", "FAILED"), "PENDING": ("RUNNING", "FAILED"),
                 "RUNNING": ("DONE", "FAILED")},
    fold=lambda view, _type, payload, ts: apply_report_event(view, payload, ts),
    creates=("ReportStatusChanged",), table="report_status", page="/reports/{report_id}/",
    reissue={"PENDING": ("reports.commands", "CreateReport"),
             "RUNNING": ("reports.commands", "CreateReport")},
    command=lambda doc: {"report_id": doc["_id"], "organisation": doc["organisation"],
                         "type": doc["type"], "period": doc["period"]},
    status_payload=status_payload)
