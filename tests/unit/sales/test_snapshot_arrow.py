"""The multi-currency snapshot kept as Arrow (issue 21): staged as Arrow IPC, paged from IPC
chunks, each entry exact to the last decimal against sums done with Decimal, one line at a time."""
from __future__ import annotations

import random
from collections import defaultdict
from decimal import Context, Decimal, localcontext

import pyarrow as pa
import pytest

from models.sales.result import _fmt
from models.sales.schema import CANONICAL_SCHEMA
from models.sales.snapshot import GROUPS, build_snapshot, entries, summary_keys
from models.sales.snapshot_io import (
    chunks,
    decode,
    key_lists,
    read_staged,
    stage,
    write_snapshot,
    write_staged,
)

CURRENCIES = ["EUR", "GBP", "JPY", "USD", None]


def lines(n: int = 6000, seed: int = 21) -> list[dict]:
    """Sales in five currencies (one without), amounts from 1e-18 to 1e9, some without a rate."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        scale = rnd.randrange(0, 19)
        revenue = Decimal(rnd.randrange(-10**6, 10**12)) / Decimal(10) ** scale
        converted = None if rnd.random() < 0.1 else \
            (revenue * Decimal("0.0065")).quantize(Decimal("1e-18"), context=Context(prec=50))
        track = rnd.randrange(60)
        out.append(dict(statement_period=rnd.choice(["2025-05", "2025-06"]), dsp=rnd.choice("ABC"),
                        territory=rnd.choice(["GB", "FR", "JP", "US"]),
                        artist=rnd.choice(["Straße", "STRASSE", "Björk", "björk", "A", None]),
                        track_title=rnd.choice([f"T{track}", "Noël", "NOËL", None]),
                        isrc=rnd.choice([None, "", f"GBXYZ24{track:05d}"]),
                        release_title=rnd.choice(["EP", "ep", "Ñ", None]),
                        upc=rnd.choice([None, f"0{rnd.randrange(40):011d}"]),
                        currency=rnd.choice(CURRENCIES), quantity=rnd.randrange(-2, 90),
                        revenue=revenue, revenue_converted=converted, line=i + 2))
    return out


def table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist([{f: r.get(f) for f in CANONICAL_SCHEMA.names} for r in rows],
                                schema=CANONICAL_SCHEMA)


def add(rows: list[dict], keys: list, sums: dict) -> None:
    for r in rows:
        s = sums[tuple(r.get(col) for col, _ in keys)]
        s[0] += r["quantity"]
        s[1] += r["revenue"]
        s[2] += r["revenue_converted"] or 0
        s[3] += 1
        s[4] += r["revenue_converted"] is not None


def expected(rows: list[dict], name: str) -> dict[tuple, dict]:
    """Entries of one list computed line by line with Decimal: {key: entry}."""
    keys = GROUPS[name]
    sums: dict = defaultdict(lambda: [0, Decimal(0), Decimal(0), 0, 0])
    with localcontext(Context(prec=80)):
        add(rows, keys, sums)
    out = {}
    for key, (quantity, revenue, converted, n, n_converted) in sums.items():
        entry = {label: v for (_, label), v in zip(keys, key)}
        entry.update(quantity=str(quantity), revenue=_fmt(revenue),
                     revenue_converted=_fmt(converted) if n == n_converted else None, rows=n)
        if n != n_converted:
            entry.update(converted_partial=_fmt(converted), unconverted_rows=n - n_converted)
        out[key] = entry
    return out


def test_staged_and_paged_entries_are_exact_against_decimal_sums():
    rows = lines()
    snap = build_snapshot(table(rows).to_batches(max_chunksize=1000))
    for name, keys in GROUPS.items():
        want = expected(rows, name)
        got = [e for _, data in chunks(snap.lists[name], 333) for e in entries(decode(data))]
        assert len(got) == len(want) and snap.lists[name].num_rows == len(want)
        assert {tuple(e[label] for _, label in keys): e for e in got} == want, name
        revenues = [Decimal(e["revenue"]) for e in got]
        assert revenues == sorted(revenues, reverse=True), name   # the list's order, across chunks
    assert any("E" in str(Decimal(e["revenue"])) for e in expected(rows, "byTrack").values())


def test_staged_file_reads_back_the_same_pages_and_entries(tmp_path):
    snap = build_snapshot(table(lines(2000, seed=5)))
    path = str(tmp_path / "snapshot.arrow")
    write_staged(stage(snap), path)
    back = read_staged(path)
    assert back.totals == snap.totals and key_lists(back.keys) == summary_keys(snap)
    assert list(back.lists) == list(snap.lists)
    for name, listed in back.lists.items():
        assert listed.count == snap.lists[name].num_rows
        assert [e for page in listed.pages for e in entries(decode(page))] == snap.to_dict()[name]
        assert back.first(name, 10) == snap.entries(name, 0, 10)
    # a whole snapshot staged by a worker from before the pages is cut when it is read
    write_snapshot(snap, path)
    old = read_staged(path)
    assert old.totals == snap.totals and old.keys == back.keys
    assert {n: s.pages for n, s in old.lists.items()} == {n: s.pages for n, s in back.lists.items()}


def test_summary_keys_casefold_like_python_and_count_each_key_once_across_currencies():
    rows = lines(3000, seed=9)
    keys = summary_keys(build_snapshot(table(rows)))

    def want(code: str, title: str) -> list[str]:
        out = set()
        for r in rows:
            if r.get(code):
                out.add(r[code])
            elif r.get(title):
                out.add(f"{(r.get('artist') or '').casefold()}\x1f{r[title].casefold()}")
        return sorted(out)

    assert keys["artists"] == sorted({r["artist"] for r in rows if r["artist"]})
    assert keys["tracks"] == want("isrc", "track_title")
    assert keys["releases"] == want("upc", "release_title")
    assert "strasse\x1fnoel" not in keys["tracks"] and "strasse\x1fnoël" in "\n".join(keys["tracks"])


def test_summary_keys_taken_on_ids_are_those_of_the_formatted_lists():
    """The builders take the tracks' and releases' keys while their lists are keyed by ids
    (`snapshot._keys` with `KeyIds.strings`); the same keys come from the lists as strings."""
    from models.sales.snapshot import _key_arrays

    snap = build_snapshot(table(lines(3000, seed=5)))
    from_strings = _key_arrays(snap.lists)
    assert set(snap.key_arrays) == {"artists", "tracks", "releases"}
    for kind, values in snap.key_arrays.items():
        assert sorted(values.to_pylist()) == sorted(from_strings[kind].to_pylist()), kind
        assert len(values) == len(set(values.to_pylist())), kind


def test_totals_per_currency_are_exact():
    rows = lines(3000, seed=3)
    totals = build_snapshot(table(rows)).totals
    per: dict = defaultdict(Decimal)
    with localcontext(Context(prec=80)):    # the default 28 digits would round these totals
        for r in rows:
            per[r["currency"]] += r["revenue"]
    assert {c["currency"]: c["revenue"] for c in totals["by_currency"]} == \
        {c: _fmt(v) for c, v in per.items()}
    assert totals["rows"] == len(rows) and totals["revenue"] is None and totals["converted_complete"] is False


def test_partial_groups_folded_many_times_keep_every_entry_exact(monkeypatch):
    """Keys grouped as ids across batches (models.sales.key_ids), partial groups folded whenever
    they outgrow twice the last fold: the same lists as line-by-line Decimal sums."""
    import models.sales.snapshot as snapshot
    import models.sales.snapshot_fold as fold

    rows = lines(4000, seed=33)
    monkeypatch.setattr(fold, "_COMBINE_AT", 40)
    builder = snapshot.SnapshotBuilder()
    batches = table(rows).to_batches(max_chunksize=50)
    for first in range(0, len(batches), 3):      # chunked row groups, as the cleaning sends them
        builder.add(pa.Table.from_batches(batches[first:first + 3]))
    assert all(builder.folds[name].folded[0] > 0 for name in ("byTrack", "byArtist", "byDSP"))
    folded = builder.result()
    for name, keys in GROUPS.items():
        got = folded.entries(name)
        assert {tuple(e[label] for _, label in keys): e for e in got} == expected(rows, name), name
    assert folded.to_dict() == build_snapshot(table(rows)).to_dict()


def _folded(monkeypatch, rows: list[dict], chunk: int, **settings):
    """A builder fed `rows` in batches of `chunk`, folds bounded at 400 rows, with
    `snapshot_fold`'s `settings`."""
    import models.sales.snapshot as snapshot
    import models.sales.snapshot_fold as fold

    monkeypatch.setattr(fold, "_COMBINE_AT", 400)
    for name, value in settings.items():
        monkeypatch.setattr(fold, name, value)
    builder = snapshot.SnapshotBuilder()
    for batch in table(rows).to_batches(max_chunksize=chunk):
        builder.add(pa.Table.from_batches([batch]))
    return builder


