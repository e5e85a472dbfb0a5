"""DDEX DSR flat files: structure, allocation, escapes, ragged rows, multi-file, FOOT checks."""
from __future__ import annotations

from decimal import Decimal

import pytest

from models.sales.dsr.records import heading, multi, split_line, unescape
from models.sales.errors import SalesFileError
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
    assert res.totals_check["status"] == "MATCH"
    assert res.declared_totals["revenue"] == {"NOK": "100", "SEK": "10"}
    assert [(r["currency"], r["declared"], r["imported"]) for r in res.totals_check["revenue"]] == [
        ("NOK", "100", "100"), ("SEK", "10", "10")]
    assert res.declared_totals["declared_in"] == ["SY01.02 NetRevenue (2 records)"]


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
        assert p.result.totals_check["status"] == "MATCH"         # a part checks its own FOOT counts only
        assert "revenue" not in {c["name"] for c in p.result.totals_check.get("counts", [])}
    declared = [p.result.declared_totals for p in parts]
    assert declared[0]["message"] == declared[1]["message"] == "PADPIDA0000000001A:MSG-2"
    assert [d["report_counts"]["blocks_in_report"] for d in declared] == [
        {"declared": 2, "found": 1}, {"declared": 2, "found": 1}]   # summed over the parts later
    assert [d["report_counts"]["usages"]["found"] for d in declared] == [1, 3]


def test_foot_mismatch_is_a_mismatch_not_a_failure(tmp_path, run, fixtures):
    text = (fixtures / SINGLE).read_text().replace("FOOT\t16\t16\t2\t2\t2", "FOOT\t17\t17\t2\t5\t9")
    p = tmp_path / SINGLE
    p.write_text(text)
    r = run(p)
    assert r.result.rows == 4
    check = r.result.totals_check
    assert check["status"] == "MISMATCH"
    assert "lines_in_file: declared 17, found 16" in check["message"]
    assert "blocks_in_file: declared 5, found 2" in check["message"]
    assert "blocks_in_report: declared 9, found 2" in check["message"]
    assert all(r["match"] for r in check["revenue"])            # the money itself matches


def test_header_and_summary_only_means_no_sales(tmp_path, run, fixtures):
    lines = [ln for ln in (fixtures / SINGLE).read_text().splitlines()
             if ln.split("\t")[0] in {"HEAD", "SY01.02"}] + ["FOOT\t4\t4\t2\t0\t0"]
    p = tmp_path / "DSR_x_y_z_2025-06_NO_1of1_20250702T100000.tsv"
    p.write_text("\n".join(lines) + "\n")
    r = run(p)
    assert r.result.rows == 0
    check = r.result.totals_check        # the summaries still state 100 NOK and 10 SEK
    assert check["status"] == "MISMATCH"
    assert [(x["currency"], x["declared"], x["imported"]) for x in check["revenue"]] == [
        ("NOK", "100", "0"), ("SEK", "10", "0")]
    assert r.result.declared_totals["imported_from"] == ["no sale lines"]


def test_unknown_summary_reference_is_a_bad_row(tmp_path, run, fixtures):
    text = (fixtures / SINGLE).read_text().replace("SU02.02\t2\tS2\t", "SU02.02\t2\tS9\t")
    p = tmp_path / SINGLE
    p.write_text(text)
    r = run(p)
    assert (r.result.rows, r.result.bad_rows) == (3, 1)
    assert r.result.bad_samples == [{"line": 14, "reason": "unknown SummaryRecordId 'S9'"}]


def test_revenue_out_of_the_amount_range_is_a_bad_row(tmp_path, run, fixtures):
    """A summary NetRevenue whose allocated lines do not fit DECIMAL(38,18) (21+ integer
    digits): those lines are bad rows with the value, the rest is imported (Arrow refused the
    whole batch before)."""
    text = (fixtures / SINGLE).read_text().replace("SEK\t10\t0", "SEK\t1" + "0" * 24 + "\t0")
    p = tmp_path / SINGLE
    p.write_text(text)
    r = run(p)
    assert (r.result.rows, r.result.bad_rows) == (3, 1)
    [bad] = r.result.bad_samples
    assert bad["line"] == 14 and bad["reason"].startswith("NetRevenue 1000000000000000000000000")
    assert bad["reason"].endswith("is out of range")


