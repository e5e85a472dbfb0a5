"""Aggregated view of a cleaned file: grouped sums with pyarrow (exact decimal strings)."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import IO, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from .result import _fmt

# every group is split by currency: amounts of two currencies are never added together
_CUR = ("currency", "currency")
GROUPS = {"byArtist": [("artist", "name"), _CUR], "byDSP": [("dsp", "name"), _CUR],
          "byTerritory": [("territory", "name"), _CUR],
          "byTrack": [("track_title", "name"), ("isrc", "isrc"), ("artist", "artist"), _CUR],
          "byRelease": [("release_title", "name"), ("upc", "upc"), ("artist", "artist"), _CUR],
          "byCurrency": [_CUR, ("statement_period", "period")]}
SPEC_GROUPS = ("byArtist", "byDSP", "byTerritory", "byTrack", "byRelease")
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
    counts = [("line", "count")] + ([] if same else [("revenue_converted", "count")])
    agg = batch.group_by(cols, use_threads=False).aggregate([(c, "sum") for c in sums] + counts)
    names = {f"{c}_sum": c for c in sums} | {"line_count": "rows", "revenue_converted_count": "converted_rows"}
    agg = agg.rename_columns([names.get(n, n) for n in agg.column_names])
    if same:
        agg = agg.append_column("revenue_converted", agg.column("revenue"))
        agg = agg.append_column("converted_rows", agg.column("rows"))
    return agg.select([*cols, *_SUMS, "rows", "converted_rows"])


def _combine(parts: list[pa.Table], cols: list[str]) -> pa.Table:
    table = pa.concat_tables(parts)
    agg = table.group_by(cols, use_threads=False).aggregate(
        [(c, "sum") for c in (*_SUMS, "rows", "converted_rows")])
    names = [n.removesuffix("_sum") for n in agg.column_names]
    return agg.rename_columns(names)


def _text(arr: pa.ChunkedArray | pa.Array) -> list[str]:
    """Exact sums as `_money` writes them (no exponent, no trailing zeros, null → "0"),
    formatted by Arrow: no Decimal object per group."""
    if pa.types.is_integer(arr.type):
        return pc.cast(pc.fill_null(arr, 0), pa.string()).to_pylist()
    text = pc.cast(pc.fill_null(arr, pa.scalar(Decimal(0), arr.type)), pa.string())
    if arr.type.scale > 0:
        text = pc.replace_substring_regex(pc.replace_substring_regex(text, r"\.(\d*?)0+$", r".\1"),
                                          r"\.$", "")
    out = text.to_pylist()
    if pc.any(pc.match_substring(text, "E")).as_py():   # Arrow writes |x| < 1e-6 with an exponent
        out = [_money(Decimal(t)) if "E" in t else t for t in out]
    return out


def _entries(agg: pa.Table, keys: list[tuple[str, str]]) -> list[dict]:
    cols = [k for k, _ in keys]
    labels = [label for _, label in keys]
    agg = agg.sort_by([("revenue", "descending")] + [(c, "ascending") for c in cols])
    values = [agg.column(c).to_pylist() for c in cols]
    sums = [_text(agg.column(c)) for c in ("quantity", "revenue", "revenue_converted")]
    counts = [agg.column(c).to_pylist() for c in ("rows", "converted_rows")]
    out = []
    for *key, quantity, revenue, converted, rows, converted_rows in zip(*values, *sums, *counts):
        entry = dict(zip(labels, key))
        complete = converted_rows == rows
        entry.update(quantity=quantity, revenue=revenue,
                     revenue_converted=converted if complete else None, rows=rows)
        if not complete:       # some lines had no rate: what was converted, and how much was not
            entry.update(converted_partial=converted, unconverted_rows=rows - converted_rows)
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
    """Distinct keys for the organisation summary: artists by name; tracks by ISRC, else by
    (artist, track title); releases by UPC, else by (artist, release title)."""
    def keys(entries: list[dict], code: str) -> set[str]:
        out = set()
        for e in entries:
            if e.get(code):
                out.add(e[code])
            elif e.get("name"):
                out.add(f"{(e.get('artist') or '').casefold()}\x1f{e['name'].casefold()}")
        return out

    return {"artists": sorted({e["name"] for e in snapshot["byArtist"] if e["name"]}),
            "tracks": sorted(keys(snapshot["byTrack"], "isrc")),
            "releases": sorted(keys(snapshot["byRelease"], "upc"))}


def _finish(parts: dict[str, list[pa.Table]]) -> dict:
    snap: dict = {}
    combined: dict[str, pa.Table | None] = {}
    for name, keys in GROUPS.items():
        cols = [k for k, _ in keys]
        combined[name] = _combine(parts[name], cols) if parts[name] else None
        snap[name] = _entries(combined[name], keys) if parts[name] else []
    by_currency = currency_totals(snap["byCurrency"])
    converted = sum((Decimal(e["revenue_converted"] or e.get("converted_partial") or 0)
                     for e in snap["byCurrency"]), Decimal(0))
    keys = summary_keys(snap)
    snap["totals"] = {
        "rows": sum(c["rows"] for c in by_currency),
        "quantity": str(sum(int(c["quantity"]) for c in by_currency)),
        # one figure per file only when the file holds one currency (see by_currency)
        "revenue": by_currency[0]["revenue"] if len(by_currency) == 1 else (None if by_currency else "0"),
        "currency": by_currency[0]["currency"] if len(by_currency) == 1 else None,
        "revenue_converted": _money(converted),
        "converted_complete": all(c["converted_complete"] for c in by_currency),
        "by_currency": by_currency,
        "artists": len(keys["artists"]),
        "tracks": len(keys["tracks"]),
        "releases": len(keys["releases"]),
    }
    return snap


def currency_totals(entries: list[dict]) -> list[dict]:
    """byCurrency entries (currency × month) → one exact total per currency."""
    out: dict = {}
    for e in entries:
        t = out.setdefault(e["currency"], {"currency": e["currency"], "rows": 0, "quantity": 0,
                                           "revenue": Decimal(0), "revenue_converted": Decimal(0),
                                           "converted_complete": True})
        t["rows"] += e["rows"]
        t["quantity"] += int(e["quantity"])
        t["revenue"] += Decimal(e["revenue"])
        t["revenue_converted"] += Decimal(e["revenue_converted"] or e.get("converted_partial") or 0)
        t["converted_complete"] &= e["revenue_converted"] is not None
    return [{**t, "quantity": str(t["quantity"]), "revenue": _money(t["revenue"]),
             "revenue_converted": _money(t["revenue_converted"])}
            for t in sorted(out.values(), key=lambda t: t["currency"] or "")]


SNAPSHOT_CHUNK = 5_000   # entries per JSON line of a staged snapshot


def write_snapshot(snapshot: dict, handle: IO[str]) -> None:
    """A staged snapshot as JSON lines: its scalar fields, then its lists `SNAPSHOT_CHUNK`
    entries a line. Each line is one short encoder call: a multi-currency file's snapshot
    (hundreds of MB as one document) encoded at once held the GIL for seconds, long enough for
    the worker's event loop to miss its heartbeats."""
    head = {k: v for k, v in snapshot.items() if not isinstance(v, list)}
    handle.write(json.dumps({"format": "snapshot-lines", **head}) + "\n")
    for name, value in snapshot.items():
        if isinstance(value, list):
            handle.write(json.dumps([name, []]) + "\n")
            for start in range(0, len(value), SNAPSHOT_CHUNK):
                handle.write(json.dumps([name, value[start:start + SNAPSHOT_CHUNK]]) + "\n")


def read_snapshot(handle: IO[str]) -> dict:
    """What `write_snapshot` wrote (or a snapshot staged as one JSON document before it)."""
    first = handle.readline()
    head = json.loads(first) if first.strip() else {}
    if head.get("format") != "snapshot-lines":
        return json.loads(first + handle.read())
    head.pop("format")
    for line in handle:
        name, entries = json.loads(line)
        head.setdefault(name, []).extend(entries)
    return head
