"""Aggregated view of a cleaned file: grouped sums with pyarrow, kept as Arrow tables (exact
decimals) until an entry is shown; then exact decimal strings."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from ..exact import exact_context
from .key_ids import Codes, KeyIds
from .result import _fmt
from .schema import CANONICAL_SCHEMA

# every group is split by currency: amounts of two currencies are never added together
_CUR = ("currency", "currency")
GROUPS = {"byArtist": [("artist", "name"), _CUR], "byDSP": [("dsp", "name"), _CUR],
          "byTerritory": [("territory", "name"), _CUR],
          "byTrack": [("track_title", "name"), ("isrc", "isrc"), ("artist", "artist"), _CUR],
          "byRelease": [("release_title", "name"), ("upc", "upc"), ("artist", "artist"), _CUR],
          "byCurrency": [_CUR, ("statement_period", "period")]}
_KEY_COLUMNS = tuple(dict.fromkeys(k for keys in GROUPS.values() for k, _ in keys))
SPEC_GROUPS = ("byArtist", "byDSP", "byTerritory", "byTrack", "byRelease")
_SUMS = ("quantity", "revenue", "revenue_converted")


def _money(v: Decimal | None) -> str:
    return _fmt(v) if v is not None else "0"


_COMBINE_AT = 500_000  # partial groups of a list kept before they are folded together
_PARTITIONS = 4        # of the lists keyed by artist (a power of two)


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


def _text(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Exact sums as `_money` writes them (no exponent, no trailing zeros, null → "0"),
    formatted by Arrow: no Decimal object per group."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_integer(arr.type):
        return pc.cast(pc.fill_null(arr, 0), pa.string())
    text = pc.cast(pc.fill_null(arr, pa.scalar(Decimal(0), arr.type)), pa.string())
    if arr.type.scale > 0:
        text = pc.replace_substring_regex(pc.replace_substring_regex(text, r"\.(\d*?)0+$", r".\1"),
                                          r"\.$", "")
    exponent = pc.match_substring(text, "E")   # Arrow writes |x| < 1e-6 with an exponent
    if pc.any(exponent).as_py():               # rare: only those few go through Decimal
        fixed = [_money(Decimal(t)) for t in pc.filter(text, exponent).to_pylist()]
        text = pc.replace_with_mask(text, exponent, pa.array(fixed, pa.string()))
    return text


def _order(cols: list[str]) -> list[tuple[str, str]]:
    return [("revenue", "descending")] + [(c, "ascending") for c in cols]


def _formatted(agg: pa.Table, keys: list[tuple[str, str]], ordered: bool = False) -> pa.Table:
    """A group's sums as the list the API shows: sorted by revenue (desc) then key (`ordered`:
    already), key columns under their labels, exact sums (decimal128, int64). Still one Arrow
    table: entries become dicts, their sums text, only a page at a time (`entries`)."""
    cols = [k for k, _ in keys]
    if not ordered:
        agg = agg.sort_by(_order(cols))
    arrays = [agg.column(c) for c in (*cols, *_SUMS)]
    arrays += [pc.cast(agg.column(c), pa.int64()) for c in ("rows", "converted_rows")]
    names = [label for _, label in keys] + list(_SUMS) + ["rows", "converted_rows"]
    return pa.table(arrays, names=names)


def entries(table: pa.Table) -> list[dict]:
    """The API's entries of (a slice of) a formatted list: sums as exact decimal strings;
    `revenue_converted` only when every line of the entry had a rate, else what was converted
    and how many lines were not."""
    table = table.combine_chunks()
    for name in _SUMS:
        table = table.set_column(table.schema.get_field_index(name), name, _text(table.column(name)))
    out = []
    for row in table.to_pylist():
        rows, converted_rows = row.pop("rows"), row.pop("converted_rows")
        converted = row.pop("revenue_converted")
        complete = converted_rows == rows
        row.update(revenue_converted=converted if complete else None, rows=rows)
        if not complete:
            row.update(converted_partial=converted, unconverted_rows=rows - converted_rows)
        out.append(row)
    return out


class _Fold:
    """One list's partial groups, kept in partitions by artist id where the list is keyed by
    artist (its groups are many: track x currency): a fold then touches one partition, so its
    peak memory is a fraction of the list's. A partition is folded when its partial groups
    outgrow twice its last fold: each row is folded a bounded number of times, however many
    distinct keys the file has."""

    def __init__(self, cols: list[str]) -> None:
        self.cols = cols
        count = _PARTITIONS if "artist" in cols else 1
        self.parts: list[list[pa.Table]] = [[] for _ in range(count)]
        self.sizes, self.folded = [0] * count, [0] * count

    def add(self, part: pa.Table) -> None:
        pieces = [part] if len(self.parts) == 1 else _split(part, len(self.parts))
        for i, piece in enumerate(pieces):
            self.parts[i].append(piece)
            self.sizes[i] += piece.num_rows
            if self.sizes[i] > max(_COMBINE_AT // len(self.parts), 2 * self.folded[i]):
                self.parts[i] = [_combine(self.parts[i], self.cols)]
                self.sizes[i] = self.folded[i] = self.parts[i][0].num_rows

    def result(self) -> pa.Table | None:
        """Every partition folded (a part alone is already grouped), side by side: their keys
        are disjoint."""
        done = []
        for i, parts in enumerate(self.parts):
            self.parts[i] = []
            if parts:
                done.append(parts[0] if len(parts) == 1 else _combine(parts, self.cols))
            del parts          # a partition's partial groups go before the next is folded
        names = [*self.cols, *_SUMS, "rows", "converted_rows"]
        return pa.concat_tables([t.select(names) for t in done]) if done else None


def _split(part: pa.Table, count: int) -> list[pa.Table]:
    which = pc.bit_wise_and(pc.fill_null(part.column("artist"), 0), count - 1)
    return [part.filter(pc.equal(which, i)) for i in range(count)]


class SnapshotBuilder:
    """Accumulates the grouped sums of some of the snapshot's lists (`names`, all by default)
    batch by batch (`add`), then `lists()` or `result()`.

    Each batch is grouped on its own and the partial groups are folded together (`_Fold`), so
    memory follows the number of distinct keys, not the number of rows. The key strings are
    grouped as int32 ids (`KeyIds`) and taken back once, when the lists are formatted. Builders
    of disjoint `names` run on threads of their own (`SPLIT`, `snapshot_of`)."""

    def __init__(self, names: Iterable[str] = tuple(GROUPS)) -> None:
        self.folds = {name: _Fold([k for k, _ in GROUPS[name]]) for name in names}
        self.columns = tuple(dict.fromkeys(c for fold in self.folds.values() for c in fold.cols))
        self.keys = KeyIds()

    def add(self, batch: pa.RecordBatch | pa.Table, codes: Codes | None = None) -> None:
        """`codes`: key columns already dictionary-encoded (`key_ids.encode_columns`)."""
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if table.num_rows == 0:
            return
        table = table.select([*self.columns, *_SUMS, "line"])
        for i, column in enumerate(self.columns):
            table = table.set_column(i, column, self.keys.ids(column, table.column(column), codes))
        for fold in self.folds.values():
            fold.add(_partial(table.select([*fold.cols, *_SUMS, "line"]), fold.cols))

    def lists(self) -> dict[str, pa.Table]:
        """This builder's lists, formatted (`_formatted`); the partial groups go as they are."""
        lists = {}
        for name, fold in self.folds.items():
            combined = fold.result()
            if combined is None:
                lists[name] = _formatted(_partial(_EMPTY.select([*fold.cols, *_SUMS, "line"]), fold.cols),
                                         GROUPS[name])
                continue
            # sorted while the keys are ids (ranked as their strings), then the strings taken once
            ranked = pa.table([self.keys.ranks(c, combined.column(c)) for c in fold.cols] +
                              [combined.column("revenue")], names=[*fold.cols, "revenue"])
            combined = combined.take(pc.sort_indices(ranked, sort_keys=_order(fold.cols)))
            for column in fold.cols:
                combined = combined.set_column(combined.schema.get_field_index(column), column,
                                               self.keys.strings(column, combined.column(column)))
            lists[name] = _formatted(combined, GROUPS[name], ordered=True)
            del combined
        self.folds = {name: _Fold(fold.cols) for name, fold in self.folds.items()}
        return lists

    def result(self) -> Snapshot:
        return snapshot_of([self])


