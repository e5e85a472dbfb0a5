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


def _table(data: pa.Table | Iterable[pa.RecordBatch]) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    return pa.Table.from_batches(list(data), schema=CANONICAL_SCHEMA)


def _money(v: Decimal | None) -> str:
    return _fmt(v) if v is not None else "0"


def _group(table: pa.Table, keys: list[tuple[str, str]]) -> list[dict]:
    cols = [k for k, _ in keys]
    agg = table.group_by(cols).aggregate([(c, "sum") for c in _SUMS] + [("line", "count")])
    agg = agg.sort_by([("revenue_sum", "descending")] + [(c, "ascending") for c in cols])
    out = []
    for row in agg.to_pylist():
        entry = {label: row[col] for col, label in keys}
        entry.update(quantity=str(row["quantity_sum"] or 0), revenue=_money(row["revenue_sum"]),
                     revenue_converted=_money(row["revenue_converted_sum"]), rows=row["line_count"])
        out.append(entry)
    return out


def build_snapshot(table_or_batches: pa.Table | Iterable[pa.RecordBatch]) -> dict:
    """{"byArtist", "byDSP", "byTerritory", "byTrack", "byRelease": [entries sorted by revenue desc],
    "totals": {...}}; amounts and quantities are exact decimal strings."""
    table = _table(table_or_batches)
    snap: dict = {name: _group(table, keys) for name, keys in GROUPS.items()}
    snap["totals"] = {
        "rows": table.num_rows,
        "quantity": str(pc.sum(table["quantity"]).as_py() or 0),
        "revenue": _money(pc.sum(table["revenue"]).as_py()),
        "revenue_converted": _money(pc.sum(table["revenue_converted"]).as_py()),
        "artists": pc.count_distinct(table["artist"]).as_py(),
        "tracks": len(snap["byTrack"]),
        "releases": len(snap["byRelease"]),
    }
    return snap
