"""Scalar and columnar normalisers."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales import normalise as nz


@pytest.mark.parametrize("raw,expected", [("us-sm1-98-03037", "USSM19803037"), ("GB XYZ 24 00001", "GBXYZ2400001"),
                                          ("ISRC:GBXYZ2400001", "GBXYZ2400001"), ("GBXYZ240000", None), ("BADISRC", None)])
def test_isrc(raw, expected):
    assert nz.norm_isrc(raw) == expected


@pytest.mark.parametrize("raw,expected", [("012345678905", "012345678905"), ("12345678905", "012345678905"),
                                          ("5000000000012", "5000000000012"), ('"0123-4567-8905"', "012345678905"),
                                          ("012345678906", None), ("5.02E+09", None), ("2222222222", None)])
def test_upc(raw, expected):
    assert nz.norm_upc(raw) == expected


@pytest.mark.parametrize("raw,expected", [("GB", "GB"), ("uk", "GB"), ("USA", "US"), ("GBR", "GB"), ("Germany", "DE"),
                                          ("United States", "US"), ("WW", "WW"), ("Worldwide", "WW"), ("ZZ", None),
                                          ("Narnia", None)])
def test_territory(raw, expected):
    assert nz.norm_territory(raw) == expected


@pytest.mark.parametrize("raw,expected", [("2025-06", "2025-06"), ("2025-06-30", "2025-06"), ("JUN-25", "2025-06"),
                                          ("June 2025", "2025-06"), ("November 2025", "2025-11"), ("06/30/2025", "2025-06"),
                                          ("10/15/2023 12:00:00 AM", "2023-10"), ("20250601", "2025-06"), ("202506", "2025-06"),
                                          ("31/12/2024", "2024-12"), ("2025-13", None), ("soon", None)])
def test_period(raw, expected):
    assert nz.norm_period(raw) == expected


def test_period_with_explicit_format():
    assert nz.norm_period("01.06.2025", "%d.%m.%Y") == "2025-06"
    assert nz.norm_period("2025-06", "%d.%m.%Y") is None


def test_currency():
    assert [nz.norm_currency(v) for v in ("usd", "RUR", "€", "XYZ")] == ["USD", "RUB", "EUR", None]


def test_amounts_exact():
    values, invalid = nz.to_amount(pa.array(["1,234.50", "0.0000001", "(2.5)", "$3", "1e-7", "abc", "", "7.25 EUR",
                                             "1.1234567890123456789"]))
    assert values.to_pylist() == [Decimal("1234.5"), Decimal("1E-7"), Decimal("-2.5"), Decimal(3), Decimal("1E-7"),
                                  None, None, Decimal("7.25"), Decimal("1.123456789012345679")]
    assert invalid.to_pylist() == [False] * 5 + [True] + [False] * 3


def test_amounts_decimal_comma_and_sniffing():
    assert nz.sniff_decimal_sep(["1.234,50", "0,5", "12"]) == ","
    assert nz.sniff_decimal_sep(["1,234.50", "0.5"]) == "."
    values, _ = nz.to_amount(pa.array(["1.234,50", "0,000001"]), ",")
    assert values.to_pylist() == [Decimal("1234.5"), Decimal("0.000001")]


def test_decimal_commas_cast_directly_agree_with_the_cleaning():
    """`0,5` cells take the direct cast; mixed with cells that need cleaning, every value, the
    invalid mask and the `cleaned` notes are those of the cleaning path."""
    cells = ["0,01234567", "-0,5", "12", "1.234,50", "(0,5)", "0,5-", "€0,5", "1,", ",5", "x", "", None, "0.5"]
    notes: dict = {}
    values, invalid = nz.to_amount(pa.array(cells), ",", None, notes)
    slow, slow_invalid = nz._to_amount_slow(pa.array(cells), ",", None)
    assert values.to_pylist() == slow.to_pylist() and invalid.to_pylist() == slow_invalid.to_pylist()
    assert values.to_pylist()[:2] == [Decimal("0.01234567"), Decimal("-0.5")]
    assert notes["cleaned"].to_pylist() == [True, True, False] + [True] * 8 + [False, True]
    plain, _ = nz.to_amount(pa.array(["0,25", "-3,5"]), ",")
    assert plain.to_pylist() == [Decimal("0.25"), Decimal("-3.5")]


def test_isrc_column_agrees_with_norm_isrc():
    cells = ["us-sm1-98-03037", "GB XYZ 24 00001", "ISRC:GBXYZ2400001", "isrcGBXYZ2400001", "GBXYZ240000",
             "BADISRC", "XXXYZ2400001", "GB\tXYZ2400001", "GB\u00a0XYZ2400001", "\u00fcSXYZ2400001", "", None,
             "gb_xyz.24/00001", "ISRC", "GBXYZ24000O1"]
    assert nz.isrc_column(pa.array(cells)).to_pylist() == [None if c is None else nz.norm_isrc(c) for c in cells]


UPC_CELLS = ["012345678905", "12345678905", "5000000000012", '"0123-4567-8905"', "012345678906", "5.02E+09",
             "2222222222", "96385074", "96385075", "00012345600012", "10012345600012", "1234567890.0",
             " 5000000000012 ", "5 000000 000012", "'012345678905'", "\u0665000000000012", "", None, "0", "12",
             "0000000000000", "00000000", "99999999999999999999", "12345678905X", "501234567890１"]


def test_upc_column_agrees_with_norm_upc():
    assert nz.upc_column(pa.array(UPC_CELLS)).to_pylist() == [None if c is None else nz.norm_upc(c) for c in UPC_CELLS]
    assert nz.upc_column(pa.array(UPC_CELLS[:10])).to_pylist()[:3] == ["012345678905", "012345678905", "5000000000012"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text("0123456789", min_size=6, max_size=15),
                          st.text("0123456789 -.'\"x", max_size=16)), max_size=40))
def test_upc_column_agrees_with_norm_upc_on_any_cells(cells):
    """Digit strings of every length, most with a wrong check digit, some right by chance."""
    got = nz.upc_column(pa.array(cells, pa.string())).to_pylist()
    assert got == [None if c is None else nz.norm_upc(c) for c in cells]


def test_huge_amount_is_invalid_not_an_exception():
    values, invalid = nz.to_amount(pa.array(["1" * 25, "2"]))
    assert values.to_pylist() == [None, Decimal(2)] and invalid.to_pylist() == [True, False]


def test_quantity():
    q, bad = nz.to_quantity(pa.array(["1,234", "5.0", "x", None, "-2"]))
    assert q.to_pylist() == [1234, 5, None, None, -2] and bad.to_pylist() == [False, False, True, False, False]


def test_map_distinct_calls_once_per_value():
    calls = []
    arr = pa.array(["a", "b", "a", None, "a"])
    out = nz.map_distinct(arr, lambda v: calls.append(v) or v.upper(), {})
    assert out.to_pylist() == ["A", "B", "A", None, "A"] and sorted(calls) == ["a", "b"]


def test_distinct_cache_past_its_limit_still_maps_values_seen_before():
    """Past MAX keys the cache starts again from the batch's values: values of earlier batches
    in that batch are mapped, not nulled."""
    cache = nz.DistinctCache()
    cache.MAX = 4
    upper = str.upper
    assert nz.map_distinct(pa.array(["a", "b", None]), upper, cache).to_pylist() == ["A", "B", None]
    assert nz.map_distinct(pa.array(["c", "a", "d", "e"]), upper, cache).to_pylist() == ["C", "A", "D", "E"]
    assert nz.map_distinct(pa.array(["e", "f", "a"]), upper, cache).to_pylist() == ["E", "F", "A"]


def test_distinct_cache_shared_by_threads_maps_every_batch_right():
    """The cleaning threads share one cache: each call maps with the arrays it built, whatever
    another thread stored meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    cache = nz.DistinctCache()
    batches = [pa.array([f"v{(i * 7919 + j) % 5000}" for j in range(2000)]) for i in range(40)]
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda b: nz.map_distinct(b, str.upper, cache), batches))
    for batch, out in zip(batches, outs):
        assert out.to_pylist() == [v.upper() for v in batch.to_pylist()]
