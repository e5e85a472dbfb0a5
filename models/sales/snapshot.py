"""Aggregated view of a cleaned file: grouped sums with pyarrow, kept as Arrow tables (exact
decimals) until an entry is shown; then exact decimal strings."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Callable, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from ..exact import exact_context
from .key_ids import Codes, KeyIds
from .result import _fmt
from .schema import CANONICAL_SCHEMA
from .snapshot_fold import SUMS, Fold, order, ordering, partial_groups, regroup

# every group is split by currency: amounts of two currencies are never added together
_CUR = ("currency", "currency")
GROUPS = {"byArtist": [("artist", "name"), _CUR], "byDSP": [("dsp", "name"), _CUR],
          "byTerritory": [("territory", "name"), _CUR],
          "byTrack": [("track_title", "name"), ("isrc", "isrc"), ("artist", "artist"), _CUR],
          "byRelease": [("release_title", "name"), ("upc", "upc"), ("artist", "artist"), _CUR],
          "byCurrency": [_CUR, ("statement_period", "period")]}
_KEY_COLUMNS = tuple(dict.fromkeys(k for keys in GROUPS.values() for k, _ in keys))
SPEC_GROUPS = ("byArtist", "byDSP", "byTerritory", "byTrack", "byRelease")


def _money(v: Decimal | None) -> str:
    return _fmt(v) if v is not None else "0"


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


def _formatted(agg: pa.Table, keys: list[tuple[str, str]], ordered: bool = False) -> pa.Table:
    """A group's sums as the list the API shows: sorted by revenue (desc) then key (`ordered`:
    already), key columns under their labels, exact sums (decimal128, int64). Still one Arrow
    table: entries become dicts, their sums text, only a page at a time (`entries`)."""
    cols = [k for k, _ in keys]
    if not ordered:
        agg = agg.sort_by(order(cols))
    arrays = [agg.column(c) for c in (*cols, *SUMS)]
    arrays += [pc.cast(agg.column(c), pa.int64()) for c in ("rows", "converted_rows")]
    names = [label for _, label in keys] + list(SUMS) + ["rows", "converted_rows"]
    return pa.table(arrays, names=names)


def entries(table: pa.Table) -> list[dict]:
    """The API's entries of (a slice of) a formatted list: sums as exact decimal strings;
    `revenue_converted` only when every line of the entry had a rate, else what was converted
    and how many lines were not."""
    table = table.combine_chunks()
    for name in SUMS:
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


class SnapshotBuilder:
    """Accumulates the grouped sums of some of the snapshot's lists (`names`, all by default)
    batch by batch (`add`), then `lists()` or `result()`.

    Each batch is grouped on its own and the partial groups are folded together (`Fold`), so
    memory follows the number of distinct keys, not the number of rows. The key strings are
    grouped as int32 ids (`KeyIds`) and taken back once, when the lists are formatted. Builders
    of disjoint `names` run on threads of their own (`SPLIT`, `snapshot_of`)."""

    def __init__(self, names: Iterable[str] = tuple(GROUPS)) -> None:
        self.folds = {name: Fold([k for k, _ in GROUPS[name]]) for name in names}
        self.columns = tuple(dict.fromkeys(c for fold in self.folds.values() for c in fold.cols))
        self.sources = _sources(self.folds)
        self.keys = KeyIds()
        self.key_arrays: dict[str, pa.Array] = {}   # `_key_arrays`' kinds of this builder's lists
        self._keyed: dict[str, tuple[pa.Table, str, str]] = {}   # their id columns, until `take_keys`

    def add(self, batch: pa.RecordBatch | pa.Table, codes: Codes | None = None) -> None:
        """`codes`: key columns already dictionary-encoded (`key_ids.encode_columns`)."""
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if table.num_rows == 0:
            return
        table = table.select([*self.columns, *SUMS, "line"])
        for i, column in enumerate(self.columns):
            table = table.set_column(i, column, self.keys.ids(column, table.column(column), codes))
        grouped: dict[str, pa.Table] = {}   # this batch's partial groups, by grouping
        for name, source in self.sources.items():
            fold = self.folds[name]
            if source is None:
                grouped[name] = fold.take(table.select([*fold.cols, *SUMS, "line"]))
                continue
            if source not in grouped:           # `_FLOWS`: not a list of its own
                cols = list(dict.fromkeys(c for n, s in self.sources.items() if s == source
                                          for c in self.folds[n].cols))
                grouped[source] = partial_groups(table.select([*cols, *SUMS, "line"]), cols)
            fold.add(regroup(grouped[source], fold.cols))

    def lists(self) -> dict[str, pa.Table]:
        """This builder's lists, formatted (`_formatted`); the partial groups go as they are."""
        lists, self.key_arrays, self._keyed = {}, {}, {}
        for name, fold in self.folds.items():
            combined = fold.result()
            if combined is None:
                lists[name] = _formatted(partial_groups(_EMPTY.select([*fold.cols, *SUMS, "line"]), fold.cols),
                                         GROUPS[name])
                continue
            # sorted while the keys are ids (ranked as their strings), then the strings taken once
            if name in _KEYED:
                kind, code, title = _KEYED[name]
                self._keyed[kind] = (combined.select(["artist", code, title]), code, title)
            ranks = [self.keys.ranks(c, combined.column(c)) for c in fold.cols]
            combined = combined.take(ordering(combined.column("revenue"), ranks))
            for column in fold.cols:
                combined = combined.set_column(combined.schema.get_field_index(column), column,
                                               self.keys.strings(column, combined.column(column)))
            lists[name] = _formatted(combined, GROUPS[name], ordered=True)
            del combined
        self.folds = {name: Fold(fold.cols) for name, fold in self.folds.items()}
        return lists

    def take_keys(self) -> None:
        """The summary keys of the lists `lists` formatted (`key_arrays`), from their id columns
        (`_keys`). Apart from `lists` so the lists' pages are encoded meanwhile (`snapshot_of`):
        byTrack's keys took 0.04-0.06 s of the end's one thread that waited for them."""
        self.key_arrays = {kind: _keys(table, code, title, self.keys.strings)
                           for kind, (table, code, title) in self._keyed.items()}
        self._keyed = {}

    def result(self) -> Snapshot:
        return snapshot_of([self])