def test_splitter():
    cells = split_line("AS01\t1\ta\\\tb\tX\\|Y|Z\\\\|W")
    assert cells[:3] == ["AS01", "1", "a\\\tb"]
    assert unescape(cells[2]) == "a\tb"
    assert multi(cells[3]) == ["X|Y", "Z\\", "W"]


SAMPLES = SHARED / "samples" / "sales" / "dsr"


def _write(tmp_path, name: str, lines: list[str]):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


HEAD = ("HEAD\tdsrf/1.1/1.4.1/1.3\tBasicAudioProfile\t1.3\tMSG-9\t2025-07-02T10:00:00Z\t1\t1\t2025-06-01\t"
        "2025-06-30\tPADPIDA0000000001A\tExample Streams\tExamplePremium")
BLOCK = ["RE01.02\t1\tR1\tD1\t\t\t012345678905\tThe Examples\t\tExample EP",
         "AS01\t1\tA1\tD1\tGBXYZ2400001\tFirst Song\t\tThe Examples",
         "SU02.02\t1\tS1\tT1\tR1\tA1\tTRUE\t5",
         "SU02.02\t1\tS1\tT2\tR1\tA1\tTRUE\t5"]
NAME = "DSR_A_B_ExamplePremium_2025-06_NO_1of1_20250702T100000.tsv"


def test_repeated_summary_record_ids_are_all_read(tmp_path, run):
    """Two records with id S1 (as YouTube's SY02.01 per rights controller): both are declared,
    and lines naming S1 share their combined NetRevenue over their combined usages."""
    p = _write(tmp_path, NAME, [
        HEAD, "SY01.02\tS1\tX\t\tSubscriptionModel\tOnDemandStream\tNO\tPremium\t4\t\tNOK\t60.00",
        "SY01.02\tS1\tX\t\tSubscriptionModel\tOnDemandStream\tNO\tPremium\t6\t\tNOK\t40.00",
        *BLOCK, "FOOT\t8\t8\t2\t1\t1"])
    r = run(p)
    assert r.result.warnings == []
    assert [x["revenue"] for x in r.rows] == [Decimal("50"), Decimal("50")]
    assert r.result.declared_totals["revenue"] == {"NOK": "100"}
    assert r.result.declared_totals["declared_in"] == ["SY01.02 NetRevenue (2 records)"]
    assert r.result.totals_check["status"] == "MATCH"
    counts = {c["name"]: (c["declared"], c["found"]) for c in r.result.totals_check["counts"]}
    assert counts == {"lines_in_file": (8, 8), "summary_records": (2, 2), "blocks_in_file": (1, 1),
                      "lines_in_report": (8, 8), "blocks_in_report": (1, 1), "usages": (10, 10)}


def test_repeated_id_in_two_currencies_cannot_be_allocated(tmp_path, run):
    p = _write(tmp_path, NAME, [
        HEAD, "SY01.02\tS1\tX\t\tSubscriptionModel\tOnDemandStream\tNO\tPremium\t4\t\tNOK\t60",
        "SY01.02\tS1\tX\t\tSubscriptionModel\tOnDemandStream\tSE\tPremium\t6\t\tSEK\t40",
        *BLOCK, "FOOT\t8\t8\t2\t1\t1"])
    r = run(p, max_bad_share=1.0)
    assert (r.result.rows, r.result.bad_rows) == (0, 2)
    assert "names summary records in several currencies" in r.result.bad_samples[0]["reason"]
    assert r.result.declared_totals["revenue"] == {"NOK": "60", "SEK": "40"}
    assert r.result.totals_check["status"] == "MISMATCH"


