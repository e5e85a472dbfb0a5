"""A snapshot list's grouped sums, batch by batch: each batch grouped on its own (`partial_groups`), the
partial groups folded together (`Fold`), and the finished list's order (`ordering`)."""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SUMS = ("quantity", "revenue", "revenue_converted")

# partial groups of a list kept before they are folded together. A 1 M-row file whose groups
# barely shrink (currencies: byTrack's 300 k-row batches give 190 k groups) is folded at most
# once before the end; at 500 k it was folded twice more, for 0.08 CPU s. 1 M was as fast but
# peaked at 929-987 MiB on the 5 M-row currencies file (750 k: 893-921, 500 k: 919-925)
_COMBINE_AT = 750_000
# a list keyed by artist is kept in partitions by artist id: at least _FEWEST (a fold touches
# a quarter of the list, however its keys come), more when its first batch groups into many
# keys, about _PARTITION_GROUPS partial groups each, up to _PARTITIONS. A fold then groups one
# partition at a time, in a hash table that stays in the core's cache: the currencies shape's
# byTrack (204 k groups a batch, 463 k in all) folded in 0.158 s over 4 partitions, 0.080 s
# over 16; 16 for every list cost the main file 0.2-0.4 CPU s in tiny folds
_FEWEST, _PARTITIONS = 4, 16
_PARTITION_GROUPS = 16_384
# a list whose first batch's groups are more than this share of its rows is not grouped batch by
# batch (its rows go to the folds as they are): currencies' byTrack, 330 k rows -> 204 k groups,
# was grouped twice over for 38 % fewer rows. The groups are counted on the key ids alone
# (`distinct_keys`), not by grouping the batch with its sums: that first group-by was 0.10 of the
# byTrack builder's 0.30 CPU s, and its rows were grouped again by the folds all the same
_RAW_AT = 0.5


def _aliased(table: pa.Table, a: str, b: str) -> bool:
    """True when columns `a` and `b` hold the very same buffers (the emitter passes revenue as
    revenue_converted when there is no exchange rate): one decimal sum then serves both."""
    ca, cb = table.column(a), table.column(b)
    return ca.num_chunks == cb.num_chunks and all(
        x.offset == y.offset and len(x) == len(y) and
        [buf.address if buf else None for buf in x.buffers()] ==
        [buf.address if buf else None for buf in y.buffers()]
        for x, y in zip(ca.chunks, cb.chunks))


def partial_groups(batch: pa.Table, cols: list[str]) -> pa.Table:
    same = _aliased(batch, "revenue", "revenue_converted")
    sums = [c for c in SUMS if not (same and c == "revenue_converted")]
    counts = [("line", "count")] + ([] if same else [("revenue_converted", "count")])
    agg = batch.group_by(cols, use_threads=False).aggregate([(c, "sum") for c in sums] + counts)
    names = {f"{c}_sum": c for c in sums} | {"line_count": "rows", "revenue_converted_count": "converted_rows"}
    agg = agg.rename_columns([names.get(n, n) for n in agg.column_names])
    if same:
        agg = agg.append_column("revenue_converted", agg.column("revenue"))
        agg = agg.append_column("converted_rows", agg.column("rows"))
    return agg.select([*cols, *SUMS, "rows", "converted_rows"])


def as_groups(batch: pa.Table, cols: list[str]) -> pa.Table:
    """Each row of `batch` as a partial group of its own: `partial_groups`' columns, no grouping."""
    ones = pa.array(np.ones(batch.num_rows, np.int64))
    converted = pc.cast(pc.is_valid(batch.column("revenue_converted")), pa.int64())
    return pa.table([*(batch.column(c) for c in (*cols, *SUMS)), ones, converted],
                    names=[*cols, *SUMS, "rows", "converted_rows"])


def regroup(part: pa.Table, cols: list[str]) -> pa.Table:
    """Partial groups (`partial_groups`' columns) grouped again by some of their keys, `cols`:
    a batch's partial groups of a list from another grouping's, whose rows are fewer than the
    batch's (sums of exact sums, counts of counts)."""
    return _combine([part], cols).select([*cols, *SUMS, "rows", "converted_rows"])