# lists whose keys are all keys of another grouping, whose batches group into fewer rows: a
# batch's partial groups of them are regrouped from that grouping's (`regroup`), not grouped
# from the batch's rows again. byArtist from byRelease (release x artist x currency); the short
# lists from their keys together (`_FLOWS`: DSP x territory x currency x period, a few thousand
# groups at most). A group-by's decimal sums cost per row, whatever the groups: the main file's
# byCurrency (one group) took 8 ms a batch of 333 k rows, its byArtist 7 ms. The builder of the
# five lists: 0.34 -> 0.20 CPU s on the DSR, 0.30 -> 0.24 on the currencies shape
_FLOWS = "flows"
_FROM = {"byArtist": "byRelease", "byDSP": _FLOWS, "byTerritory": _FLOWS, "byCurrency": _FLOWS}


def _sources(folds: dict[str, Fold]) -> dict[str, str | None]:
    """Each list of a builder → the grouping its batches are regrouped from (None: its own
    rows), groupings first: byRelease when the builder folds it, `_FLOWS` when two lists or
    more share it (for one it would only add a grouping)."""
    shared = sum(_FROM.get(name) == _FLOWS for name in folds) > 1
    found = {name: source if source in folds or (source == _FLOWS and shared) else None
             for name in folds for source in [_FROM.get(name)]}
    return dict(sorted(found.items(), key=lambda item: item[1] is not None))


# The builders the cleaning runs side by side: byTrack (the most groups) alone, the rest together
SPLIT = (("byTrack",), ("byArtist", "byDSP", "byTerritory", "byRelease", "byCurrency"))


def snapshot_of(builders: list[SnapshotBuilder],
                listed: Callable[[str, pa.Table], None] | None = None) -> Snapshot:
    """The snapshot of builders covering every list once: their lists formatted on threads of
    their own (Arrow's kernels release the GIL; the cleaning is over and its cores are free),
    in `GROUPS` order, and the totals. `listed(name, table)` is called on a builder's thread as
    soon as its lists are formatted (the pages of the short lists are encoded while byTrack is
    still being sorted: `snapshot_io.stage_of`)."""
    def lists_of(builder: SnapshotBuilder) -> dict[str, pa.Table]:
        found = builder.lists()
        for name, table in found.items() if listed is not None else ():
            listed(name, table)
        builder.take_keys()   # while those pages are encoded
        return found

    if len(builders) == 1:
        found = lists_of(builders[0])
    else:
        with ThreadPoolExecutor(len(builders), thread_name_prefix="snapshot-lists") as pool:
            found = {k: v for part in pool.map(lists_of, builders) for k, v in part.items()}
    lists = {name: found[name] for name in GROUPS}
    keys = _key_arrays(lists, {k: v for builder in builders for k, v in builder.key_arrays.items()})
    return Snapshot(lists, _totals(lists, keys), keys)