@pytest.mark.parametrize("summary, heading", [
    # SY03 (built-in cells: the SY02 pattern)
    ("SY03.01\tS1\tX\t\tAdSupportedModel\tStream\tNO\tFree\t10\t\tNOK\t100", None),
    # SY04 subscription minima, named by the file's own heading row (CurrencyOfReporting, UsagesInSubPeriod)
    ("SY04.01\tS1\tPremium\tNO\t10\tNOK\t100",
     "#SY04.01\tSummaryRecordId\tSubscriberType\tTerritory\tUsagesInSubPeriod\tCurrencyOfReporting\tNetRevenue"),
    # SY05 (built-in cells: the SY01 pattern with a SubscriberType)
    ("SY05.02\tS1\tX\t\tSubscriptionModel\tOnDemandStream\tNO\tPremium\tFamily\t10\t\tNOK\t100", None),
])
def test_summary_families_sy03_to_sy05(tmp_path, run, summary, heading):
    lines = [HEAD] + ([heading] if heading else []) + [summary, *BLOCK]
    p = _write(tmp_path, NAME, lines + [f"FOOT\t{len(lines) + 1}\t{len(lines) + 1}\t1\t1\t1"])
    r = run(p)
    assert [x["revenue"] for x in r.rows] == [Decimal("50"), Decimal("50")]
    assert {(x["currency"], x["territory"]) for x in r.rows} == {("NOK", "NO")}
    assert r.result.declared_totals["revenue"] == {"NOK": "100"}
    assert r.result.totals_check["status"] == "MATCH", r.result.totals_check["message"]


def test_heading_rows():
    assert heading(["#SY01.02", "SummaryRecordId", "TotalUsages", "CurrencyOfReporting"]) == (
        "SY01.02", ("SummaryRecordId", "Usages", "Currency"))
    assert heading(["#AS01", "BlockId", "ResourceReference"]) is None      # only summary headings


SAMPLES = SHARED / "samples" / "sales" / "dsr"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="reference samples not available")


def _sample(pattern: str):
    return next(SAMPLES.glob(pattern))


def _figures(result) -> dict:
    check = result.totals_check
    return {"status": check["status"],
            "revenue": [(x["currency"], x["declared"], x["imported"]) for x in check.get("revenue", [])],
            "counts": {c["name"]: (c["declared"], c["found"]) for c in check.get("counts", [])
                       if not c["match"]}}


@needs_samples
def test_orfium_basic_audio_matches_its_summary(run):
    orfium = run(_sample("orfium__*UnlimitedMusicMonthly*.tsv"))
    assert orfium.result.rows == 15
    assert sum(orfium.table["revenue"].to_pylist()) == Decimal("5000.00")
    assert _figures(orfium.result) == {"status": "MATCH", "revenue": [("GBP", "5000", "5000")], "counts": {}}


@needs_samples
def test_orfium_adfunded_declares_more_than_its_lines(run):
    """SY02.03 states 10 EUR for 100 usages; the 3 lines hold 1 usage each, so 0.30 EUR is
    imported; FOOT's NumberOfBlocksInReport (94) is wrong (3 blocks)."""
    adfunded = run(_sample("orfium__*AdFunded*.tsv"))
    assert _figures(adfunded.result) == {
        "status": "MISMATCH", "revenue": [("EUR", "10", "0.3")],
        "counts": {"blocks_in_report": (94, 3), "usages": (100, 3)}}


@needs_samples
def test_adfunded_exchange_rate_is_a_file_stated_rate(run):
    """SY02.03 ExchangeRateBaseCurrency GBP, ExchangeRate 0.87: 1 GBP = 0.87 EUR, so EUR lines
    convert to a GBP base at 1/0.87 (`file (inverse)`)."""
    r = run(_sample("orfium__*AdFunded*.tsv"), base_currency="GBP")
    assert r.result.conversion["complete"] is True
    assert r.result.conversion["rates"] == [{"from": "EUR", "to": "GBP", "month": "2015-08",
                                            "rate": "1.149425287356321839", "source": "file (inverse)",
                                            "rows": 3}]
    assert [x["revenue_converted"] for x in r.rows] == [Decimal("0.114942528735632184")] * 3