def _combine(parts: list[pa.Table], cols: list[str]) -> pa.Table:
    table = pa.concat_tables(parts)
    agg = table.group_by(cols, use_threads=False).aggregate(
        [(c, "sum") for c in (*SUMS, "rows", "converted_rows")])
    names = [n.removesuffix("_sum") for n in agg.column_names]
    return agg.rename_columns(names)


def order(cols: list[str]) -> list[tuple[str, str]]:
    return [("revenue", "descending")] + [(c, "ascending") for c in cols]


class Fold:
    """One list's partial groups, kept in partitions by artist id where the list is keyed by
    artist (more where its groups are many, track x currency: `_PARTITION_GROUPS`): a fold then
    touches one partition, so its peak memory is a fraction of the list's. A partition is
    folded when its partial groups outgrow twice its last fold: each row is folded a bounded
    number of times, however many distinct keys the file has."""

    def __init__(self, cols: list[str]) -> None:
        self.cols = cols
        self._partition(1)
        self.first = True  # the first batch sets the partitions and `raw`
        self.raw = False   # batches are not grouped before they are folded (_RAW_AT)

    def _partition(self, count: int) -> None:
        self.parts: list[list[pa.Table]] = [[] for _ in range(count)]
        self.sizes, self.folded = [0] * count, [0] * count
        self.loose = [False] * count   # holds rows not grouped yet (`take`'s, when `raw`)

    def _first(self, groups: int) -> None:
        """The first batch, of about `groups` keys, sets the partitions."""
        self.first = False
        if "artist" in self.cols:
            self._partition(partitions(groups))

    def take(self, batch: pa.Table) -> pa.Table:
        """A batch's rows (the key columns, SUMS and `line`), grouped first unless grouping
        barely shrinks this list's batches (`_RAW_AT`): the folds group them all the same.
        Returns them as they were added (`partial_groups`' columns), for lists whose keys are
        among this list's to be regrouped from (`regroup`)."""
        if self.first:
            groups = distinct_keys(batch, self.cols)
            self.raw = groups > _RAW_AT * batch.num_rows
            self._first(groups)
        part = as_groups(batch, self.cols) if self.raw else partial_groups(batch, self.cols)
        self.add(part, loose=self.raw)
        return part

    def add(self, part: pa.Table, loose: bool = False) -> None:
        """Partial groups of this list (`partial_groups`' columns; `loose`: rows as they are,
        `as_groups`); the first set the partitions."""
        if self.first:
            self._first(part.num_rows)
        pieces = [part] if len(self.parts) == 1 else _split(part, len(self.parts))
        full = []
        for i, piece in enumerate(pieces):
            self.parts[i].append(piece)
            self.sizes[i] += piece.num_rows
            self.loose[i] |= loose
            if self.sizes[i] > max(_COMBINE_AT // len(self.parts), 2 * self.folded[i]):
                full.append(i)
        _map(self._fold, full)

    def _fold(self, i: int) -> None:
        """Partition `i`'s partial groups folded into one (its parts go as soon as it is)."""
        combined = _combine(self.parts[i], self.cols)
        self.parts[i] = [combined]
        self.sizes[i] = self.folded[i] = combined.num_rows
        self.loose[i] = False

    def result(self) -> pa.Table | None:
        """Every partition folded (a part alone is already grouped, unless `loose`), side by side:
        their keys are disjoint. Partitions are folded two at a time, on threads (Arrow's group-by
        releases the GIL; at the end of the cleaning its cores are free): the currencies
        shape's byTrack, 463 k groups, took 0.13 s one after the other."""
        pending = [parts for parts in self.parts if parts]
        whole = [len(parts) == 1 and not loose for parts, loose in zip(self.parts, self.loose) if parts]
        self.parts, self.loose = [[] for _ in self.parts], [False] * len(self.parts)
        names = [*self.cols, *SUMS, "rows", "converted_rows"]

        def fold(i: int) -> pa.Table:
            parts, pending[i] = pending[i], []   # a partition's partial groups go once folded
            return (parts[0] if whole[i] else _combine(parts, self.cols)).select(names)

        done = [fold(i) for i in range(len(pending))] if all(whole) else _map(fold, range(len(pending)))
        return pa.concat_tables(done) if done else None


def _map(fn, items) -> list:
    """`fn` of each of `items`, in order: two at a time on threads when there are several
    (Arrow's group-by releases the GIL). A batch that fills many partitions at once (the
    currencies shape's last one fills all 16 of byTrack) is folded on both cores, which the end
    of the cleaning has free, instead of one after the other on the builder's thread."""
    items = list(items)
    if len(items) < 2:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(2, thread_name_prefix="snapshot-fold") as pool:
        return list(pool.map(fn, items))


def distinct_keys(batch: pa.Table, cols: list[str]) -> int:
    """How many distinct keys (`cols`, nulls included) `batch`'s rows have: a group-by of the
    keys alone, without the sums (currencies' byTrack, 330 k rows: 24 ms, and 16 ms for
    byRelease, against 27 and 23 ms for a 64-bit hash of each row's ids counted by numpy)."""
    return batch.group_by(cols, use_threads=False).aggregate([]).num_rows


def partitions(groups: int) -> int:
    """How many partitions a list whose first batch gave `groups` partial groups is kept in."""
    count = _FEWEST
    while count < _PARTITIONS and groups > count * _PARTITION_GROUPS:
        count *= 2
    return count


def _split(part: pa.Table, count: int) -> list[pa.Table]:
    """`part`'s rows by partition (artist id modulo `count`, a power of two): one stable sort
    of the partition numbers and one take, where a filter per partition read every row each."""
    which = np.bitwise_and(pc.fill_null(part.column("artist"), 0).to_numpy(), count - 1).astype(np.uint8)
    ends = np.cumsum(np.bincount(which, minlength=count))
    taken = part.take(pa.array(np.argsort(which, kind="stable").astype(np.int32)))
    return [taken.slice(start, end - start) for start, end in zip([0, *ends[:-1]], ends)]


def ordering(revenue: pa.ChunkedArray, ranks: list[pa.ChunkedArray]) -> pa.Array:
    """Indices sorting entries by revenue (descending), then by their keys' ranks (ascending,
    nulls last): `order`, without comparing decimals. A decimal128 is two 64-bit words;
    sorting by the high word (signed) then the low (unsigned) is sorting by the value, and
    Arrow compares integers at twice the speed (byTrack of the currencies shape, 463 k
    entries: 0.10 → 0.05 s with the ranks packed into one integer, as they are when they fit
    63 bits)."""
    revenue = revenue.combine_chunks()
    cols = [f"k{i}" for i in range(len(ranks))]
    if revenue.null_count or sys.byteorder != "little" or not pa.types.is_decimal128(revenue.type):
        table = pa.table([*ranks, revenue], names=[*cols, "revenue"])
        return pc.sort_indices(table, sort_keys=order(cols))
    words = np.frombuffer(revenue.buffers()[1], dtype=np.int64)[2 * revenue.offset:2 * (revenue.offset + len(revenue))]
    keys = {"high": pa.array(words[1::2]), "low": pa.array(words[0::2].view(np.uint64))}
    tops = [(pc.max(r).as_py() or 0) + 1 for r in ranks]             # a null ranks after every value
    filled = [pc.fill_null(r, top).cast(pa.int64()) for r, top in zip(ranks, tops)]
    widths = [top.bit_length() for top in tops]
    if sum(widths) <= 63:
        packed = filled[0]
        for rank, width in zip(filled[1:], widths[1:]):
            packed = pc.bit_wise_or(pc.shift_left(packed, width), rank)
        keys["key"], cols = packed, ["key"]
    else:
        keys.update(zip(cols, filled))
    return pc.sort_indices(pa.table(keys), sort_keys=[("high", "descending"), ("low", "descending"),
                                                      *((c, "ascending") for c in cols)])
