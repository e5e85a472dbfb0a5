"""Declared totals over HTTP → Kafka → agents → store: the YouTube DSR_TEST sample imports as a
MISMATCH with both figures, its currency and record types; with the organisation's
strict_totals a gap above TRIBUTARY_MAX_TOTAL_GAP fails the file (TOTALS_MISMATCH) while a
smaller one only warns; a multi-part DSR is PENDING_PARTS until its last part is in, then checked
once over all parts (and under strict_totals every part fails)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.http import Api
from tests.support.paths import SHARED
from tests.support.sales import ingest, wait_terminal
from tests.support.stack import cli
from tests.support.xlsx import write_xlsx

SAMPLES = SHARED / "samples" / "sales" / "dsr"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "sales"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="reference samples not available")


def new_org(stack, name: str) -> tuple[Api, dict]:
    org = cli(stack.data_dir, "org", "create", name)
    return Api(stack.url, org["token"]), org


def ugc_dsr(message: str, amounts: tuple[str, str]) -> bytes:
    """One SY02.01 stating 100.00 USD for 100 usages; two SU03.01 lines (60 + 40 usages) with
    their own NetRevenue."""
    lines = ["HEAD\tdsrf/30\tUGCProfile\t1.0\t" + message + "\t2025-07-02T10:00:00Z\t1\t1\t2025-06-01\t"
             "2025-06-30\tPADPIDA0000000001A\tExample Tube\tAdSupport",
             "SY02.01\t1\t\t\tAdvertisementSupportedModel\tStream\tNO\tAdSupport\t100\t\tUSD\t100.00",
             "AS01\t1\tA1\tA1\tGBXYZ2400001\tFirst Song\t\tThe Examples\t\tPT3M\tSoundRecording",
             f"SU03.01\t1\tU1\t1\tA1\t60\t{amounts[0]}\t20250601\t20250630",
             f"SU03.01\t1\tU2\t1\tA1\t40\t{amounts[1]}\t20250601\t20250630",
             "FOOT\t6\t6\t1\t1\t1"]
    return ("\n".join(lines) + "\n").encode()


def dsr_name(tag: str, part: str = "1of1") -> str:
    return f"DSR_PADPIDA0000000002B_PADPIDA0000000001A_{tag}_2025-06_NO_{part}_20250702T100000.tsv"


@needs_samples
async def test_youtube_dsr_test_is_a_mismatch_with_both_figures(stack):
    api, _ = new_org(stack, "Declared Totals YouTube")
    path = next(SAMPLES.glob("ddexnet-dsrf__DSR_TEST_YouTube*.tsv"))
    final = await ingest(api, path.name.split("__", 1)[1], path.read_bytes(), "TSV")
    assert final["status"] == "FINALIZED", final
    assert final["total_rows"] == 6 and Decimal(final["total_local"]) == Decimal("7.00")
    assert final["currency"] == "USD" and final["totals_check"] == "MISMATCH"
    totals = final["totals"]
    assert totals["revenue"] == [{"currency": "USD", "declared": "15763.58", "imported": "7",
                                  "gap": "-15756.58", "match": False}]
    assert totals["declared_in"] == ["SY02.01 NetRevenue (4 records)"]
    assert totals["imported_from"] == ["SU03.01 NetRevenue"]
    assert {c["name"]: (c["declared"], c["found"]) for c in totals["counts"]} == {
        "lines_in_file": (35, 35), "summary_records": (4, 4), "blocks_in_file": (3, 3),
        "lines_in_report": (35, 35), "blocks_in_report": (3, 3), "usages": (27059772, 10210)}
    first = final["warnings"][0]
    assert first["totals_check"] == "MISMATCH"
    assert "declared 15763.58" in first["warning"] and "imported 7" in first["warning"]
    assert "USD" in first["warning"] and "SY02.01" in first["warning"] and "SU03.01" in first["warning"]
    assert not any("repeated SummaryRecordId" in w["warning"] for w in final["warnings"])
    status, page, _ = await api.get("/api/files/salesfiles/?totals_check=MISMATCH")
    assert status == 200 and [r["id"] for r in page["results"]] == [final["id"]]


@needs_samples
async def test_orfium_basic_audio_sample_matches(stack):
    api, _ = new_org(stack, "Declared Totals Orfium")
    path = next(SAMPLES.glob("orfium__*UnlimitedMusicMonthly*.tsv"))
    final = await ingest(api, path.name.split("__", 1)[1], path.read_bytes(), "TSV")
    assert final["status"] == "FINALIZED" and final["totals_check"] == "MATCH", final
    assert final["totals"]["revenue"] == [{"currency": "GBP", "declared": "5000", "imported": "5000",
                                           "gap": "0", "match": True}]
    assert Decimal(final["total_local"]) == Decimal("5000.00")


@needs_samples
async def test_orfium_adfunded_sample_states_its_rate_and_more_than_its_lines(stack):
    org = cli(stack.data_dir, "org", "create", "Declared Totals AdFunded", "--base-currency", "GBP")
    api = Api(stack.url, org["token"])
    path = next(SAMPLES.glob("orfium__*AdFunded*.tsv"))
    final = await ingest(api, path.name.split("__", 1)[1], path.read_bytes(), "TSV")
    assert final["status"] == "FINALIZED" and final["totals_check"] == "MISMATCH", final
    assert final["totals"]["revenue"] == [{"currency": "EUR", "declared": "10", "imported": "0.3",
                                           "gap": "-9.7", "match": False}]
    bad = {c["name"]: (c["declared"], c["found"]) for c in final["totals"]["counts"] if not c["match"]}
    assert bad == {"blocks_in_report": (94, 3), "usages": (100, 3)}
    # SY02.03: ExchangeRateBaseCurrency GBP, ExchangeRate 0.87 (1 GBP = 0.87 EUR)
    assert final["conversion"]["complete"] is True
    assert [(r["from"], r["to"], r["rate"], r["source"]) for r in final["conversion"]["rates"]] == [
        ("EUR", "GBP", "1.149425287356321839", "file (inverse)")]
    assert Decimal(final["total_converted"]) == Decimal("0.344827586206896552")


async def test_strict_totals_fails_a_wide_gap_and_warns_on_a_narrow_one(stack):
    api, org = new_org(stack, "Declared Totals Strict")
    status, body, _ = await api.call("PATCH", "/api/organisation/settings/", json={"strict_totals": "maybe"})
    assert status == 400 and body["status"] == 400
    status, body, _ = await api.call("PATCH", "/api/organisation/settings/", json={"strict_totals": True})
    assert status == 200 and body["strict_totals"] is True, body
    _, body, _ = await api.get("/api/organisation/settings/")
    assert body["strict_totals"] is True
    _, spec, _ = await api.get("/api/openapi.json")        # typed in the contract
    patch = spec["paths"]["/api/organisation/settings/"]["patch"]["requestBody"]["content"]["application/json"]
    ref = patch["schema"]["$ref"].rsplit("/", 1)[-1]
    assert spec["components"]["schemas"][ref]["properties"]["strict_totals"]["anyOf"][0] == {"type": "boolean"}

    # 99.80 of 100.00 declared: a gap of 0.2 %, within TRIBUTARY_MAX_TOTAL_GAP (0.5 %)
    narrow = await ingest(api, dsr_name("Narrow"), ugc_dsr("MSG-N", ("59.90", "39.90")), "TSV")
    assert narrow["status"] == "FINALIZED" and narrow["totals_check"] == "MISMATCH", narrow
    assert narrow["totals"]["revenue"][0]["gap"] == "-0.2"

    # 80 of 100: refused, nothing counted
    wide = await ingest(api, dsr_name("Wide"), ugc_dsr("MSG-W", ("50.00", "30.00")), "TSV")
    assert wide["status"] == "FAILED" and wide["status_cause"] == "TOTALS_MISMATCH", wide
    assert "declared 100" in wide["error_message"] and "imported 80" in wide["error_message"]
    assert "USD" in wide["error_message"] and "0.5" in wide["error_message"]
    assert wide["totals_check"] == "MISMATCH"
    _, summary, _ = await api.get("/api/sales/summary/")
    assert summary["files"] == 1                       # only the narrow one

    # the CLI turns it off; a reimport then imports the file with the mismatch shown
    assert cli(stack.data_dir, "strict-totals", org["id"], "off")["strict_totals"] is False
    status, body, _ = await api.post(f"/api/files/salesfiles/{wide['id']}/process/",
                                     json={"action": "reimport"})
    assert status == 202, body
    again = await api.wait_for(f"/api/files/salesfiles/{wide['id']}/",
                               lambda b: b["status"] == "FINALIZED")
    assert again["status"] == "FINALIZED" and again["totals_check"] == "MISMATCH", again


async def _part(api: Api, path: Path, data: bytes | None = None) -> dict:
    final = await ingest(api, path.name, data if data is not None else path.read_bytes(), "TSV")
    assert final["status"] == "FINALIZED", final
    return final


async def test_multi_part_report_is_pending_then_checked_over_all_parts(stack):
    api, _ = new_org(stack, "Declared Totals Parts")
    one, two = sorted(FIXTURES.glob("DSR_*ExampleFree_2025-05_FR_*of2_*.tsv"))
    first = await _part(api, one)
    assert first["totals_check"] == "PENDING_PARTS"
    assert first["totals"]["parts"] == {"of": 2, "received": [1], "missing": [2]}
    second = await _part(api, two)
    views = [await api.wait_for(f"/api/files/salesfiles/{f['id']}/",
                                lambda b: b.get("totals_check") == "MATCH") for f in (first, second)]
    for view in views:
        totals = view["totals"]
        assert totals["revenue"] == [{"currency": "EUR", "declared": "1", "imported": "1", "gap": "0",
                                      "match": True}]
        assert totals["parts"]["received"] == [1, 2]
        assert sorted(totals["parts"]["files"]) == sorted([first["id"], second["id"]])
        counts = {c["name"]: (c["declared"], c["found"]) for c in totals["counts"]}
        assert counts["lines_in_report"] == (12, 12) and counts["blocks_in_report"] == (2, 2)
        assert counts["usages"] == (4, 4) and counts["part 2 lines_in_file"] == (6, 6)


async def test_multi_part_mismatch_under_strict_totals_fails_every_part(stack):
    api, _ = new_org(stack, "Declared Totals Strict Parts")
    status, _, _ = await api.call("PATCH", "/api/organisation/settings/", json={"strict_totals": True})
    assert status == 200
    one, two = sorted(FIXTURES.glob("DSR_*ExampleFree_2025-05_FR_*of2_*.tsv"))

    def doubled(path: Path) -> bytes:    # the summary states 8 usages: the lines' 4 get half of 1.00
        return path.read_bytes().replace(b"\tFree\t4\t", b"\tFree\t8\t").replace(b"MSG-2", b"MSG-8")

    first = await _part(api, one, doubled(one))
    assert first["totals_check"] == "PENDING_PARTS"          # strict applies once all parts are in
    second = await ingest(api, two.name, doubled(two), "TSV")
    views = [await api.wait_for(f"/api/files/salesfiles/{f['id']}/", lambda b: b["status"] == "FAILED")
             for f in (first, second)]
    for view in views:
        assert view["status_cause"] == "TOTALS_MISMATCH" and view["totals_check"] == "MISMATCH"
        assert view["totals"]["revenue"][0] == {"currency": "EUR", "declared": "1", "imported": "0.5",
                                                "gap": "-0.5", "match": False}
        assert "declared 1" in view["error_message"] and "imported 0.5" in view["error_message"]
    _, summary, _ = await api.get("/api/sales/summary/")
    assert summary["files"] == 0
    await wait_terminal(api, second["id"])


async def test_xlsx_total_row_is_checked(stack, tmp_path):
    api, _ = new_org(stack, "Declared Totals Workbook")
    header = ["sale_period", "dsp", "territory", "isrc", "artist", "track_title", "quantity", "currency",
              "revenue"]
    rows = [["2025-06", "Spotify", "GB", "GBXYZ2400001", "The Examples", "One", 10, "GBP", "1.25"],
            ["2025-06", "Deezer", "FR", "GBXYZ2400002", "The Examples", "Two", 3, "GBP", "0.5"]]
    path = tmp_path / "workbook.xlsx"
    write_xlsx(path, {"Sales": [header, *rows, ["Total", "", "", "", "", "", "", "", "2.75"]]})
    final = await ingest(api, "workbook.xlsx", path.read_bytes())
    assert final["status"] == "FINALIZED" and final["totals_check"] == "MISMATCH", final
    assert final["totals"]["revenue"] == [{"currency": "GBP", "declared": "2.75", "imported": "1.75",
                                           "gap": "-1", "match": False}]
    assert final["totals"]["declared_in"] == ["Total footer line"]
