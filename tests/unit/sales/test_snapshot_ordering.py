"""The lists' order computed on the decimal's two 64-bit words and packed key ranks
(`snapshot.ordering`) is exactly Arrow's sort on the decimals and the ranks (`order`): negative
sums, sums past one 64-bit word, equal sums, null keys, ranks too wide to pack."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales.schema import AMOUNT
from models.sales.snapshot_fold import order, ordering

# unscaled values around the 64-bit boundaries of a decimal128 (2**63 ≈ 9.22 at 18 places)
_UNSCALED = st.one_of(st.integers(-10**6, 10**6), st.integers(-2**70, 2**70),
                      st.sampled_from([0, -1, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, -2**64, 10**37]))


def _expected(revenue: pa.Array, ranks: list[pa.ChunkedArray]) -> list[int]:
    cols = [f"k{i}" for i in range(len(ranks))]
    table = pa.table([*ranks, revenue], names=[*cols, "revenue"])
    return pc.sort_indices(table, sort_keys=order(cols)).to_pylist()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_UNSCALED, st.integers(0, 3), st.one_of(st.none(), st.integers(1, 5))),
                min_size=1, max_size=60),
       st.sampled_from([1, 2**20, 2**40]))
def test_order_on_words_and_packed_ranks_is_the_decimal_sort(rows, spread):
    """`spread` widens the ranks: 2**40 makes four of them too wide for one integer."""
    revenue = pa.array([Decimal(u).scaleb(-18) for u, _, _ in rows], AMOUNT)
    first = pa.chunked_array([pa.array([r * spread for _, r, _ in rows], pa.uint64())])
    second = pa.chunked_array([pa.array([n for _, _, n in rows], pa.uint64())])
    ranks = [first, second, first, second]
    assert ordering(pa.chunked_array([revenue]), ranks).to_pylist() == _expected(revenue, ranks)


def test_null_sums_keep_arrows_order():
    revenue = pa.array([Decimal("1"), None, Decimal("2"), Decimal("-3")], AMOUNT)
    ranks = [pa.chunked_array([pa.array([1, 2, 3, None], pa.uint64())])]
    assert ordering(pa.chunked_array([revenue]), ranks).to_pylist() == _expected(revenue, ranks)


def test_a_sliced_chunked_sum_column_is_read_at_its_offset():
    whole = pa.array([Decimal(v) for v in ("5", "-1", "12.5", "9.3", "1e10", "7")], AMOUNT)
    revenue = pa.chunked_array([whole.slice(1, 2), whole.slice(3, 3)])
    ranks = [pa.chunked_array([pa.array([5, 4, 3, 2, 1], pa.uint64())])]
    assert ordering(revenue, ranks).to_pylist() == _expected(revenue.combine_chunks(), ranks)
