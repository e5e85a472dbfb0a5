"""XLSX via python-calamine: the sheet that looks like sales is picked (workbook built by hand)."""
from __future__ import annotations

from decimal import Decimal

from tests.support.xlsx import write_xlsx


def test_xlsx_picks_sales_sheet(tmp_path, run):
    p = tmp_path / "statement.xlsx"
    write_xlsx(p, {
        "Summary": [["Statement", "June"], ["Total", 3.5]],
        "Masters": [["Example Label statement"],
                    ["sale_period", "dsp", "territory", "upc", "quantity", "currency", "revenue", "track_title"],
                    ["2025-06", "Spotify", "GB", 12345678905, 3, "GBP", 1.25, "One"],
                    ["2025-06", "Deezer", "FRA", 12345678905, 2, "EUR", 2.25, "Two"],
                    ["Total", "", "", "", 5, "", 3.5, ""]],
    })
    r = run(p)
    assert r.result.layout == "tributary-generic" and r.result.header_line == 2 and r.result.footer_lines == 1
    rows = r.rows
    assert [x["revenue"] for x in rows] == [Decimal("1.25"), Decimal("2.25")]
    assert [x["upc"] for x in rows] == ["012345678905", "012345678905"]     # leading zero lost as a number
    assert [x["line"] for x in rows] == [3, 4] and rows[1]["territory"] == "FR"


def test_xlsx_without_sales_sheet_is_unknown_layout(tmp_path):
    import pytest

    from models.sales.clean import CleanOptions, clean_file
    from models.sales.errors import SalesFileError
    p = tmp_path / "other.xlsx"
    write_xlsx(p, {"Sheet1": [["Name", "Age"], ["x", 3]]})
    with pytest.raises(SalesFileError) as exc:
        clean_file(str(p), p.name, CleanOptions(), lambda b: None)
    assert exc.value.cause == "UNKNOWN_LAYOUT" and "Name" in exc.value.message
