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
    snap = build_snapshot(table(rows))
    assert snap["totals"] == {"rows": 1001, "quantity": "1005", "revenue": "0.100000000000001",
                              "revenue_converted": "0.090000000000001", "artists": 2, "tracks": 2, "releases": 2}
    assert [e["name"] for e in snap["byArtist"]] == ["B", "A"]
    assert snap["byArtist"][1] == {"name": "A", "quantity": "1000", "revenue": "0.000000000000001",
                                   "revenue_converted": "0.000000000000001", "rows": 1000}
    assert snap["byTrack"][0]["isrc"] == "QZABC2500012" and snap["byRelease"][1]["upc"] == "012345678905"
    assert [e["name"] for e in snap["byTerritory"]] == ["FR", "GB"]


def test_snapshot_from_batches_and_empty():
    t = table([dict(artist="A", dsp="X", revenue=Decimal("1.5"), revenue_converted=Decimal("1.5"), quantity=2, line=1)])
    snap = build_snapshot(t.to_batches())
    assert snap["byDSP"] == [{"name": "X", "quantity": "2", "revenue": "1.5", "revenue_converted": "1.5", "rows": 1}]
    empty = build_snapshot([])
    assert empty["totals"]["rows"] == 0 and empty["totals"]["revenue"] == "0" and empty["byArtist"] == []
    assert t.schema.field("revenue").type == AMOUNT
