"""Per-file rollups answer the views exactly as the rows do: the same lines, to the last of 18
decimals, for every grouping and the filters a rollup keeps (ranges of sale months for the top
artists, tracks and releases, files behind an artist, ISRC or UPC included), with a stored
conversion, a late one (rate registered) and a file converted into another base; tracks and
releases without an ISRC or UPC folded by artist and title; other filters read the rows; the
rollups stored at import give the same answers as those built when asked; a reimport names a
new rollup."""
from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from infra.analytics import build, rollup
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
def store(tmp_path):
    (tmp_path / "rollups").mkdir()
    (tmp_path / "sales").mkdir()
    _file(tmp_path / "sales", "a.parquet", 0)
    _file(tmp_path / "sales", "b.parquet", 5)
    return tmp_path


def stored(store, parquet_key: str, attempt: int) -> dict[str, str]:
    """The rollups an import stores beside the file's Parquet: {kind: key}."""
    wanted = {kind: build.key(parquet_key, attempt, kind) for kind in rollup.KINDS}
    rows = build.write(str(store / parquet_key), {k: str(store / v) for k, v in wanted.items()})
    assert rows == 8
    return wanted


def context(store, *, other_base: bool = False, at_import: bool = False) -> Context:
    records = {1: {"parquet_key": "sales/a.parquet", "filename": "a.csv", "attempt": 1,
                   "conversion": {"currency": "EUR"}},
               2: {"parquet_key": "sales/b.parquet", "filename": "b.csv", "attempt": 3,
                   "conversion": {"currency": "GBP" if other_base else "EUR"}}}
    if at_import:
        for record in records.values():
            record["rollups"] = stored(store, record["parquet_key"], record["attempt"])
    late = [{"currency": "USD", "month": "2025-05", "rate": Decimal("0.123456789012345678")}]
    return Context(Location(store.as_uri()), "EUR", records, late, str(store))


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
         Filters(date="period", start="2025-05", end="2025-05"),
         Filters(start="2025-05", end="2025-05"), Filters(start="2025-04"), Filters(month="2025-04")]
DRILLS = [Filters(artist="A"), Filters(isrc="ISRC2", currency="USD"), Filters(upc="UPC1"),
          Filters(artist="c", start="2025-04", end="2025-04"), Filters(isrc="ISRC1", month="2025-05"),
          Filters(upc="UPC1", date="period", start="2025-05", end="2025-05")]
CASES = ([(g, f) for g in ("month", "period", "dsp", "territory", "file") for f in FEW]
         + [(g, f) for g in ("artist", "track", "release") for f in KEYED]
         + [("file", f) for f in DRILLS]
         + [("artist", Filters(artist="A")), ("track", Filters(isrc="ISRC1", start="2025-05")),
            ("release", Filters(upc="UPC1")), ("month", Filters(isrc="ISRC1")),
            ("month", Filters(artist="A")), ("period", Filters(upc="UPC1"))])


@pytest.mark.parametrize("group_by, filters", CASES)
@pytest.mark.parametrize("other_base", [False, True], ids=["stored", "other-base"])
def test_rollups_give_the_rows_answer(store, group_by, filters, other_base):
    view = View(group_by, filters, 10)
    assert rollup.usable(view)
    rows = answer(store, view, rolled=False, other_base=other_base)
    assert rows and answer(store, view, rolled=True, other_base=other_base) == rows
    assert len(list((store / "rollups").glob("*.parquet"))) == 2


@pytest.mark.parametrize("group_by, filters", CASES[::2])
def test_rollups_stored_at_import_give_the_rows_answer(store, group_by, filters):
    view = View(group_by, filters, 10)
    rows = answer(store, view, rolled=False)
    assert rows and answer(store, view, rolled=True, at_import=True) == rows
    assert not list((store / "rollups").glob("*.parquet"))     # none built when asked


def test_rollups_of_another_attempt_are_not_read(store):
    """A reimport FINALIZED whose rollups are not recorded yet: the record still names the
    previous attempt's, which summed other rows; the gateway builds its own instead."""
    view = View("track", Filters(), 10)
    ctx = context(store, at_import=True)
    for record in ctx.files.values():
        record["attempt"] += 1
    [lines] = ctx.run(view=view, top=10)
    assert lines and len(list((store / "rollups").glob("*.parquet"))) == 2


