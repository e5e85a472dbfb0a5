"""Report matching, CSV shaping and exact totals on pyarrow tables."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from models.catalog import CATALOG_SCHEMA
from models.reports import (
    CatalogIndex,
    Totals,
    apply_report_event,
    csv_table,
    format_amount,
    neutralise,
    snapshot,
    staleness,
)
from models.sales.schema import CANONICAL_SCHEMA

CATALOG = pa.Table.from_pylist([
    {"isrc": "USRC17607839", "upc": "012345678905", "release_title": "Lanterns",
     "track_title": "North Light", "artist": "Aurora", "label": "Vale", "extra": None, "line": 2},
    {"isrc": None, "upc": "5099902894225", "release_title": "Río", "track_title": None,
     "artist": "José", "label": None, "extra": None, "line": 3},
    {"isrc": "USRC17607839", "upc": None, "release_title": "Duplicate", "track_title": None,
     "artist": None, "label": None, "extra": None, "line": 4},
], schema=CATALOG_SCHEMA)


def _sale(isrc=None, upc=None, revenue="1", currency="EUR", quantity=1, artist="A", line=1):
    return {"isrc": isrc, "upc": upc, "revenue": Decimal(revenue), "quantity": quantity,
            "revenue_converted": Decimal(revenue), "currency": currency, "artist": artist,
            "line": line}


def _sales(*rows):
    return pa.Table.from_pylist(list(rows), schema=CANONICAL_SCHEMA)


def test_isrc_first_then_upc_only_without_usable_isrc():
    sales = _sales(_sale(isrc="usrc1-7607839"), _sale(upc="0012345678905"),
                   _sale(isrc="GBAYE0601498", upc="012345678905"), _sale(upc="5099902894225"),
                   _sale(), _sale(upc="123"))
    matched, unmatched = CatalogIndex(CATALOG, 3).split(sales, 9)
    assert matched["matched_on"].to_pylist() == ["isrc", "upc", "upc"]
    assert matched["catalog_release_title"].to_pylist() == ["Lanterns", "Lanterns", "Río"]
    assert matched["file_id"].to_pylist() == [9, 9, 9]
    assert unmatched["reason"].to_pylist() == ["isrc_not_in_catalog", "no_usable_isrc_or_upc",
                                               "no_usable_isrc_or_upc"]


def test_without_catalog_everything_is_unmatched():
    matched, unmatched = CatalogIndex(None).split(_sales(_sale(isrc="USRC17607839")), 1)
    assert matched.num_rows == 0 and unmatched["reason"].to_pylist() == ["no_catalog"]


def test_csv_cells_are_neutralised_and_amounts_exact():
    assert neutralise(pa.array(["=SUM(A1)", "+1", "-x", "@y", "\tz", "\rw", "ok", None])
                      ).to_pylist() == ["'=SUM(A1)", "'+1", "'-x", "'@y", "'\tz", "'\rw", "ok", None]
    amounts = pa.array([Decimal("1.5"), Decimal("2"), Decimal("-0.000000000000000001"), None,
                        Decimal(0), Decimal("0.0000001")], pa.decimal128(38, 18))
    assert format_amount(amounts).to_pylist() == ["1.5", "2", "-0.000000000000000001", None,
                                                  "0", "0.0000001"]
    matched, unmatched = CatalogIndex(CATALOG).split(_sales(_sale(artist="=HYPERLINK()",
                                                                  revenue="-3.25")), 1)
    row = csv_table("unmatched", unmatched).to_pylist()[0]
    assert row["artist"] == "'=HYPERLINK()" and row["revenue"] == "-3.25"  # numbers untouched


amounts = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000"), places=18,
                      allow_nan=False, allow_infinity=False)
identifiers = st.sampled_from([None, "USRC17607839", "GBAYE0601498", "012345678905",
                               "5099902894225", "bad"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(identifiers, identifiers, amounts, st.integers(0, 10**6)), max_size=40))
def test_matched_plus_unmatched_is_everything_exactly(rows):
    sales = _sales(*[_sale(isrc=i, upc=u, revenue=str(r), quantity=q) for i, u, r, q in rows])
    matched, unmatched = CatalogIndex(CATALOG, 1).split(sales, 1)
    m, u = Totals(), Totals()
    m.add(matched)
    u.add(unmatched)
    assert m.rows + u.rows == len(rows)
    assert m.revenue + u.revenue == sum((Decimal(str(r)) for _, _, r, _ in rows), Decimal(0))
    assert m.quantity + u.quantity == sum(q for *_, q in rows)
    snap = snapshot("unmatched", "2025-06", m, u, 1, [{"file_id": 1, "attempt": 1}])
    assert snap["rows"] == u.rows and snap["period_totals"]["rows"] == len(rows)
    assert Decimal(snap["period_totals"]["revenue"]) == m.revenue + u.revenue


def test_empty_period_snapshot_says_so():
    snap = snapshot("monthly", "2024-01", Totals(), Totals(), None, [])
    assert snap["rows"] == 0 and snap["empty"] and "2024-01" in snap["message"]
    assert snap["match_rate"] is None and snap["revenue"] == "0"


def test_conversions_into_two_base_currencies_are_never_added():
    """Files imported before and after the organisation changed its base currency: each file's
    conversion is stated under its own base, never summed into one figure."""
    before = _sales(_sale(revenue="10", quantity=1))
    after = _sales(_sale(revenue="2.5", quantity=1))
    one, both = Totals(), Totals()
    one.add(before, "EUR")
    one.add(after, "EUR")
    assert one.as_json()["revenue_converted"] == "12.5"
    assert one.as_json()["converted_currency"] == "EUR"
    both.add(before, "EUR")
    both.add(after, "GBP")
    out = both.as_json()
    assert out["revenue_converted"] is None and out["converted_currency"] is None
    assert out["converted_complete"] is False
    assert out["revenue_converted_by_currency"] == {"EUR": "10", "GBP": "2.5"}
    snap = snapshot("monthly", "2025-06", both, Totals(), None, [{"file_id": 1, "attempt": 1}])
    assert snap["period_totals"]["revenue_converted_by_currency"] == {"EUR": "10", "GBP": "2.5"}


def test_staleness_compares_file_ids_and_attempts():
    base = [{"file_id": 1, "attempt": 1}, {"file_id": 2, "attempt": 1}]
    assert staleness(base, list(base)) is None
    assert staleness(base, [{"file_id": 1, "attempt": 2}, {"file_id": 2, "attempt": 1},
                            {"file_id": 3, "attempt": 1}]) == \
        {"reimported": [1], "added": [3], "removed": []}
    assert staleness(base, [{"file_id": 2, "attempt": 1}])["removed"] == [1]


def test_report_fold():
    view = apply_report_event(None, {"report_id": 4, "organisation": "o", "status": "PENDING",
                                     "fields": {"type": "monthly"}}, "t1")
    view = apply_report_event(view, {"report_id": 4, "status": "RUNNING",
                                     "progress": {"percent": 50}}, "t2")
    assert view["progress"] == {"percent": 50}
    view = apply_report_event(view, {"report_id": 4, "status": "DONE",
                                     "fields": {"snapshot": {"rows": 1}}}, "t3")
    assert view["progress"] is None and view["snapshot"] == {"rows": 1}
    assert [h["status"] for h in view["history"]] == ["PENDING", "RUNNING", "DONE"]
