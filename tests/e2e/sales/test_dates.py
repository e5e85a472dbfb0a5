"""Day-first or month-first, decided per file and never silently (HTTP → Kafka → agent → store)."""
from __future__ import annotations

from tests.e2e.sales.test_money import fresh_org
from tests.support.http import Api
from tests.support.sales import ingest, wait_terminal

HEADER = "sale_period,dsp,territory,isrc,artist,track_title,quantity,currency,revenue\n"


def dated(*dates: str) -> bytes:
    """One line per date; the artist names the first date, so files reading to the same months
    are still different statements (not DUPLICATEs of each other)."""
    tag = f"{dates[0]}-{len(dates)}"
    return (HEADER + "".join(f"{d},Spotify,FR,GBXYZ24000{i % 100:02d},Aurora {tag},Song {i},1,EUR,1.{i}\n"
                             for i, d in enumerate(dates, 1))).encode()


def periods(final: dict) -> str:
    return final["reporting_period"]


async def test_a_day_above_12_makes_the_whole_file_day_first(api: Api):
    # 01/06 and 02/06 alone are ambiguous; 15/06 settles it: June, with no warning
    final = await ingest(api, "eu.csv", dated("01/06/2025", "02/06/2025", "15/06/2025"))
    assert final["status"] == "FINALIZED", final
    assert final["date_order"]["order"] == "DMY" and final["date_order"]["source"] == "rows"
    assert final["reporting_period"] == "2025-06"
    assert not [w for w in final["warnings"] if "day-first" in w.get("warning", "")]


async def test_day_first_evidence_late_in_a_large_file_restarts_the_reading(api: Api):
    # the day above 12 comes after more than one batch of ambiguous dates
    dates = ["03/06/2025"] * 60_000 + ["25/06/2025"]
    final = await ingest(api, "eu-late.csv", dated(*dates))
    assert final["status"] == "FINALIZED", final
    assert final["date_order"] == {"order": "DMY", "source": "rows", "ambiguous_dates": 1,
                                   "ambiguous_examples": ["03/06/2025"]}
    status, snap, _ = await api.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    assert {e["period"] for e in snap["byCurrency"]} == {"2025-06"}


async def test_a_second_number_above_12_makes_it_month_first(api: Api):
    final = await ingest(api, "us.csv", dated("06/01/2025", "06/02/2025", "06/30/2025"))
    assert final["status"] == "FINALIZED", final
    assert final["date_order"]["order"] == "MDY" and final["date_order"]["source"] == "rows"
    assert final["reporting_period"] == "2025-06"


async def test_ambiguous_dates_import_with_a_warning_saying_how_to_change_it(api: Api):
    final = await ingest(api, "ambiguous.csv", dated("01/06/2025", "02/06/2025"))
    assert final["status"] == "FINALIZED", final
    assert final["date_order"]["source"] == "default" and final["date_order"]["order"] == "MDY"
    [text] = [w["warning"] for w in final["warnings"] if "month-first" in w.get("warning", "")]
    assert "'01/06/2025'" in text and '"date_order": "DMY"' in text and "organisation" in text
    assert final["reporting_period"] == "2025-01"
    # the request's date_order changes the reading on a reimport
    status, body, _ = await api.post(f"/api/files/salesfiles/{final['id']}/process/",
                                     json={"action": "reimport", "date_order": "DMY"})
    assert status == 202, body
    again = await wait_terminal(api, final["id"])
    assert again["status"] == "FINALIZED", again
    assert again["date_order"]["order"] == "DMY" and again["date_order"]["source"] == "request"
    assert again["reporting_period"] == "2025-06"
    assert not [w for w in again["warnings"] if "date_order" in w.get("warning", "")]


async def test_bad_date_order_on_the_request_is_400(api: Api):
    final = await ingest(api, "ambiguous-2.csv", dated("03/04/2025"))
    status, body, _ = await api.post(f"/api/files/salesfiles/{final['id']}/process/",
                                     json={"action": "reimport", "date_order": "YMD-ish"})
    assert status == 400 and body["errors"] == [{"field": "date_order", "problem": "must be DMY or MDY"}]


async def test_the_organisation_locale_decides_and_still_warns(stack):
    api = fresh_org(stack, "--locale", "de_DE")
    final = await ingest(api, "de.csv", dated("01/06/2025", "02/06/2025"))
    assert final["status"] == "FINALIZED", final
    assert final["date_order"]["order"] == "DMY" and final["date_order"]["source"] == "organisation"
    assert final["reporting_period"] == "2025-06"
    assert any("organisation" in w.get("warning", "") and "day-first" in w.get("warning", "")
               for w in final["warnings"])
    # the setting can be changed over HTTP too
    status, body, _ = await api.call("PATCH", "/api/organisation/settings/", json={"date_order": "MDY"})
    assert status == 200 and body["date_order"] == "MDY"
    again = await ingest(api, "de-2.csv", dated("01/06/2025", "02/06/2025", "01/06/2025"))
    assert again["date_order"]["order"] == "MDY" and again["reporting_period"] == "2025-01"
