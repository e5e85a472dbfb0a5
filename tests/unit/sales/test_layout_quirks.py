"""Layout quirks at row level: Apple fiscal midpoint and trailers, TuneCore in-file conversion,
FUGA statement currency and product rows, Secretly net vs gross, mapping validation."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pyarrow as pa

from models.sales.layouts.apple import trailer_totals
from models.sales.layouts.derive import months_midpoint
from models.sales.layouts.validate import validate_mapping

LAYOUTS = Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "layouts"


def test_apple_midpoint_month():
    out = months_midpoint(pa.array(["12/28/2025", "08/31/2025", "06/29/2025", "bad"]),
                          pa.array(["01/31/2026", "10/04/2025", "08/02/2025", "01/01/2025"]), "%m/%d/%Y")
    assert out.to_pylist() == ["2026-01", "2025-09", "2025-07", ""]


def test_apple_trailers_and_mismatch_warning(tmp_path, run):
    assert trailer_totals([[""], ["Total_Rows", "4"], ["Total_Amount", "1,200.50"], ["Total_Units", "17"]]) == \
        {"rows": "4", "revenue": "1200.5", "quantity": "17"}
    r = run(LAYOUTS / "apple-financial_85012345_0126_US.txt")
    assert r.result.footer_lines == 3 and r.result.totals_check["ok"] is True
    assert {row["sale_period"] for row in r.rows} == {"2026-01"}
    bad = tmp_path / "apple.txt"
    bad.write_bytes((LAYOUTS / "apple-financial_85012345_0126_US.txt").read_bytes().replace(b"1.46055", b"1.5"))
    check = run(bad).result.totals_check
    assert check["ok"] is False and check["declared"] == "1.5" and check["imported"] == "1.46055"
    assert "1.5" in check["warning"] and "1.46055" in check["warning"]


def test_tunecore_converted_from_the_file_not_the_upload_rate(run):
    r = run(LAYOUTS / "tunecore-sales.csv", exchange_rate=D("2"))
    rows = r.rows
    assert [x["revenue"] for x in rows] == [D("0.34"), D("0.142"), D("0.69")]
    assert [x["revenue_converted"] for x in rows] == [D("0.2686"), D("0.11218"), D("0.5451")]
    assert rows[0]["territory"] == "GB" and rows[0]["currency"] == "USD"


def test_other_layouts_use_the_upload_rate(run):
    r = run(LAYOUTS / "symphonic-report.csv", exchange_rate=D("0.5"))
    assert sum(x["revenue_converted"] for x in r.rows) == (D("0.905312") + D("0.000007") - D("0.062356")) / 2


def test_fuga_currency_from_calculation_and_product_rows(run):
    rows = run(LAYOUTS / "fuga-royalty_extended.csv").rows
    assert [x["currency"] for x in rows] == ["GBP", "GBP", "GBP"]        # 2nd row: Currency=USD, amount in £
    product = rows[2]
    assert product["isrc"] is None and product["track_title"] is None
    assert product["release_title"] == "Lanterns" and product["artist"] == "Aurora Vale"


def test_secretly_revenue_is_net_and_sale_month_from_invoice(run):
    rows = run(LAYOUTS / "secretly-digital.csv").rows
    assert [x["revenue"] for x in rows] == [D("0.034"), D("0.010455"), D("0.595")]
    assert {x["sale_period"] for x in rows} == {"2025-05"} and {x["statement_period"] for x in rows} == {"2025-07"}


def test_cdbaby_and_bandcamp_quirks(run):
    cd = run(LAYOUTS / "cdbaby-sales.txt").rows
    assert [x["upc"] for x in cd] == ["012345678905", "012345678905", "088000000015"]
    assert [x["sale_period"] for x in cd] == ["2025-08", "2025-08", "2025-09"] and cd[0]["isrc"] == "QZAB12500001"
    utf16 = run(LAYOUTS / "bandcamp-sales-utf16.csv")
    assert utf16.result.encoding == "utf-16-le"
    assert [(x["track_title"], x["release_title"]) for x in utf16.rows][:2] == [(None, "Lanterns"), ("North Light", None)]


def test_mapping_validation_reports_every_problem():
    _, problems = validate_mapping({"name": "", "columns": {"A": "revenue", "B": "colour"}, "required_headers": ["A"],
                                    "skip_top": -1, "date_format": "%Y"})
    fields = [p["field"] for p in problems]
    assert fields.count("columns.B") == 2 and {"name", "skip_top", "date_format"} <= set(fields)
    mapping, problems = validate_mapping({"name": "ok", "columns": {"Amount": "revenue", "When": "sale_period"},
                                          "default_currency": "rur"})
    assert problems == [] and mapping["default_currency"] == "RUB" and mapping["required_headers"] == ["Amount", "When"]