def _assert_exact(builder, rows: list[dict]) -> None:
    """Every list of `builder` is the line-by-line Decimal sums of `rows`."""
    got = builder.result()
    for name, keys in GROUPS.items():
        assert {tuple(e[label] for _, label in keys): e for e in got.entries(name)} == expected(rows, name), name
    assert got.to_dict() == build_snapshot(table(rows)).to_dict()


@pytest.mark.parametrize("raw_at", [0.0, 10.0])
def test_lists_whose_batches_go_ungrouped_to_the_folds_keep_every_entry_exact(monkeypatch, raw_at):
    """A list whose batches barely shrink when grouped sends them to the folds as rows
    (`snapshot_fold._RAW_AT`, on `distinct_keys`): 0 makes every list grouped from its own rows do so from its
    first batch, 10 none; the lists regrouped from another's partial groups never do (byArtist
    then regroups byRelease's rows)."""
    rows = lines(4000, seed=35)
    builder = _folded(monkeypatch, rows, 300, _RAW_AT=raw_at)
    own = {name for name, source in builder.sources.items() if source is None}
    assert own == {"byTrack", "byRelease"}
    assert all(f.raw == (raw_at == 0.0 and name in own) for name, f in builder.folds.items())
    _assert_exact(builder, rows)


@pytest.mark.parametrize("names", [("byArtist",), ("byDSP", "byCurrency"), ("byArtist", "byRelease", "byTerritory"),
                                   ("byArtist", "byDSP", "byTerritory", "byRelease", "byCurrency")])
