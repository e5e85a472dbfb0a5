"""Per-file rollups answer the views exactly as the rows do: the same lines, to the last of 18
decimals, for every grouping and the filters a rollup keeps, with a stored conversion, a late
one (rate registered) and a file converted into another base; tracks and releases without an
ISRC or UPC folded by artist and title; other filters read the rows; a reimport names a new
rollup."""
from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from infra.analytics import rollup
from infra.analytics.duck import Location
from infra.analytics.run import Context
from models.analytics.filters import Filters, View

ROWS = """SELECT * FROM (VALUES
  ('2025-05', '2025-04', 'Spotify', 'FR', 'ISRC1', 'A', 'One', 'R1', 'UPC1', 10, 'EUR', 1.000000000000000001, 1.000000000000000001),
  ('2025-05', '2025-05', 'Spotify', 'FR', 'ISRC2', 'B', 'Two', 'R2', NULL, 3, 'USD', 0.333333333333333333, 0.3),
  ('2025-05', '2025-05', 'Deezer', 'US', 'ISRC1', 'A', 'One', 'R1', 'UPC1', 7, 'USD', 2.5, NULL),
  ('2025-05', '2025-05', 'Deezer', 'US', 'ISRC1', 'A', 'One', 'R1', 'UPC1', 1, 'USD', 0.000000000000000007, NULL),
  ('2025-05', '2025-05', 'Deezer', 'US', 'ISRC2', 'B', 'Two', 'R2', NULL, 4, 'USD', 1.1, 0.99),
  ('2025-05', '2025-05', 'Deezer', 'US', NULL, 'C', 'Three', 'R3', NULL, 4, 'USD', 1.1, NULL),
  ('2025-05', '2025-04', 'Tidal', 'US', NULL, 'c', 'THREE', 'r3', NULL, 6, 'USD', 0.9, NULL),
  ('2025-05', '2025-05', 'Spotify', NULL, 'ISRC3', 'C', 'Four', 'R3', NULL, 2, 'EUR', 99999999.999999999999999999, 99999999.999999999999999999)
) t(statement_period, sale_period, dsp, territory, isrc, artist, track_title, release_title, upc, quantity, currency, revenue, revenue_converted)"""


def _file(folder, name: str, shift: int) -> str:
    path = folder / name
    duckdb.connect().execute(f"""COPY (SELECT statement_period, sale_period, dsp, territory, isrc, artist,
        track_title, release_title, upc,
        CAST(quantity + {shift} AS BIGINT) AS quantity, currency,
        CAST(revenue AS DECIMAL(38,18)) AS revenue, CAST(revenue_converted AS DECIMAL(38,18)) AS revenue_converted
        FROM ({ROWS})) TO '{path}' (FORMAT parquet)""")
    return str(path)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(rollup, "folder", lambda: tmp_path / "rollups")
    (tmp_path / "rollups").mkdir()
    (tmp_path / "sales").mkdir()
    _file(tmp_path / "sales", "a.parquet", 0)
    _file(tmp_path / "sales", "b.parquet", 5)
    return tmp_path


def context(store, *, other_base: bool = False) -> Context:
    records = {1: {"parquet_key": "sales/a.parquet", "filename": "a.csv", "attempt": 1,
                   "conversion": {"currency": "EUR"}},
               2: {"parquet_key": "sales/b.parquet", "filename": "b.csv", "attempt": 3,
                   "conversion": {"currency": "GBP" if other_base else "EUR"}}}
    late = [{"currency": "USD", "month": "2025-05", "rate": Decimal("0.123456789012345678")}]
    return Context(Location(store.as_uri()), "EUR", records, late)


def answer(store, view: View, rolled: bool, **kw) -> list:
    ctx = context(store, **kw)
    real = rollup.usable
    rollup.usable = lambda v: real(v) if rolled else None
    try:
        [lines] = ctx.run(view=view, top=10)
    finally:
        rollup.usable = real
    paths = {p: r["id"] for p, r in ctx.files.items()}
    return sorted(tuple(paths.get(v, v) if isinstance(v, str) else v for v in line) for line in lines)


FEW = [Filters(), Filters(currency="USD"), Filters(dsp="Spotify"), Filters(start="2025-05", end="2025-05"),
       Filters(file=2), Filters(territory="US", date="period", start="2025-05")]
KEYED = [Filters(), Filters(currency="USD"), Filters(period="2025-05"), Filters(file=1),
         Filters(date="period", start="2025-05", end="2025-05")]


@pytest.mark.parametrize("group_by, filters", [(g, f) for g in ("month", "period", "dsp", "territory", "file")
                                               for f in FEW]
                         + [(g, f) for g in ("artist", "track", "release") for f in KEYED])
@pytest.mark.parametrize("other_base", [False, True], ids=["stored", "other-base"])
def test_rollups_give_the_rows_answer(store, group_by, filters, other_base):
    view = View(group_by, filters, 10)
    assert rollup.usable(view)
    rows = answer(store, view, rolled=False, other_base=other_base)
    assert rows and answer(store, view, rolled=True, other_base=other_base) == rows
    assert len(list((store / "rollups").glob("*.parquet"))) == 2


def test_views_rollups_cannot_answer_read_the_rows():
    assert not rollup.usable(View("dsp", Filters(artist="A"), 10))
    assert not rollup.usable(View("month", Filters(isrc="ISRC1"), 10))
    assert not rollup.usable(View("track", Filters(dsp="Spotify"), 10))
    assert not rollup.usable(View("artist", Filters(start="2025-05"), 10))   # sale months
    assert not rollup.usable(View("release", Filters(artist="A"), 10))
    assert rollup.usable(View("track", Filters(), 10)) == "track"
    assert rollup.usable(View("file", Filters(), 10)) == "few"


def test_a_reimport_names_another_rollup(store):
    path = str(store / "sales" / "a.parquet")
    first = rollup.name("file:///x", "sales/a.parquet", 1, path)
    assert rollup.name("file:///x", "sales/a.parquet", 2, path) != first
    _file(store / "sales", "a.parquet", 1)           # the same key written again
    assert rollup.name("file:///x", "sales/a.parquet", 1, path) != first
