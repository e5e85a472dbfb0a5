"""Aggregated view of a cleaned file: grouped sums with pyarrow (exact decimal strings)."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from .result import _fmt
from .schema import CANONICAL_SCHEMA

GROUPS = {"byArtist": [("artist", "name")], "byDSP": [("dsp", "name")], "byTerritory": [("territory", "name")],
          "byTrack": [("track_title", "name"), ("isrc", "isrc")],
          "byRelease": [("release_title", "name"), ("upc", "upc")]}
_SUMS = ("quantity", "revenue", "revenue_converted")


def _money(v: Decimal | None) -> str:
    return _fmt(v) if v is not None else "0"


_COMBINE_AT = 500_000  # partial groups kept before they are folded together


def _aliased(table: pa.Table, a: str, b: str) -> bool:
    """True when columns `a` and `b` hold the very same buffers (the emitter passes revenue as
    revenue_converted when there is no exchange rate): one decimal sum then serves both."""
    ca, cb = table.column(a), table.column(b)
    return ca.num_chunks == cb.num_chunks and all(
        x.offset == y.offset and len(x) == len(y) and
        [buf.address if buf else None for buf in x.buffers()] ==
        [buf.address if buf else None for buf in y.buffers()]
        for x, y in zip(ca.chunks, cb.chunks))


def _partial(batch: pa.Table, cols: list[str]) -> pa.Table:
    same = _aliased(batch, "revenue", "revenue_converted")
    sums = [c for c in _SUMS if not (same and c == "revenue_converted")]
    agg = batch.group_by(cols, use_threads=False).aggregate(
        [(c, "sum") for c in sums] + [("line", "count")])
    names = {f"{c}_sum": c for c in sums} | {"line_count": "rows"}
    agg = agg.rename_columns([names.get(n, n) for n in agg.column_names])
    if same:
        agg = agg.append_column("revenue_converted", agg.column("revenue"))
    return agg.select([*cols, *_SUMS, "rows"])


def _combine(parts: list[pa.Table], cols: list[str]) -> pa.Table:
    table = pa.concat_tables(parts)
    agg = table.group_by(cols, use_threads=False).aggregate(
        [(c, "sum") for c in (*_SUMS, "rows")])
    names = [n.removesuffix("_sum") for n in agg.column_names]
    return agg.rename_columns(names)


def _entries(agg: pa.Table, keys: list[tuple[str, str]]) -> list[dict]:
    cols = [k for k, _ in keys]
    agg = agg.sort_by([("revenue", "descending")] + [(c, "ascending") for c in cols])
    out = []
    for row in agg.to_pylist():
        entry = {label: row[col] for col, label in keys}
        entry.update(quantity=str(row["quantity"] or 0), revenue=_money(row["revenue"]),
                     revenue_converted=_money(row["revenue_converted"]), rows=row["rows"])
        out.append(entry)
    return out


class SnapshotBuilder:
    """Accumulates the snapshot's grouped sums batch by batch (`add`), then `result()`.

    Each batch is grouped on its own and the partial groups are folded together, so memory
    follows the number of distinct keys, not the number of rows. Larger batches (row groups)
    mean fewer, cheaper group-bys."""

    def __init__(self) -> None:
        self.parts: dict[str, list[pa.Table]] = {name: [] for name in GROUPS}
        self.sizes = dict.fromkeys(GROUPS, 0)

    def add(self, batch: pa.RecordBatch | pa.Table) -> None:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if table.num_rows == 0:
            return
        for name, keys in GROUPS.items():
            cols = [k for k, _ in keys]
            part = _partial(table.select([*cols, *_SUMS, "line"]), cols)
            self.parts[name].append(part)
            self.sizes[name] += part.num_rows
            if self.sizes[name] > _COMBINE_AT:
                self.parts[name] = [_combine(self.parts[name], cols)]
                self.sizes[name] = self.parts[name][0].num_rows

    def result(self) -> dict:
        return _finish(self.parts)


def build_snapshot(table_or_batches: pa.Table | Iterable[pa.RecordBatch]) -> dict:
    """{"byArtist", "byDSP", "byTerritory", "byTrack", "byRelease": [entries sorted by revenue desc],
    "totals": {...}}; amounts and quantities are exact decimal strings. Streams (SnapshotBuilder)."""
    batches = table_or_batches.to_batches() if isinstance(table_or_batches, pa.Table) \
        else table_or_batches
    builder = SnapshotBuilder()
    for batch in batches:
        builder.add(batch)
    return builder.result()


def summary_keys(snapshot: dict) -> dict[str, list[str]]:
    """Distinct keys for the organisation summary (artists; tracks by ISRC, releases by UPC)."""
    return {"artists": sorted({e["name"] for e in snapshot["byArtist"] if e["name"]}),
            "tracks": sorted({e["isrc"] for e in snapshot["byTrack"] if e.get("isrc")}),
            "releases": sorted({e["upc"] for e in snapshot["byRelease"] if e.get("upc")})}


def _finish(parts: dict[str, list[pa.Table]]) -> dict:
    snap: dict = {}
    combined: dict[str, pa.Table | None] = {}
    for name, keys in GROUPS.items():
        cols = [k for k, _ in keys]
        combined[name] = _combine(parts[name], cols) if parts[name] else None
        snap[name] = _entries(combined[name], keys) if parts[name] else []
    dsp = combined["byDSP"]

    def total(column: str):
        return pc.sum(dsp[column]).as_py() if dsp is not None else None

    snap["totals"] = {
        "rows": int(total("rows") or 0),
        "quantity": str(total("quantity") or 0),
        "revenue": _money(total("revenue")),
        "revenue_converted": _money(total("revenue_converted")),
        "artists": sum(1 for e in snap["byArtist"] if e["name"] is not None),
        "tracks": len(snap["byTrack"]),
        "releases": len(snap["byRelease"]),
    }
    return snap