def test_lists_regrouped_from_another_grouping_keep_every_entry_exact(names):
    """byArtist is regrouped from byRelease's partial groups where the builder folds byRelease,
    two short lists or more from their keys together; alone each groups its own rows. Every
    list is the line-by-line Decimal sums, whatever its builder holds."""
    import models.sales.snapshot as snapshot

    rows = lines(3000, seed=39)
    builder = snapshot.SnapshotBuilder(names)
    shorts = sum(n in ("byDSP", "byTerritory", "byCurrency") for n in names)
    assert builder.sources == {n: "byRelease" if n == "byArtist" and "byRelease" in names else
                               "flows" if n in ("byDSP", "byTerritory", "byCurrency") and shorts > 1 else None
                               for n in builder.sources}
    assert list(builder.sources)[:sum(s is None for s in builder.sources.values())] == \
        [n for n, s in builder.sources.items() if s is None]       # groupings before their lists
    for batch in table(rows).to_batches(max_chunksize=700):
        builder.add(pa.Table.from_batches([batch]))
    lists = builder.lists()
    for name in names:
        got = snapshot.Snapshot({name: lists[name]}, {}).entries(name)
        assert {tuple(e[label] for _, label in GROUPS[name]): e for e in got} == expected(rows, name), name


@pytest.mark.parametrize("groups", [1, 64, 10**9])
def test_lists_kept_in_partitions_keep_every_entry_exact(monkeypatch, groups):
    """Lists keyed by artist are kept in 4 to `_PARTITIONS` partitions, more when their first
    batch gives more than `_PARTITION_GROUPS` groups per partition: 1 splits them into all 16,
    10**9 into the fewest; the same lists as line-by-line Decimal sums either way."""
    rows = lines(4000, seed=37)
    builder = _folded(monkeypatch, rows, 500, _PARTITION_GROUPS=groups)
    counts = {name: len(f.parts) for name, f in builder.folds.items()}
    assert counts["byDSP"] == counts["byCurrency"] == 1
    assert {1: counts["byTrack"] == 16, 64: 4 < counts["byTrack"] < 16, 10**9: counts["byTrack"] == 4}[groups], counts
    _assert_exact(builder, rows)


