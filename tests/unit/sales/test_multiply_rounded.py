"""The conversion's product (`money.multiply_rounded`) and amounts read with more than 18 places
(`money.as_amount`) against Python's exact decimals: the same amount to the last of its 18
places, rounded half-even, whether Arrow computes it in decimal128 (small amounts, short rates)
or decimal256 (large amounts, 18-place inverse rates)."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales.money import inverse, multiply_rounded, quantize
from models.sales.normalise import to_amount
from models.sales.schema import AMOUNT, AMOUNT_LIMIT

_Q = Decimal(1).scaleb(-18)
amounts = st.one_of(
    st.none(),
    st.integers(-10**12, 10**12).map(lambda i: Decimal(i).scaleb(-8)),          # statement lines
    st.integers(-10**37 + 1, 10**37 - 1).map(lambda i: Decimal(i).scaleb(-18)))  # anything AMOUNT holds
rates = st.one_of(
    st.none(),
    st.just(Decimal(1)),
    st.integers(1, 10**8).map(lambda i: quantize(Decimal(i).scaleb(-4))),       # 1 234.5678
    st.integers(1, 10**6).map(lambda i: inverse(Decimal(i).scaleb(-3))))        # 18 places


def _exact(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    if amount is None or rate is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 100
        return (amount * rate).quantize(_Q, rounding=ROUND_HALF_EVEN)


@settings(max_examples=300, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=40), st.lists(rates, min_size=1, max_size=4), st.data())
def test_product_is_exact_and_rounded_half_even(values, distinct, data):
    index = data.draw(st.lists(st.integers(0, len(distinct) - 1), min_size=len(values),
                               max_size=len(values)))
    expected = [_exact(v, distinct[i]) for v, i in zip(values, index)]
    revenue = pa.array(values, AMOUNT)
    if any(e is not None and abs(e) >= AMOUNT_LIMIT for e in expected):
        with pytest.raises(pa.ArrowInvalid):     # as before: a product AMOUNT cannot hold
            multiply_rounded(revenue, distinct, pa.array(index, pa.int32()))
        return
    got = multiply_rounded(revenue, distinct, pa.array(index, pa.int32()))
    assert got.type == AMOUNT
    assert got.to_pylist() == expected


def test_one_rate_for_every_row_and_a_tie():
    # 5e-18 × 0.5 and 15e-18 × 0.5 are ties at the 18th place (2.5e-18, 7.5e-18): half-even
    # keeps the even digit, 2e-18 and 8e-18
    revenue = pa.array([Decimal("0.000000000000000005"), Decimal("0.000000000000000015"),
                        Decimal("12.5"), None], AMOUNT)
    got = multiply_rounded(revenue, [Decimal("0.5")])
    assert got.to_pylist() == [Decimal("0.000000000000000002"), Decimal("0.000000000000000008"),
                               Decimal("6.250000000000000000"), None]


def test_a_carry_through_every_place_of_a_large_product():
    # 499 999 999 999 999.999999999999999999|6204: Arrow 26's decimal256 round keeps the nines
    revenue = pa.array([Decimal("4999999999999999999.999999999999996204")], AMOUNT)
    rate = inverse(Decimal("10000"))             # 0.0001, as an 18-place inverse rate
    assert multiply_rounded(revenue, [rate]).to_pylist() == [Decimal("500000000000000.000000000000000000")]


def test_an_amount_written_with_more_than_18_places_rounds_with_its_carry():
    amounts, bad = to_amount(pa.array(["499999999999999.9999999999999999996204", "1.0000000000000000015"]), ".")
    assert amounts.to_pylist() == [Decimal("500000000000000.000000000000000000"),
                                   Decimal("1.000000000000000002")]
    assert not any(bad.to_pylist())


def test_a_quotient_arrow_26_gets_wrong():
    """Hypothesis found it: Arrow 26's decimal256 rescale made 18.446744072079056827 × 1 (at 36
    places, beside an 18-place inverse rate) 18.446744067127296670."""
    revenue = pa.array([Decimal("18.446744072079056827"), Decimal("18.446744072079056827")], AMOUNT)
    rates = [Decimal(1), inverse(Decimal("0.003"))]            # 333.333333333333333333
    got = multiply_rounded(revenue, rates, pa.array([0, 1], pa.int32()))
    assert got.to_pylist() == [Decimal("18.446744072079056827"), _exact(revenue[1].as_py(), rates[1])]
