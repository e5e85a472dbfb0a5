"""DDEX DSR flat files: structure, allocation, escapes, ragged rows, multi-file, FOOT checks."""
from __future__ import annotations

from decimal import Decimal

import pytest

from models.sales.dsr.records import multi, split_line, unescape
from tests.support.paths import SHARED

SINGLE = "DSR_PADPIDA0000000002B_PADPIDA0000000001A_ExamplePremium_2025-06_NO_1of1_20250702T100000.tsv"
MULTI = "DSR_PADPIDA0000000002B_PADPIDA0000000001A_ExampleFree_2025-05_FR_{}of2_20250702T100000.tsv"


def test_single_file_pro_rata_allocation_is_exact(run, fixtures):
    r = run(fixtures / SINGLE)
    res = r.result
    assert res.layout == "ddex-dsr" and res.reporting_period == "2025-06"
    assert (res.file_number, res.number_of_files) == (1, 1)
    assert res.rows == 4 and res.bad_rows == 0
    rows = r.rows
    nok = [x for x in rows if x["currency"] == "NOK"]
    assert [x["quantity"] for x in nok] == [3, 2, 2]
    # 100 × 3/7, 100 × 2/7 truncated to 18 places; the last line takes the remainder
    assert [x["revenue"] for x in nok] == [Decimal("42.857142857142857142"), Decimal("28.571428571428571428"),
                                         Decimal("28.571428571428571430")]
    assert sum(x["revenue"] for x in nok) == Decimal("100")
    sek = [x for x in rows if x["currency"] == "SEK"]
    assert [(x["territory"], x["revenue"]) for x in sek] == [("SE", Decimal("10"))]
    assert {x["territory"] for x in nok} == {"NO"}
    assert {x["dsp"] for x in rows} == {"Example Streams"}
    assert {x["sale_period"] for x in rows} == {"2025-06"}
    assert res.currency is None                               # NOK and SEK summaries
    assert res.totals_check["ok"] is True
    assert res.declared_totals["revenue"] == "110" and res.totals_check["imported"]["revenue"] == "110"


def test_escapes_multivalues_and_ragged_rows(run, fixtures):
    rows = run(fixtures / SINGLE).rows
    first = rows[0]
    assert first["track_title"] == "Tab\tand | pipe"            # `\<TAB>` and `\|` escapes
    assert first["isrc"] == "GBXYZ2400001"                       # first of the `|` multi-value ISRCs
    assert first["artist"] == "The Examples" and first["release_title"] == "Example EP"
    assert first["upc"] == "012345678905" and first["usage_type"] == "OnDemandStream"
    assert rows[1]["usage_type"] == "ProgrammedContentStream"   # SU row shorter than its definition (padded)
    assert rows[2]["track_title"] == "Third Song"                # AS row longer than its definition (trimmed)
    assert rows[2]["upc"] == "198765432102"                      # references are local to the block
    assert [x["line"] for x in rows] == [9, 10, 13, 14]


def test_multi_file_report_each_file_alone(run, fixtures):
    parts = [run(fixtures / MULTI.format(n)) for n in (1, 2)]
    assert [(p.result.file_number, p.result.number_of_files) for p in parts] == [(1, 2), (2, 2)]
    revenues = [p.table["revenue"].to_pylist() for p in parts]
    assert revenues == [[Decimal("0.25")], [Decimal("0.75")]]
    assert sum(v for rs in revenues for v in rs) == Decimal("1.00")
    for p in parts:
        assert p.result.reporting_period == "2025-05" and p.result.currency == "EUR"
        assert p.result.totals_check["ok"] is True                # blocks-in-report not checked per file


def test_foot_mismatch_is_a_warning_not_a_failure(tmp_path, run, fixtures):
    text = (fixtures / SINGLE).read_text().replace("FOOT\t16\t16\t2\t2\t2", "FOOT\t17\t17\t2\t5\t9")
    p = tmp_path / SINGLE
    p.write_text(text)
    r = run(p)
    assert r.result.rows == 4
    check = r.result.totals_check
    assert check["ok"] is False
    assert "lines_in_file: FOOT states 17, file has 16" in check["warning"]
    assert "blocks_in_file: FOOT states 5, file has 2" in check["warning"]
    assert "blocks_in_report: FOOT states 9" in check["warning"]


def test_header_and_summary_only_means_no_sales(tmp_path, run, fixtures):
    lines = [ln for ln in (fixtures / SINGLE).read_text().splitlines()
             if ln.split("\t")[0] in {"HEAD", "SY01.02"}] + ["FOOT\t4\t4\t2\t0\t0"]
    p = tmp_path / "DSR_x_y_z_2025-06_NO_1of1_20250702T100000.tsv"
    p.write_text("\n".join(lines) + "\n")
    r = run(p)
    assert r.result.rows == 0 and r.result.totals_check["ok"] is True


def test_unknown_summary_reference_is_a_bad_row(tmp_path, run, fixtures):
    text = (fixtures / SINGLE).read_text().replace("SU02.02\t2\tS2\t", "SU02.02\t2\tS9\t")
    p = tmp_path / SINGLE
    p.write_text(text)
    r = run(p)
    assert (r.result.rows, r.result.bad_rows) == (3, 1)
    assert r.result.bad_samples == [{"line": 14, "reason": "unknown SummaryRecordId 'S9'"}]


def test_splitter():
    cells = split_line("AS01\t1\ta\\\tb\tX\\|Y|Z\\\\|W")
    assert cells[:3] == ["AS01", "1", "a\\\tb"]
    assert unescape(cells[2]) == "a\tb"
    assert multi(cells[3]) == ["X|Y", "Z\\", "W"]


SAMPLES = SHARED / "samples" / "sales" / "dsr"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="reference samples not available")
def test_public_dsr_samples_parse(run):
    orfium = run(next(SAMPLES.glob("orfium__*UnlimitedMusicMonthly*.tsv")))
    assert orfium.result.rows == 15 and orfium.result.totals_check["ok"] is True
    assert sum(orfium.table["revenue"].to_pylist()) == Decimal("5000.00")
    adfunded = run(next(SAMPLES.glob("orfium__*AdFunded*.tsv")))
    assert adfunded.result.totals_check["ok"] is False
    assert "blocks_in_report: FOOT states 94, file has 3" in adfunded.result.totals_check["warning"]
    youtube = run(next(SAMPLES.glob("ddexnet-dsrf__DSR_TEST_YouTube*.tsv")))
    assert youtube.result.rows == 6 and youtube.result.currency == "USD"
    assert youtube.rows[0]["isrc"] == "USSM19803037"
    for part in SAMPLES.glob("*of2*.tsv"):
        assert run(part).result.number_of_files == 2
