"""Snapshot aggregation sums exactly."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from models.sales.schema import AMOUNT, CANONICAL_SCHEMA
from models.sales.snapshot import build_snapshot


def table(rows: list[dict]) -> pa.Table:
    full = [{f: r.get(f) for f in CANONICAL_SCHEMA.names} for r in rows]
    return pa.Table.from_pylist(full, schema=CANONICAL_SCHEMA)


def test_snapshot_exact_sums_and_order():
    tiny = Decimal("0.000000000000000001")
    rows = [dict(artist="A", dsp="Spotify", territory="GB", isrc="GBXYZ2400001", track_title="One", upc="012345678905",
                 release_title="EP", quantity=1, revenue=tiny, revenue_converted=tiny, line=i) for i in range(1000)]
    rows.append(dict(artist="B", dsp="Deezer", territory="FR", isrc="QZABC2500012", track_title="Two", upc=None,
                     release_title=None, quantity=5, revenue=Decimal("0.1"), revenue_converted=Decimal("0.09"), line=9))
    snap = build_snapshot(table(rows)).to_dict()
    totals = {k: v for k, v in snap["totals"].items() if k != "by_currency"}
    # releases: by UPC, else (artist, release title) — B's line names neither, so it is no release
    assert totals == {"rows": 1001, "quantity": "1005", "revenue": "0.100000000000001", "currency": None,
                      "revenue_converted": "0.090000000000001", "converted_complete": True,
                      "artists": 2, "tracks": 2, "releases": 1}
    assert [e["name"] for e in snap["byArtist"]] == ["B", "A"]
    assert snap["byArtist"][1] == {"name": "A", "currency": None, "quantity": "1000", "revenue": "0.000000000000001",
                                   "revenue_converted": "0.000000000000001", "rows": 1000}
    assert snap["byTrack"][0]["isrc"] == "QZABC2500012" and snap["byRelease"][1]["upc"] == "012345678905"
    assert [e["name"] for e in snap["byTerritory"]] == ["FR", "GB"]


def test_snapshot_from_batches_and_empty():
    t = table([dict(artist="A", dsp="X", revenue=Decimal("1.5"), revenue_converted=Decimal("1.5"), quantity=2, line=1)])
    snap = build_snapshot(t.to_batches()).to_dict()
    assert snap["byDSP"] == [{"name": "X", "currency": None, "quantity": "2", "revenue": "1.5",
                              "revenue_converted": "1.5", "rows": 1}]
    empty = build_snapshot([]).to_dict()
    assert empty["totals"]["rows"] == 0 and empty["totals"]["revenue"] == "0" and empty["byArtist"] == []
    assert t.schema.field("revenue").type == AMOUNT


def test_revenue_passed_as_converted_is_summed_once_with_the_same_result():
    """Without an exchange rate the emitter hands the revenue array itself as revenue_converted;
    the snapshot then sums it once. Copied or aliased, the snapshot is the same."""
    from models.sales.snapshot_fold import _aliased

    rows = [dict(artist=f"A{i % 3}", dsp="Spotify", territory="GB", isrc=None, track_title=f"T{i % 5}",
                 quantity=i, revenue=Decimal(i) / 8, revenue_converted=Decimal(i) / 8, line=i)
            for i in range(50)]
    copied = table(rows)
    batch = copied.combine_chunks().to_batches()[0]
    arrays = [batch.column("revenue") if n == "revenue_converted" else batch.column(n)
              for n in batch.schema.names]
    aliased = pa.Table.from_batches([pa.RecordBatch.from_arrays(arrays, schema=batch.schema)])
    assert _aliased(aliased.slice(3, 20), "revenue", "revenue_converted")
    assert not _aliased(copied, "revenue", "revenue_converted")
    assert build_snapshot(aliased).to_dict() == build_snapshot(copied).to_dict()


def test_snapshot_groups_by_currency_and_marks_unconverted_amounts():
    rows = [dict(artist="A", dsp="X", currency="USD", statement_period="2025-06", quantity=1,
                 revenue=Decimal("1.10"), revenue_converted=Decimal("1.10"), line=1),
            dict(artist="A", dsp="X", currency="GBP", statement_period="2025-06", quantity=2,
                 revenue=Decimal("2.20"), revenue_converted=Decimal("2.75"), line=2),
            dict(artist="A", dsp="X", currency="JPY", statement_period="2025-06", quantity=3,
                 revenue=Decimal("400"), revenue_converted=None, line=3)]
    snap = build_snapshot(table(rows)).to_dict()
    artist = {e["currency"]: e for e in snap["byArtist"]}
    assert {c: e["revenue"] for c, e in artist.items()} == {"USD": "1.1", "GBP": "2.2", "JPY": "400"}
    assert artist["JPY"]["revenue_converted"] is None and artist["JPY"]["unconverted_rows"] == 1
    t = snap["totals"]
    assert t["revenue"] is None and t["currency"] is None         # three currencies: no single figure
    assert t["revenue_converted"] == "3.85" and t["converted_complete"] is False
    assert [(c["currency"], c["revenue"]) for c in t["by_currency"]] == [("GBP", "2.2"), ("JPY", "400"), ("USD", "1.1")]


def test_summary_keys_count_tracks_by_isrc_else_artist_and_title():
    from models.sales.snapshot import summary_keys

    rows = [dict(artist="A", track_title="One", isrc="GBXYZ2400001", release_title="EP", upc="012345678905",
                 revenue=Decimal(1), quantity=1, line=1),
            dict(artist="A", track_title="One (radio)", isrc="GBXYZ2400001", release_title="EP", upc=None,
                 revenue=Decimal(1), quantity=1, line=2),
            dict(artist="B", track_title="One", isrc=None, release_title="EP", upc=None,
                 revenue=Decimal(1), quantity=1, line=3),
            dict(artist="C", track_title="One", isrc=None, release_title=None, upc=None,
                 revenue=Decimal(1), quantity=1, line=4)]
    keys = summary_keys(build_snapshot(table(rows)))
    assert len(keys["tracks"]) == 3          # one ISRC (two titles) + (B, One) + (C, One)
    assert len(keys["releases"]) == 3        # one UPC + (A, EP) without UPC + (B, EP)