# The builders the cleaning runs side by side: byTrack (the most groups) alone, the rest together
SPLIT = (("byTrack",), ("byArtist", "byDSP", "byTerritory", "byRelease", "byCurrency"))


def snapshot_of(builders: list[SnapshotBuilder]) -> Snapshot:
    """The snapshot of builders covering every list once: their lists formatted on threads of
    their own (Arrow's kernels release the GIL; the cleaning is over and its cores are free),
    in `GROUPS` order, and the totals."""
    if len(builders) == 1:
        found = builders[0].lists()
    else:
        with ThreadPoolExecutor(len(builders), thread_name_prefix="snapshot-lists") as pool:
            found = {k: v for part in pool.map(SnapshotBuilder.lists, builders) for k, v in part.items()}
    lists = {name: found[name] for name in GROUPS}
    return Snapshot(lists, _totals(lists))


_EMPTY = CANONICAL_SCHEMA.empty_table()


@dataclass
class Snapshot:
    """A file's grouped lists as formatted Arrow tables (`_formatted`) and its totals. Entries
    become dicts only where they are shown: a page, or the first entries the document keeps."""
    lists: dict[str, pa.Table]
    totals: dict

    def entries(self, name: str, start: int = 0, stop: int | None = None) -> list[dict]:
        table = self.lists[name]
        stop = table.num_rows if stop is None else min(stop, table.num_rows)
        return entries(table.slice(start, max(stop - start, 0)))

    def to_dict(self) -> dict:
        """Every entry as a dict (small files, tests): what the snapshot document would hold uncut."""
        return {**{name: self.entries(name) for name in self.lists}, "totals": self.totals}


