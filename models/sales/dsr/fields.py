"""Named cells of block lines of one record kind, and Python once per distinct value."""
from __future__ import annotations

from concurrent.futures import Executor
from functools import partial
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pa_compute

from .records import columns


def _pool() -> pa.MemoryPool:
    """jemalloc for the DSR reader's arrays: on the default mimalloc pool the same read spent
    2.0 s of system time (fresh pages for each temporary) against 0.4–0.5 s on jemalloc."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


POOL = _pool()


class _Pooled:
    """pyarrow.compute whose kernels allocate from POOL (the modules of this reader import it as
    `pc`); every function used through it takes `memory_pool`."""

    def __getattr__(self, name: str) -> Callable:
        return partial(getattr(pa_compute, name), memory_pool=POOL)


pc = _Pooled()


class Rows:
    """The block lines `rows` of one kind (RE, AS or sale lines); cell positions per record type."""

    def __init__(self, b, rows: np.ndarray, rt_names: list[str], codes: np.ndarray, *names: str,
                 pool: Executor | None = None) -> None:
        """`pool`: the cells of the fields are cut on its threads (Arrow's take and slice
        release the GIL), each field's on its own."""
        self.b, self.rows, self.rt_names, self.codes = b, rows, rt_names, codes[rows]
        # each row's cells in the file, and the record types present, once for all its fields:
        # taken per field they were 18 x 2 arrays of 800 k rows (56 k fresh pages in a 1 M-line read)
        self.first, self.cells = b.first[rows], b.cells[rows]
        self.present = np.unique(self.codes)
        cut = pool.map(self._cells, names) if pool is not None else map(self._cells, names)
        self.fields = dict(zip(names, cut))   # taken before the file is let go

    def field(self, name: str) -> pa.Array:
        return self.fields[name]

    def _cells(self, name: str) -> pa.Array:
        """The named cell of each row ("" where its record type has no such cell)."""
        of_type = np.array([_position(rt, name) for rt in self.rt_names] or [-1], dtype=np.int64)
        kinds = np.unique(of_type[self.present])
        if len(kinds) == 1 and kinds[0] >= 0:
            return self.b.cell(int(kinds[0]), first=self.first, cells=self.cells)
        pos = of_type[self.codes]
        out = pa.nulls(len(pos), self.b.rt.type.value_type).fill_null("")
        for p in kinds[kinds >= 0]:
            at = pos == p
            out = pc.replace_with_mask(out, pa.array(at), self.b.cell(int(p), first=self.first[at], cells=self.cells[at]))
        return out


def _position(rt: str, name: str) -> int:
    names = columns(rt) or ()
    return 1 + names.index(name) if name in names else -1


def per_value(arr: pa.Array, fn: Callable, typ: pa.DataType = pa.string()) -> pa.Array:
    """`fn` once per distinct value of `arr` (nulls stay null), spread back to every row."""
    enc = pc.dictionary_encode(arr)
    return pc.take(pa.array([fn(v) for v in enc.dictionary.to_pylist()], typ), enc.indices)


def codes(arr: pa.Array) -> tuple[np.ndarray, list]:
    """(index of each row's value, the distinct values)."""
    enc = pc.dictionary_encode(arr)
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()
