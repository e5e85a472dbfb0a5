"""An amount becomes a spreadsheet number only when Excel shows it exactly (15 significant
digits, a double giving the decimal back); otherwise it stays exact text."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.analytics.xlsx_out import as_number


@pytest.mark.parametrize("amount, number", [
    ("10.5", 10.5), ("0.1", 0.1), ("-3.375", -3.375), ("0.0000001", 1e-7), ("0", 0.0),
    ("123456789012.345", 123456789012.345),                 # 15 significant digits
    ("1234567890123.456", None),                             # 16: Excel would show it rounded
    ("20.000000000000000001", None), ("0.30000000000000004", None), ("", None), (None, None)])
def test_number_only_when_exact(amount, number):
    assert as_number(amount) == number


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=18,
                   allow_nan=False, allow_infinity=False))
def test_never_rounded(amount):
    number = as_number(str(amount))
    assert number is None or Decimal(repr(number)) == amount
