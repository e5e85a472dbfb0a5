"""Dictionary-coded text columns: each distinct value once, an int32 index per row.

The CSV readers hand the mapper its text columns coded, so trimming, normalising and comparing
touch each distinct value of a range once instead of every row, and the sink's consumers (the
Parquet writer, the snapshot's ids, the statement digest) unify the ranges' dictionaries instead
of hashing every row's string again. Invariant of a coded column leaving the mapper: its
dictionary is distinct and holds no null (a null cell is a null index), so a group-by on it
groups by value."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .quality import changed

CODED = pa.dictionary(pa.int32(), pa.string())
_NO_INDEX = pa.scalar(None, pa.int32())


def is_coded(arr: pa.Array | pa.ChunkedArray) -> bool:
    return pa.types.is_dictionary(arr.type)


def plain(arr: pa.Array) -> pa.Array:
    """The column as plain strings (a coded one decoded; any other returned as it is)."""
    return arr.dictionary_decode() if is_coded(arr) else arr


def recoded(indices: pa.Array, values: pa.Array) -> pa.DictionaryArray:
    """Rows `indices` into `values` (which may repeat and hold nulls) as a coded column that
    keeps the invariant: repeated values merged, a null value a null index."""
    enc = pc.dictionary_encode(values)
    return pa.DictionaryArray.from_arrays(pc.take(enc.indices, indices), enc.dictionary)


def map_values(arr: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`fn` (strings → as many strings) on each distinct value of a coded column once, the
    column unchanged when `fn` changes nothing; a plain column is mapped row by row."""
    if not is_coded(arr):
        return fn(arr)
    values = fn(arr.dictionary)
    if values.null_count == 0 and values.equals(arr.dictionary):
        return arr
    return recoded(arr.indices, values)


def per_row(arr: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`fn` (strings → as many results, e.g. a mask) per row, computed on the distinct values of
    a coded column (null for a null index)."""
    return pc.take(fn(arr.dictionary), arr.indices) if is_coded(arr) else fn(arr)


def normalised(text: pa.Array, mapped: Callable[[pa.Array], pa.Array]
               ) -> tuple[pa.Array, pa.Array | None, pa.Array | None]:
    """(`mapped(text)`, nulled, repaired): the masks of `quality.changed`; a coded column is
    mapped, and compared, on its distinct values only (`mapped`: strings → as many strings)."""
    if not is_coded(text):
        out = mapped(text)
        return (out, *changed(text, out))
    values, indices = text.dictionary, text.indices
    out = mapped(values)
    nulled = _rows(pc.is_null(out), indices)
    repaired = _rows(pc.fill_null(pc.not_equal(values, out), False), indices)
    if nulled is None and repaired is None:
        return text, None, None
    return recoded(indices, out), nulled, repaired


def _rows(marked: pa.Array, indices: pa.Array) -> pa.Array | None:
    """The rows whose value `marked` (a mask over a dictionary) marks; None when there is none."""
    if not pc.any(marked).as_py():
        return None
    rows = pc.fill_null(pc.take(marked, indices), False)
    return rows if pc.any(rows).as_py() else None


def null_where(arr: pa.DictionaryArray, values: pa.Array) -> pa.DictionaryArray:
    """The coded column with the rows whose value `values` (a mask over the dictionary) marks
    made null; the dictionary is kept (the sink drops the values no row uses)."""
    rows = pc.fill_null(pc.take(values, arr.indices), False)
    return pa.DictionaryArray.from_arrays(pc.if_else(rows, _NO_INDEX, arr.indices), arr.dictionary)


def unified(values: pa.ChunkedArray) -> tuple[pa.Array, list[pa.Array]] | None:
    """Coded chunks (each with its own dictionary) as one dictionary of the values some row uses
    and each chunk's indices into it (null for a null cell); None when there is no chunk."""
    chunks = values.unify_dictionaries().chunks
    if not chunks:
        return None
    dictionary = chunks[0].dictionary
    indices = [c.indices for c in chunks]
    used = np.zeros(len(dictionary), bool)
    for idx in indices:
        used[pc.drop_null(idx).to_numpy()] = True
    if used.all():
        return dictionary, indices
    at = pa.array(np.cumsum(used, dtype=np.int32) - 1, pa.int32())
    return dictionary.filter(pa.array(used)), [pc.take(at, idx) for idx in indices]


def same_type_chunks(columns: list[list[pa.Array]], names: list[str]) -> pa.Table:
    """A table of batches' columns where a column may be coded in some batches and plain in
    others (a layout's derived column): such a column is decoded in every batch."""
    arrays = []
    for chunks in columns:
        if len({c.type for c in chunks}) > 1:
            chunks = [plain(c) for c in chunks]
        arrays.append(pa.chunked_array(chunks))
    return pa.table(arrays, names=names)
