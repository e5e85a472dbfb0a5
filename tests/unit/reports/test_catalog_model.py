"""Catalog files: header mapping, identifier normalisation, bad rows, XLSX, search, fold."""
from __future__ import annotations

import pyarrow as pa
import pytest

from models.catalog import (
    CATALOG_SCHEMA,
    CatalogFileError,
    apply_import_event,
    isrc_keys,
    read_catalog,
    search,
    upc_keys,
)
from tests.support.xlsx import write_xlsx


def _read(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    batches: list[pa.RecordBatch] = []
    result = read_catalog(str(path), name, batches.append)
    table = pa.Table.from_batches(batches, schema=CATALOG_SCHEMA)
    return result, table


def test_csv_with_aliases_separators_and_extra_columns(tmp_path):
    data = ("Catalogue export\n"
            "UPC/EAN;ISRC Code;Album;Song Title;Artist Name;Record Label;Genre\n"
            "0 12345 67890 5;us-rc1-76-07839;Lanterns;North Light;Aurora;Vale Rec;Pop\n"
            "5099902894225;;Río;;José Ñúñez;Vale Rec;\n").encode("utf-8-sig")
    result, table = _read(tmp_path, "cat.csv", data)
    assert result.rows == 2 and result.bad_rows == 0
    assert result.columns["isrc"] == "ISRC Code" and result.extra_columns == ["Genre"]
    rows = table.to_pylist()
    assert rows[0]["isrc"] == "USRC17607839" and rows[0]["upc"] == "012345678905"
    assert rows[0]["extra"] == '{"Genre": "Pop"}' and rows[0]["line"] == 3
    assert rows[1]["isrc"] is None and rows[1]["artist"] == "José Ñúñez"


def test_bad_rows_are_counted_with_line_and_reason(tmp_path):
    data = (b"isrc\tupc\ttrack_title\n"
            b"USRC17607839\t\tA\n"
            b"NOT-AN-ISRC\t\tB\n"
            b"\t012345678900\tC\n"
            b"\t\tD\n"
            b"\t\t\n")
    result, table = _read(tmp_path, "cat.tsv", data)
    assert result.rows == 1 and result.bad_rows == 3
    assert [s["line"] for s in result.bad_samples] == [3, 4, 5]
    assert "ISRC" in result.bad_samples[0]["reason"]
    assert "UPC" in result.bad_samples[1]["reason"]
    assert result.bad_samples[2]["reason"] == "no ISRC or UPC"


def test_latin1_text_is_read(tmp_path):
    data = "isrc,artist\nUSRC17607839,Beyoncé\n".encode("cp1252")
    _, table = _read(tmp_path, "cat.csv", data)
    assert table["artist"].to_pylist() == ["Beyoncé"]


@pytest.mark.parametrize("name, data, cause", [
    ("cat.pdf", b"%PDF", "UNSUPPORTED_TYPE"),
    ("cat.csv", b"", "EMPTY"),
    ("cat.csv", b"colour,shape\nred,round\n", "UNKNOWN_LAYOUT"),
    ("cat.xlsx", b"PK\x03\x04 not a workbook", "CORRUPTED"),
])
def test_unreadable_files_raise_with_cause(tmp_path, name, data, cause):
    with pytest.raises(CatalogFileError) as info:
        _read(tmp_path, name, data)
    assert info.value.cause == cause


def test_xlsx_through_calamine(tmp_path):
    write_xlsx(tmp_path / "cat.xlsx", {"Catalog": [
        ["UPC", "ISRC", "Track", "Artist"],
        [12345678905, "USRC17607839", "North Light", "Aurora"]]})  # leading zero lost as a number
    batches: list = []
    result = read_catalog(str(tmp_path / "cat.xlsx"), "cat.xlsx", batches.append)
    assert result.rows == 1
    assert batches[0].to_pylist()[0]["upc"] == "012345678905"


def test_keys_make_upc_a_and_ean13_equal_and_reject_junk():
    assert upc_keys(pa.array(["012345678905", "0012345678905", "12-34", None])).to_pylist() == \
        ["00012345678905", "00012345678905", None, None]
    assert isrc_keys(pa.array(["isrc us-rc1-76-07839", "USRC1760783", None])).to_pylist() == \
        ["USRC17607839", None, None]


def test_search_filters_and_pages():
    rows = [{"isrc": f"USRC1760{i:04d}", "upc": "012345678905", "release_title": "Lanterns",
             "track_title": f"Song {i}", "artist": "Aurora Vale" if i % 2 else "Other",
             "label": None, "extra": None, "line": i + 2} for i in range(10)]
    batches = pa.Table.from_pylist(rows, schema=CATALOG_SCHEMA).to_batches(max_chunksize=3)
    total, page = search(batches, artist="aurora", offset=2, limit=2)
    assert total == 5 and [r["line"] for r in page] == [7, 9]
    total, page = search(batches, isrc="usrc1760-0003")
    assert total == 1 and page[0]["track_title"] == "Song 3" and page[0]["extra"] == {}
    assert search(batches, upc="0012345678905", title="song 1")[0] == 1
    assert search(batches, isrc="garbage") == (0, [])


def test_import_fold_keeps_history_and_clears_progress():
    view = apply_import_event(None, {"import_id": 1, "organisation": "o", "status": "UPLOADING",
                                     "fields": {"filename": "c.csv"}}, "t1")
    view = apply_import_event(view, {"import_id": 1, "status": "PROCESSING",
                                     "progress": {"rows": 5}}, "t2")
    view = apply_import_event(view, {"import_id": 1, "status": "PROCESSING",
                                     "progress": {"rows": 9}}, "t3")
    assert view["progress"] == {"rows": 9} and len(view["history"]) == 2
    view = apply_import_event(view, {"import_id": 1, "status": "DONE", "fields": {"version": 2}},
                              "t4")
    assert view["progress"] is None and view["version"] == 2 and view["filename"] == "c.csv"
    assert apply_import_event(None, {"import_id": 2, "status": "DONE"}, "t") is None