def build_snapshot(table_or_batches: pa.Table | Iterable[pa.RecordBatch]) -> Snapshot:
    """The grouped lists (byArtist, byDSP, byTerritory, byTrack, byRelease, byCurrency; entries
    sorted by revenue desc) and totals; amounts and quantities are exact decimal strings.
    Streams (SnapshotBuilder)."""
    batches = table_or_batches.to_batches() if isinstance(table_or_batches, pa.Table) \
        else table_or_batches
    builder = SnapshotBuilder()
    for batch in batches:
        builder.add(batch)
    return builder.result()


def _casefold(values: pa.Array) -> pa.Array:
    """`str.casefold` of every value: Arrow's ASCII lower-casing where that is the same (all
    ASCII), Python's casefold only for the other distinct values (ß → ss, as before)."""
    ascii_ = pc.string_is_ascii(values)
    out = pc.ascii_lower(values)
    if pc.all(ascii_).as_py() is not False:
        return out
    other = pc.invert(ascii_)
    folded = [v.casefold() for v in pc.filter(values, other).to_pylist()]
    return pc.replace_with_mask(out, other, pa.array(folded, pa.string()))


def _keys(table: pa.Table, code: str) -> pa.Array:
    """Distinct codes (ISRC/UPC), else casefolded `artist \x1f name` where there is a name."""
    codes = table.column(code)
    has_code = pc.fill_null(pc.greater(pc.utf8_length(codes), 0), False)
    named = pc.and_(pc.invert(has_code), pc.fill_null(pc.greater(pc.utf8_length(table.column("name")), 0), False))
    pairs = table.filter(named).select(["artist", "name"]).group_by(["artist", "name"]).aggregate([])
    artist = _casefold(pc.fill_null(pairs.column("artist").combine_chunks(), ""))
    name = _casefold(pairs.column("name").combine_chunks())
    joined = pc.binary_join_element_wise(artist, name, "\x1f")
    return pc.unique(pa.chunked_array([pc.filter(codes, has_code).combine_chunks(), joined], pa.string()))


def _key_arrays(lists: dict[str, pa.Table]) -> dict[str, pa.Array]:
    names = lists["byArtist"].column("name")
    artists = pc.unique(pc.filter(names, pc.fill_null(pc.greater(pc.utf8_length(names), 0), False)))
    return {"artists": artists, "tracks": _keys(lists["byTrack"], "isrc"), "releases": _keys(lists["byRelease"], "upc")}


def summary_keys(snapshot: Snapshot) -> dict[str, list[str]]:
    """Distinct keys for the organisation summary, sorted: artists by name; tracks by ISRC, else
    by (artist, track title); releases by UPC, else by (artist, release title). Arrow throughout:
    in a multi-currency file each key is in many entries."""
    return {kind: pc.take(values, pc.sort_indices(values)).to_pylist()
            for kind, values in _key_arrays(snapshot.lists).items()}


def _totals(lists: dict[str, pa.Table]) -> dict:
    by_month = entries(lists["byCurrency"])      # currency × month: a few entries
    by_currency = currency_totals(by_month)
    with localcontext(EXACT):
        converted = sum((Decimal(e["revenue_converted"] or e.get("converted_partial") or 0)
                         for e in by_month), Decimal(0))
    keys = _key_arrays(lists)
    return {
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


def currency_totals(by_month: list[dict]) -> list[dict]:
    """byCurrency entries (currency × month) → one exact total per currency."""
    out: dict = {}
    with localcontext(EXACT):
        for e in by_month:
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


# sums of DECIMAL(38, 18) amounts: the default 28 significant digits rounded large totals
EXACT = exact_context()
