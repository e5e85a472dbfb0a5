"""`plain_cells.all_plain` says of a column exactly what the regex said of each of its cells,
and the amounts and quantities it lets through are the ones the regex let through."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales import normalise as nz
from models.sales.plain_cells import all_plain

SHAPES = [(18, 0, "."), (20, 18, "."), (20, 0, "."), (20, 18, ",")]
cells = st.text(alphabet="0123456789-.,+ e", max_size=24)
# mostly plain: a minus, digits, a separator and digits, sometimes one character too many
plainish = st.builds(lambda neg, whole, sep, frac: f"{neg}{whole}{sep}{frac}",
                     st.sampled_from(["", "", "-"]), st.text("0123456789", min_size=0, max_size=22),
                     st.sampled_from(["", ".", ","]), st.text("0123456789", min_size=0, max_size=20))


def _regex_says(values: list[str], digits: int, fraction: int, sep: str) -> bool:
    arr = pa.array(values, pa.string())
    return bool(pc.all(pc.match_substring_regex(arr, nz._plain_pattern(digits, fraction, sep))).as_py())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(cells, plainish), min_size=1, max_size=12), st.sampled_from(SHAPES),
       st.integers(0, 3))
def test_the_same_answer_as_the_regex(values, shape, skip):
    """On whole arrays and on slices of them (an offset into the bytes)."""
    assert all_plain(pa.array(values, pa.string()), *shape) == _regex_says(values, *shape)
    sliced = pa.array(["x", *values], pa.string()).slice(1 + min(skip, len(values) - 1))
    assert all_plain(sliced, *shape) == _regex_says(sliced.to_pylist(), *shape)


def test_what_is_left_to_the_regex():
    assert all_plain(pa.array(["1.5", "-20", "0.00000001"]), 20, 18)
    assert not all_plain(pa.array(["1.5", None]), 20, 18)          # a null: cell by cell
    assert not all_plain(pa.array([], pa.string()), 20, 18)
    assert not all_plain(pa.array(["1.5", ""]), 20, 18)
    assert not all_plain(pa.array(["1.5"]), 18, 0)                 # a quantity has no fraction
    assert not all_plain(pa.array(["1-5"]), 20, 18)
    assert not all_plain(pa.array(["1.5.0"]), 20, 18)
    assert not all_plain(pa.array([".5"]), 20, 18)
    assert not all_plain(pa.array(["5."]), 20, 18)
    assert not all_plain(pa.array(["1" * 19]), 18, 0)
    assert not all_plain(pa.array(["0." + "1" * 19]), 20, 18)
    assert not all_plain(pa.array(["1.5"], pa.large_string()), 20, 18)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(cells, plainish), min_size=1, max_size=12))
def test_amounts_and_quantities_as_before(values):
    """What the cleaning makes of the cells, and which it notes as cleaned, whether or not
    every cell was plain (the regex on each cell, as before, when one is not)."""
    arr = pa.array(values, pa.string())
    notes: dict = {}
    amount, bad = nz.to_amount(arr, ".", None, notes)
    plain = pc.fill_null(pc.match_substring_regex(arr, nz._plain_pattern(20, 18)), False).to_pylist()
    for value, is_plain, got, invalid in zip(values, plain, amount.to_pylist(), bad.to_pylist()):
        if is_plain:
            assert got == Decimal(value) and not invalid
    cleaned = notes["cleaned"]
    assert (cleaned is None) == all(plain)
    if cleaned is not None:
        assert cleaned.to_pylist() == [not p for p in plain]
    quantity, _ = nz.to_quantity(arr, ".", None, {})
    whole = pc.fill_null(pc.match_substring_regex(arr, nz._plain_pattern(18, 0)), False).to_pylist()
    for value, is_plain, got in zip(values, whole, quantity.to_pylist()):
        if is_plain:
            assert got == int(value)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(cells, plainish), min_size=1, max_size=12))
def test_decimal_comma_amounts_as_before(values):
    """With a decimal comma, a cell counts as cleaned unless it is a whole number, as the regex
    on each cell said; `-0,5` cells are cast straight, their comma made a point."""
    arr = pa.array(values, pa.string())
    notes: dict = {}
    amount, _ = nz.to_amount(arr, ",", None, notes)
    whole = pc.fill_null(pc.match_substring_regex(arr, nz._plain_pattern(20, 0)), False).to_pylist()
    comma = pc.fill_null(pc.match_substring_regex(arr, nz._plain_pattern(20, 18, ",")), False).to_pylist()
    cleaned = notes["cleaned"]
    assert (cleaned is None) == all(whole)
    if cleaned is not None:
        assert cleaned.to_pylist() == [not w for w in whole]
    for value, is_comma, got in zip(values, comma, amount.to_pylist()):
        if is_comma:
            assert got == Decimal(value.replace(",", "."))