def test_each_kind_is_stored_beside_the_parquet_under_its_attempt(store):
    keys = stored(store, "sales/a.parquet", 4)
    assert set(keys) == set(rollup.KINDS)
    assert keys["track_month"] == "sales/a.rollup-4-track_month.parquet"
    assert all((store / k).is_file() for k in keys.values())
    assert build.key("sales/a.parquet", 5, "few") != keys["few"]


def test_views_rollups_cannot_answer_read_the_rows():
    assert not rollup.usable(View("dsp", Filters(artist="A"), 10))
    assert not rollup.usable(View("month", Filters(isrc="ISRC1", dsp="Deezer"), 10))
    assert not rollup.usable(View("track", Filters(dsp="Spotify"), 10))
    assert not rollup.usable(View("release", Filters(artist="A"), 10))
    assert not rollup.usable(View("file", Filters(artist="A", territory="FR"), 10))
    assert not rollup.usable(View("file", Filters(artist="A", isrc="ISRC1"), 10))


def test_each_view_reads_the_smallest_kind_that_keeps_what_it_needs():
    assert rollup.usable(View("track", Filters(), 10)) == "track"
    assert rollup.usable(View("track", Filters(start="2025-05"), 10)) == "track_month"
    assert rollup.usable(View("artist", Filters(date="period", start="2025-05"), 10)) == "artist"
    assert rollup.usable(View("file", Filters(), 10)) == "few"
    assert rollup.usable(View("file", Filters(upc="UPC1"), 10)) == "release"
    assert rollup.usable(View("file", Filters(artist="A", month="2025-05"), 10)) == "artist_month"
    assert rollup.usable(View("month", Filters(isrc="ISRC1"), 10)) == "track_month"


def test_a_reimport_names_another_rollup(store):
    path = str(store / "sales" / "a.parquet")
    first = rollup.name("file:///x", "sales/a.parquet", 1, path)
    assert rollup.name("file:///x", "sales/a.parquet", 2, path) != first
    _file(store / "sales", "a.parquet", 1)           # the same key written again
    assert rollup.name("file:///x", "sales/a.parquet", 1, path) != first


def _rows_of(path: str) -> list:
    return sorted(duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall(),
                  key=repr)


def test_wide_kinds_built_in_parts_hold_the_same_groups(store, monkeypatch):
    """A kind keyed by track or release with more than PART_GROUPS groups is summed in disjoint
    parts (a hash of the grouping): the same groups and sums as one pass, no part left."""
    whole = {kind: str(store / f"whole-{kind}.parquet") for kind in rollup.KINDS}
    assert build.write(str(store / "sales/a.parquet"), whole) == 8
    monkeypatch.setattr(build, "PART_GROUPS", 3)
    passes: list = []
    real = build.build
    monkeypatch.setattr(build, "build", lambda *a, **kw: passes.append((a[3], kw.get("part"))) or real(*a, **kw))
    parted = {kind: str(store / f"parted-{kind}.parquet") for kind in rollup.KINDS}
    assert build.write(str(store / "sales/a.parquet"), parted) == 8
    assert any(k == "track_month" and p for k, p in passes) and ("few", None) in passes  # 6 groups
    for kind in rollup.KINDS:
        assert _rows_of(parted[kind]) == _rows_of(whole[kind]), kind
    assert not list(store.glob("*.part*"))
    assert set(build.WIDE) <= set(rollup.KINDS)


def test_a_part_holds_the_groups_whose_grouping_hashes_to_it(store):
    """The parts of a kind are disjoint and together are the whole rollup."""
    con = duckdb.connect()
    source, kind = str(store / "sales/a.parquet"), "track_month"
    rollup.build(con, source, str(store / "all.parquet"), kind)
    for i in range(3):
        rollup.build(con, source, str(store / f"p{i}.parquet"), kind, part=(i, 3))
    parts = [_rows_of(str(store / f"p{i}.parquet")) for i in range(3)]
    assert sum(map(len, parts)) == len(_rows_of(str(store / "all.parquet")))
    assert sorted((r for p in parts for r in p), key=repr) == _rows_of(str(store / "all.parquet"))
    assert sum(1 for p in parts if p) >= 2     # the six groups are spread, not all in one part
