"""The documented Tributary generic layout, from the committed fixtures."""
from __future__ import annotations

from decimal import Decimal

from models.sales.coded import CODED
from models.sales.schema import CANONICAL_SCHEMA


def test_generic_csv_fixture(run, fixtures):
    r = run(fixtures / "generic_preamble_footer.csv")
    res = r.result
    assert res.layout == "tributary-generic" and res.delimiter == "," and res.header_line == 3
    for batch in r.batches:       # canonical, text columns possibly dictionary-coded (coded.py)
        assert batch.schema.names == CANONICAL_SCHEMA.names
        assert all(t == f.type or t == CODED for t, f in zip(batch.schema.types, CANONICAL_SCHEMA))
    assert any(CODED in b.schema.types for b in r.batches)
    assert (res.rows, res.bad_rows) == (5, 1)
    assert res.bad_samples == [{"line": 9, "reason": "invalid revenue: 'not-a-number'"}]
    rows = r.rows
    assert [x["line"] for x in rows] == [4, 5, 6, 7, 8]
    assert [x["territory"] for x in rows] == ["GB", "GB", "DE", "GB", "WW"]
    assert [x["sale_period"] for x in rows] == ["2025-06"] * 5
    assert {x["statement_period"] for x in rows} == {"2025-07"}
    assert rows[0]["isrc"] == "GBXYZ2400001" and rows[0]["upc"] == "012345678905"
    assert rows[4]["isrc"] is None and rows[4]["upc"] is None     # invalid ids nulled and counted
    assert res.invalid_values == {"isrc": 1, "upc": 1}
    assert rows[3]["artist"] == "Artist, The"
    assert rows[2]["revenue"] == Decimal("0.0000003")
    # footer: the file states 7.3567903; the imported rows sum to exactly that
    assert res.declared_totals == {"revenue": "7.3567903"}
    assert res.totals_check == {"ok": True, "declared": "7.3567903", "imported": "7.3567903", "warning": None}
    assert res.currency is None                                   # mixed currencies
    assert r.progress[-1] == (6, 100.0)


def test_generic_tsv_fixture_and_exchange_rate(run, fixtures):
    r = run(fixtures / "generic.tsv", exchange_rate=Decimal("0.9"))
    assert r.result.delimiter == "\t" and r.result.currency == "USD" and r.result.rows == 2
    rows = r.rows
    assert [x["sale_period"] for x in rows] == ["2025-06", "2025-06"]
    assert [x["territory"] for x in rows] == ["US", "CA"]
    assert [x["statement_period"] for x in rows] == ["2025-06", "2025-06"]   # defaults to the sale period
    assert [x["revenue_converted"] for x in rows] == [Decimal("0.0036"), Decimal("0.0009")]
    assert r.result.imported_totals == {"revenue": "0.005", "revenue_converted": "0.0045", "quantity": "5"}


def test_batches_are_bounded(tmp_path, run):
    p = tmp_path / "many.csv"
    p.write_text("sale_period,dsp,territory,isrc,quantity,currency,revenue\n"
                 + "2025-06,Spotify,GB,GBXYZ2400001,1,GBP,0.000001\n" * 2500)
    r = run(p, batch_rows=1000)
    assert [b.num_rows for b in r.batches] == [1000, 1000, 500]
    assert r.result.imported_totals["revenue"] == "0.0025"
    assert r.table["line"].to_pylist() == list(range(2, 2502))