_EMPTY = CANONICAL_SCHEMA.empty_table()


@dataclass
class Snapshot:
    """A file's grouped lists as formatted Arrow tables (`_formatted`) and its totals. Entries
    become dicts only where they are shown: a page, or the first entries the document keeps."""
    lists: dict[str, pa.Table]
    totals: dict
    key_arrays: dict[str, pa.Array] | None = field(default=None, repr=False, compare=False)  # `_key_arrays`, once

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


def _keys(table: pa.Table, code: str, title: str = "name",
          strings: Callable[[str, pa.Array], pa.Array] | None = None) -> pa.Array:
    """Distinct codes (ISRC/UPC), else casefolded `artist \x1f title` where there is a title.
    `strings(column, values)`: a list still keyed by ids gives its strings (`KeyIds.strings`):
    the distinct ids are found first, only their strings are taken (the currencies shape's
    byTrack: 463 k entries, ~50 k keys); a formatted list's columns are its strings."""
    text = strings or (lambda column, values: values)

    def filled(column: str) -> pa.Array:               # per entry: a non-empty value
        return pc.fill_null(pc.greater(pc.utf8_length(text(column, table.column(column).combine_chunks())), 0),
                            False)

    has_code = filled(code)
    codes = pc.unique(pc.filter(table.column(code), has_code).combine_chunks())
    named = pc.and_(pc.invert(has_code), filled(title))
    pairs = table.filter(named).select(["artist", title]).group_by(["artist", title]).aggregate([])
    artist = _casefold(pc.fill_null(text("artist", pairs.column("artist").combine_chunks()), ""))
    name = _casefold(text(title, pairs.column(title).combine_chunks()))
    joined = pc.binary_join_element_wise(artist, name, "\x1f")
    return pc.unique(pa.chunked_array([text(code, codes), joined], pa.string()))


# the summary keys a list gives (`_keys`): their kind, the code column, the title column
_KEYED = {"byTrack": ("tracks", "isrc", "track_title"), "byRelease": ("releases", "upc", "release_title")}


def _key_arrays(lists: dict[str, pa.Table], found: dict[str, pa.Array] | None = None) -> dict[str, pa.Array]:
    """The summary's distinct keys; `found`: those the builders took while their lists were
    still keyed by ids (`_keys` on ids), the others are taken from the formatted lists."""
    found = found or {}
    names = lists["byArtist"].column("name")
    artists = pc.unique(pc.filter(names, pc.fill_null(pc.greater(pc.utf8_length(names), 0), False)))
    return {"artists": artists,
            "tracks": found["tracks"] if "tracks" in found else _keys(lists["byTrack"], "isrc"),
            "releases": found["releases"] if "releases" in found else _keys(lists["byRelease"], "upc")}


def summary_key_arrays(snapshot: Snapshot) -> dict[str, pa.Array]:
    """Distinct keys for the organisation summary, sorted: artists by name; tracks by ISRC, else
    by (artist, track title); releases by UPC, else by (artist, release title). Arrow throughout:
    in a multi-currency file each key is in many entries, and the keys are stored as Arrow
    (`snapshot_io.encode_keys`), never as Python strings."""
    arrays = snapshot.key_arrays if snapshot.key_arrays is not None else _key_arrays(snapshot.lists)
    return {kind: pc.take(values, pc.sort_indices(values)) for kind, values in arrays.items()}


def summary_keys(snapshot: Snapshot) -> dict[str, list[str]]:
    """`summary_key_arrays` as lists of strings."""
    return {kind: values.to_pylist() for kind, values in summary_key_arrays(snapshot).items()}


def _totals(lists: dict[str, pa.Table], keys: dict[str, pa.Array]) -> dict:
    by_month = entries(lists["byCurrency"])      # currency × month: a few entries
    by_currency = currency_totals(by_month)
    with localcontext(EXACT):
        converted = sum((Decimal(e["revenue_converted"] or e.get("converted_partial") or 0)
                         for e in by_month), Decimal(0))
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
