"""models/sales/summary_keys.py: which files a kept union lacks, the stamp of a set of files'
keys, and the union itself."""
from __future__ import annotations

import pyarrow as pa

from models.sales import summary_keys as sk


def test_a_union_lacks_the_files_added_since_and_nothing_when_a_kept_file_went_or_changed():
    kept = [(1, "a"), (2, "b")]
    assert sk.added(kept, [(2, "b"), (3, "c"), (1, "a")]) == [3]
    assert sk.added(kept, [(1, "a"), (2, "b")]) == []
    assert sk.added(kept, [(1, "a"), (3, "c")]) is None          # file 2 voided or withdrawn
    assert sk.added(kept, [(1, "a"), (2, "x"), (3, "c")]) is None  # file 2 reimported, other keys


def test_a_stamp_is_the_same_in_any_order_and_none_without_every_digest():
    assert sk.stamp([(1, "a"), (2, "b")]) == sk.stamp([(2, "b"), (1, "a")])
    assert sk.stamp([(1, "a"), (2, "b")]) != sk.stamp([(1, "a"), (2, "c")])
    assert sk.stamp([(1, "a"), (2, None)]) is None


def test_the_union_counts_each_key_once_and_no_null():
    one = {"artists": pa.array(["A", "B"]), "tracks": pa.array(["T1", None]), "releases": pa.array([], pa.string())}
    two = {"artists": pa.array(["B", "C"]), "tracks": pa.array(["T1"]), "releases": pa.array(["R"])}
    merged = sk.union([one, two])
    assert sk.counts(merged) == {"artists": 3, "tracks": 1, "releases": 1}
    assert sk.counts(sk.union([merged, two])) == sk.counts(merged)
