"""Text columns read dictionary-coded (`models/sales/coded.py`) clean to exactly what plain
strings give: rows, bad rows, data quality, conversion and totals, on one core and on two; and
the sink's Parquet, snapshot and statement digest are the same."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agents import cleaning
from models.sales import tabular
from models.sales.clean import CleanOptions, clean_file
from models.sales.coded import CODED, unified
from models.sales.schema import CANONICAL_SCHEMA
from models.sales.snapshot_io import decode, read_staged
from models.sales.transform import Mapper

HEADER = ("statement_period\tsale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\tquantity\t"
          "currency\trevenue\n")
# spellings the cleaning trims, repairs, merges or nulls; several become one value
TERRITORIES = ["US", " us", "Germany", "UK", "", "XX", "276", "fr "]
ISRCS = ["US-RC1-76-0{:04d}", "usrc1760{:04d}", " USRC1760{:04d} ", "", "BAD{:04d}", "ZZRC1760{:04d}"]
CURRENCIES = ["USD", "usd", " EUR", "RUR", "", "XYZ", "€", "EUR"]
PERIODS = ["2025-06", "June 2025", "2025-06-30", "", "garbage", "2025-05"]
UPCS = ["036000291452", "", "36000291452", "123", " 036000291452 "]
DSPS = ["Spotify", " Spotify", "Spotify ", "Deezer", ""]


def _messy(tmp_path, rows: int) -> str:
    lines = [HEADER]
    for n in range(rows):
        revenue = "x1" if n % 911 == 3 else "" if n % 1301 == 4 else f"{n % 97}.{n % 13:02d}"
        title = ["Track {}", " Track {}", "Track {} ", ""][n % 4].format(n % 300)
        dsp = "Ghost" if revenue == "x1" else DSPS[n % 5]     # only on bad rows: never imported
        lines.append("\t".join([
            PERIODS[n % 6], PERIODS[(n // 6) % 6], dsp, TERRITORIES[n % 8],
            ISRCS[n % 6].format(n % 997), UPCS[n % 5], f"Artist {n % 40}", title, str(n % 4),
            CURRENCIES[n % 8], revenue]) + "\n")
        if n % 1000 == 9:
            lines.append("\t" * 10 + "\n")               # a blank line: not a row
        if n % 1500 == 7:
            lines.append("2025-01\tshort row\n")
    path = tmp_path / "messy.tsv"
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


OPTIONS = CleanOptions(base_currency="USD", max_bad_share=1.0,
                       org_rates={("EUR", "USD", "2025-06"): Decimal("1.1"), ("RUB", "USD", "2025-05"): Decimal("0.011")})


def _clean(path: str, monkeypatch, coded: bool):
    if not coded:
        monkeypatch.setattr(Mapper, "coded_columns", lambda self: set())
    batches: list[pa.RecordBatch] = []
    result = clean_file(path, "messy.tsv", OPTIONS, batches.append)
    monkeypatch.undo() if not coded else None
    return result, batches


@pytest.mark.parametrize("workers", [1, 2])
def test_coded_and_plain_text_columns_clean_alike(tmp_path, monkeypatch, workers):
    path = _messy(tmp_path, 24_000)
    results = {}
    for coded in (True, False):
        monkeypatch.setattr(tabular, "WORKERS", workers)
        monkeypatch.setattr(tabular, "CHUNK_BYTES", 64 * 1024)   # many ranges on two cores
        result, batches = _clean(path, monkeypatch, coded)
        is_coded = [CODED in b.schema.types for b in batches]
        assert all(is_coded) if coded else not any(is_coded)      # the path under test was taken
        results[coded] = result, pa.Table.from_batches([b.cast(CANONICAL_SCHEMA) for b in batches])
    (coded, coded_rows), (plain, plain_rows) = results[True], results[False]
    assert dataclasses.asdict(coded) == dataclasses.asdict(plain)
    assert coded_rows.equals(plain_rows)
    assert plain.bad_rows > 0 and plain.invalid_values["isrc"] > 0 and plain.conversion["missing"]
    assert {f: plain.data_quality[f]["repaired"] > 0 for f in ("isrc", "upc", "territory", "currency")} == \
        dict.fromkeys(("isrc", "upc", "territory", "currency"), True)


def test_the_sink_writes_the_same_from_coded_and_plain_columns(tmp_path, monkeypatch):
    monkeypatch.setattr(cleaning, "ROW_GROUP_ROWS", 4096)     # row groups of several batches
    monkeypatch.setattr(tabular, "CHUNK_BYTES", 64 * 1024)
    src = _messy(tmp_path, 24_000)
    outputs = []
    for coded in (True, False):
        if not coded:
            monkeypatch.setattr(Mapper, "coded_columns", lambda self: set())
        out = str(tmp_path / f"clean-{coded}.parquet")
        result, digest = cleaning._clean_to_parquet(src, out, "messy.tsv", OPTIONS, lambda *a: None)
        staged = read_staged(out + cleaning.SNAPSHOT_SUFFIX)
        lists = {name: pa.concat_tables([decode(p) for p in found.pages]) for name, found in staged.lists.items()}
        outputs.append((dataclasses.asdict(result), digest, pq.read_table(out), staged.totals, lists))
    (result, digest, rows, totals, lists), plain = outputs
    assert rows.schema == CANONICAL_SCHEMA and rows.equals(plain[2])
    assert (result, digest, totals) == (plain[0], plain[1], plain[3])
    assert "Ghost" not in str(digest) and "Spotify" in str(digest)
    assert lists.keys() == plain[4].keys() and all(lists[k].equals(plain[4][k]) for k in lists)


def test_unified_keeps_only_the_values_rows_use():
    chunks = [pa.DictionaryArray.from_arrays(pa.array([2, None, 0, 2], pa.int32()), pa.array(["b", "unused", "a"])),
              pa.DictionaryArray.from_arrays(pa.array([1, 1, None], pa.int32()), pa.array(["gone", "c"])),
              pa.DictionaryArray.from_arrays(pa.array([0], pa.int32()), pa.array(["a", "never"]))]
    dictionary, indices = unified(pa.chunked_array(chunks))
    assert sorted(dictionary.to_pylist()) == ["a", "b", "c"]
    assert [dictionary.take(i).to_pylist() for i in indices] == [c.dictionary_decode().to_pylist() for c in chunks]


GERMAN = {"statement_period": "Abrechnungsmonat", "sale_period": "Verkaufsmonat", "dsp": "Plattform",
          "territory": "Land", "isrc": "ISRC-Code", "upc": "EAN", "artist": "Interpret",
          "track_title": "Titel", "quantity": "Menge", "currency": "Währung", "revenue": "Erlös"}
MAPPING = {"name": "Vertrieb", "columns": {**{h: f for f, h in GERMAN.items()}, "Titel (alt)": "track_title"}}


def test_an_organisation_mapping_cleans_alike_coded_and_plain(tmp_path, monkeypatch):
    """A mapping's fields read coded, but for the one it coalesces from two columns."""
    lines = open(_messy(tmp_path, 12_000), encoding="utf-8").read().splitlines()
    cells = [line.split("\t") for line in lines]
    rows = ["\t".join([GERMAN[h] for h in cells[0]] + ["Titel (alt)"])]
    rows += ["\t".join(c + ([f"Alt {n % 7}" if n % 3 else ""] if len(c) > 2 else [])) for n, c in enumerate(cells[1:])]
    path = tmp_path / "vertrieb.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    options = dataclasses.replace(OPTIONS, mappings=[MAPPING])
    monkeypatch.setattr(tabular, "CHUNK_BYTES", 64 * 1024)
    found = []
    for coded in (True, False):
        if not coded:
            monkeypatch.setattr(Mapper, "coded_columns", lambda self: set())
        batches: list[pa.RecordBatch] = []
        result = clean_file(str(path), "vertrieb.tsv", options, batches.append)
        coded_types = {n for b in batches for n, t in zip(b.schema.names, b.schema.types) if t == CODED}
        found.append((dataclasses.asdict(result), pa.Table.from_batches([b.cast(CANONICAL_SCHEMA) for b in batches]),
                      coded_types))
    (result, rows_coded, coded_types), (plain, rows_plain, none) = found
    assert result["layout"] == "org:Vertrieb" and result == plain and rows_coded.equals(rows_plain)
    assert "dsp" in coded_types and "track_title" not in coded_types and not none
