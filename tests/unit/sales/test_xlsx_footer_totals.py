"""A `Total` row at the foot of an XLSX sheet is a declared total, checked as in CSV files."""
from __future__ import annotations

from tests.support.xlsx import write_xlsx

HEADER = ["sale_period", "dsp", "territory", "isrc", "artist", "track_title", "quantity", "currency", "revenue"]
ROWS = [["2025-06", "Spotify", "GB", "GBXYZ2400001", "The Examples", "One", 10, "GBP", "1.25"],
        ["2025-06", "Deezer", "FR", "GBXYZ2400002", "The Examples", "Two", 3, "GBP", "0.5"]]


def _book(tmp_path, total: str):
    path = tmp_path / "statement.xlsx"
    write_xlsx(path, {"Sales": [HEADER, *ROWS, [""] * 9, ["Total", "", "", "", "", "", "", "", total]]})
    return path


def test_xlsx_total_row_matches(tmp_path, run):
    r = run(_book(tmp_path, "1.75"))
    assert r.result.rows == 2 and r.result.footer_lines == 2        # the blank row and the Total row
    assert r.result.declared_totals == {"revenue": "1.75"}
    assert r.result.totals_check["ok"] is True


def test_xlsx_total_row_that_differs_is_reported(tmp_path, run):
    r = run(_book(tmp_path, "2.75"))
    assert r.result.rows == 2
    assert r.result.totals_check == {"ok": False, "declared": "2.75", "imported": "1.75",
                                     "warning": "file states revenue 2.75, imported rows sum to 1.75"}
