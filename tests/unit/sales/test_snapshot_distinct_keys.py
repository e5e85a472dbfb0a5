"""The count of distinct keys a list's first batch is judged on (`snapshot_fold.distinct_keys`):
the same as grouping the batch, nulls included, and the path it picks (`Fold.raw`, the
partitions) the one a group-by's count picked."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales import snapshot_fold as fold
from models.sales.snapshot_fold import SUMS, Fold, distinct_keys, partial_groups

_ID = st.one_of(st.none(), st.integers(0, 40), st.integers(0, 2**31 - 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_ID, _ID, _ID), max_size=300))
def test_distinct_keys_counts_the_groups_of_the_rows(keys):
    cols = ["a", "b", "c"]
    batch = pa.table({c: pa.array([k[i] for k in keys], pa.int32()) for i, c in enumerate(cols)})
    assert distinct_keys(batch, cols) == len(set(keys))


def _batch(rows: int, distinct: int) -> pa.Table:
    """`rows` rows of an artist x currency list whose keys are `distinct` (artist, currency) pairs."""
    at = np.arange(rows) % distinct
    return pa.table({"artist": pa.array(at // 7, pa.int32()), "currency": pa.array(at % 7, pa.int32()),
                     "quantity": pa.array(np.ones(rows, np.int64)),
                     **{name: pa.array([None] * rows, pa.decimal128(38, 18)) for name in SUMS[1:]},
                     "line": pa.array(np.arange(rows, dtype=np.int64))})


def test_a_first_batch_of_mostly_distinct_keys_goes_to_the_folds_as_rows(monkeypatch):
    """Above `_RAW_AT` distinct keys per row the batch is not grouped before the folds; its
    partitions follow its keys (`partitions`), not its rows: the result is the same sums."""
    monkeypatch.setattr(fold, "_PARTITION_GROUPS", 64)
    spread, dense = _batch(1000, 900), _batch(1000, 100)
    raw, grouped = Fold(["artist", "currency"]), Fold(["artist", "currency"])
    assert raw.take(spread).num_rows == 1000 and raw.raw
    assert grouped.take(dense).num_rows == 100 and not grouped.raw
    assert len(raw.parts) == fold.partitions(900) == 16 and len(grouped.parts) == fold.partitions(100) == 4
    expected = partial_groups(spread, ["artist", "currency"]).sort_by([("artist", "ascending"), ("currency", "ascending")])
    assert raw.result().sort_by([("artist", "ascending"), ("currency", "ascending")]).equals(expected)
