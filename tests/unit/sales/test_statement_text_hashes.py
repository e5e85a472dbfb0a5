"""The statement digest's text hashes kept across row groups (models.sales.statement._TextHashes,
on models.sales.key_ids.Vocabulary): the same hash for a text in every row group, also after
the cache starts again past MAX texts."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from models.sales import statement


def test_hashes_kept_across_row_groups_and_after_a_restart_equal_fresh_ones(monkeypatch):
    monkeypatch.setattr(statement._TextHashes, "MAX", 6)
    cache = statement._TextHashes()
    groups = [["a", "b", "c"], ["c", "d", "a"], ["e", "f", "g", "b"], ["b", "Ä"], []]
    for texts in groups:
        distinct = pa.array(texts, pa.string())
        assert np.array_equal(cache.of(distinct), statement._hash_all(distinct)), texts
        assert len(cache.vocab.values) == len(cache.hashes) <= max(6, len(texts))
    assert cache.vocab.values.to_pylist() == ["e", "f", "g", "b", "Ä"]   # restarted at the third group