def test_builders_of_disjoint_lists_on_threads_give_the_one_snapshot():
    """The cleaning runs `SPLIT`'s builders on threads of their own, then `snapshot_of`."""
    import models.sales.snapshot as snapshot

    rows = lines(3000, seed=41)
    builders = [snapshot.SnapshotBuilder(names) for names in snapshot.SPLIT]
    assert sorted(n for names in snapshot.SPLIT for n in names) == sorted(GROUPS)
    for batch in table(rows).to_batches(max_chunksize=700):
        for builder in builders:
            builder.add(batch)
    split = snapshot.snapshot_of(builders)
    whole = build_snapshot(table(rows))
    assert list(split.lists) == list(GROUPS)
    assert split.to_dict() == whole.to_dict() and split.totals == whole.totals


def test_builders_staged_as_they_finish_give_the_staged_snapshot(tmp_path):
    """`stage_of` encodes each builder's pages as soon as its lists are formatted: the same
    pages, keys and totals as staging the finished snapshot, and the same staged file."""
    import models.sales.snapshot as snapshot
    from models.sales.snapshot_io import stage_of

    rows = lines(3000, seed=43)
    builders = [snapshot.SnapshotBuilder(names) for names in snapshot.SPLIT]
    for batch in table(rows).to_batches(max_chunksize=700):
        for builder in builders:
            builder.add(batch)
    early = stage_of(builders)
    whole = stage(build_snapshot(table(rows)))
    assert list(early.lists) == list(GROUPS)
    assert early.totals == whole.totals and early.keys == whole.keys
    for name in GROUPS:
        assert [decode(p) for p in early.lists[name].pages] == [decode(p) for p in whole.lists[name].pages], name
    write_staged(early, str(tmp_path / "early"))
    write_staged(whole, str(tmp_path / "whole"))
    assert (tmp_path / "early").read_bytes() == (tmp_path / "whole").read_bytes()


def test_entries_of_equal_revenue_are_in_key_order_whatever_order_the_keys_came_in():
    """The lists are sorted while their keys are ids (ranked as their strings): equal revenues
    must still come in the strings' order, nulls last, not in the order the keys were seen."""
    artists = ["zed", "Émile", None, "alpha", "Zed", "beta", "alpha2"]   # seen in this order
    rows = [dict(statement_period="2025-05", sale_period="2025-05", dsp="D", territory="GB",
                 artist=a, track_title=f"T{i % 2}", currency="EUR", quantity=1,
                 revenue=Decimal("1.5"), revenue_converted=None, line=i + 2)
            for i, a in enumerate(artists)]
    snapshot = build_snapshot(table(rows))
    listed = [e["name"] for e in snapshot.entries("byArtist")]
    named = sorted(a for a in artists if a is not None)        # Python's order is UTF-8 byte order
    assert listed == [*named, None]
    keys = [(e["name"], e["isrc"], e["artist"], e["currency"]) for e in snapshot.entries("byTrack")]
    assert len(keys) == len(artists)
    assert keys == sorted(keys, key=lambda k: [(v is None, v or "") for v in k])   # nulls last