@needs_samples
def test_youtube_dsr_test_states_more_than_any_reading_of_its_lines(run):
    """DSR_TEST: 4 SY02.01 records (all SummaryRecordId 1) state 15,763.58 USD. Every line is
    read (6 SU03.01 with their own NetRevenue = 7.00 USD); no money cell of the lines reaches the
    declared sum (LI01.01 AllocatedNetRevenue 1.16, AllocatedAmount 198.88), so it is a MISMATCH."""
    path = _sample("ddexnet-dsrf__DSR_TEST_YouTube*.tsv")
    youtube = run(path)
    cells = [line.split("\t") for line in path.read_text().splitlines()]
    su03 = [c for c in cells if c[0] == "SU03.01"]
    li01 = [c for c in cells if c[0] == "LI01.01"]
    assert youtube.result.rows == len(su03) == 6 and youtube.result.bad_rows == 0
    assert sum(Decimal(c[6]) for c in su03) == Decimal("7.00")
    assert (sum(Decimal(c[8]) for c in li01), sum(Decimal(c[9]) for c in li01)) == (Decimal("1.16"), Decimal("198.88"))
    assert youtube.result.currency == "USD" and youtube.rows[0]["isrc"] == "USSM19803037"
    assert youtube.result.warnings == []                        # no "repeated SummaryRecordId"
    declared = youtube.result.declared_totals
    assert declared["revenue"] == {"USD": "15763.58"}
    assert declared["declared_in"] == ["SY02.01 NetRevenue (4 records)"]
    assert declared["imported_from"] == ["SU03.01 NetRevenue"]
    assert _figures(youtube.result) == {"status": "MISMATCH", "revenue": [("USD", "15763.58", "7")],
                                        "counts": {"usages": (27059772, 10210)}}


@needs_samples
def test_youtube_dsr_test2_also_misses_a_line_its_foot_counts(run):
    test2 = run(_sample("ddexnet-dsrf__DSR_TEST2_YouTube*.tsv"))
    assert _figures(test2.result) == {
        "status": "MISMATCH", "revenue": [("USD", "15763.58", "7")],
        "counts": {"lines_in_file": (35, 34), "lines_in_report": (35, 34), "usages": (27059772, 10210)}}


@needs_samples
def test_ddexnet_fragments(run):
    for part in sorted(SAMPLES.glob("*of2*.tsv")):
        r = run(part)
        assert r.result.number_of_files == 2 and r.result.rows == 0
        assert r.result.declared_totals["counts"] == {"lines_in_file": {"declared": 123, "found": 7}}
    with pytest.raises(SalesFileError):                         # FHEA/FFOO: not a DSR HEAD
        run(_sample("ddexnet-dsrf__test_file_parser.tsv"))


@pytest.mark.parametrize("text", ["-1e999123", "1E+999999999", "1e30", "1" * 31, "1.5", "NaN", "x"])
def test_a_count_no_file_could_hold_is_unreadable(text):
    """A count cell such as `-1e999123` (a FOOT found by hypothesis): int() of it would build a
    million-digit integer for minutes; it reads as an unreadable cell."""
    from models.sales.dsr.summaries import integer

    assert integer(text) is None


@pytest.mark.parametrize("text, value", [("12", 12), ("1e3", 1000), ("9" * 30, int("9" * 30)), ("-4.0", -4)])
def test_counts_are_read(text, value):
    from models.sales.dsr.summaries import integer

    assert integer(text) == value


def test_a_foot_stating_a_huge_exponent_is_reported_not_hung(tmp_path):
    """The file hypothesis found: FOOT states `-1e999123` lines; the cleaning ends at once."""
    from models.sales.clean import CleanOptions, clean_file

    path = tmp_path / "DSR_PADPIDA2014999999Z_PADPIDA2014111801Y_AdSupport_2015-02_AU_2of2_20150723T092522.tsv"
    path.write_bytes(b"HEAD\tID1\tUgcProfile\t1.1\n#HEAD\tDescription\tNumberOfUsages\nSY03\tAdSupport\tBroadcast\tAU\n"
                     b"RE01\t1\tRL1\tof:66160ast\tAU\tAdSupport\t108552\nRE01\t1\tRL1\tof:6616065478244fd394695eccdc930bc1\n"
                     b"AS02\t1\tRES1\tof:9d01d0c0adff4124b33e56fe60c19092\tUSUM70600055\tLet M Get This Right\nFOOT\t-1e999123\n")
    try:
        clean_file(str(path), path.name, CleanOptions(max_bad_share=1.0), lambda batch: None)
    except SalesFileError:
        pass   # refusing the file is fine too: what matters is that it ends
