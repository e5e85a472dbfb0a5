"""Currencies and exchange rates end to end: every amount keeps its currency, conversions to the
organisation's base currency say which rates they used, and a missing rate is shown, not guessed."""
from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest

from tests.support.http import Api
from tests.support.paths import SHARED
from tests.support.sales import ingest, wait_terminal
from tests.support.stack import cli

HEADER = "statement_period,sale_period,dsp,territory,isrc,artist,track_title,release_title,quantity,currency,revenue\n"
MIXED = (HEADER
         + "2025-06,2025-06,Spotify,US,GBXYZ2400001,Aurora,One,EP,1000,USD,1000.10\n"
         + "2025-06,2025-06,Spotify,GB,GBXYZ2400002,Aurora,Two,EP,2000,GBP,2000.20\n"
         + "2025-06,2025-06,Deezer,FR,GBXYZ2400003,Borealis,Three,LP,40,EUR,40.0000001\n"
         + "2025-06,2025-06,Line,JP,GBXYZ2400004,Borealis,Four,LP,1000,JPY,1020\n").encode()
_names = itertools.count(1)


def fresh_org(stack, *options: str) -> Api:
    """An organisation of its own, so the summary holds only this test's files."""
    org = cli(stack.data_dir, "org", "create", f"Money Label {next(_names)}", *options)
    return Api(stack.url, org["token"])


async def add_rates(api: Api, *rates: tuple[str, str, str, str]) -> None:
    status, body, _ = await api.post("/api/exchange-rates/", json={"rates": [
        {"month": m, "from": f, "to": t, "rate": r} for m, f, t, r in rates]})
    assert status == 201, body


async def test_mixed_currency_file_keeps_exact_figures_per_currency(stack):
    api = fresh_org(stack)
    await add_rates(api, ("2025-06", "GBP", "USD", "1.25"), ("2025-06", "USD", "EUR", "0.5"),
                    ("2025-06", "JPY", "USD", "0.0065"))
    final = await ingest(api, "mixed.csv", MIXED)
    assert final["status"] == "FINALIZED", final
    # no single local total for four currencies; each currency exact
    assert final["total_local"] is None and final["currency"] is None
    assert {t["currency"]: D(t["revenue"]) for t in final["totals_by_currency"]} == \
        {"USD": D("1000.10"), "GBP": D("2000.20"), "EUR": D("40.0000001"), "JPY": D("1020")}
    # converted with the stated rates (EUR via the inverse of USD→EUR 0.5)
    expected = D("1000.10") + D("2000.20") * D("1.25") + D("40.0000001") * 2 + D("1020") * D("0.0065")
    assert D(final["total_converted"]) == expected and final["converted_complete"] is True
    conv = final["conversion"]
    assert conv["currency"] == "USD" and conv["complete"] and conv["missing"] == []
    used = {(r["from"], r["month"]): (r["rate"], r["source"]) for r in conv["rates"]}
    assert used == {("GBP", "2025-06"): ("1.25", "organisation"), ("EUR", "2025-06"): ("2", "organisation (inverse)"),
                    ("JPY", "2025-06"): ("0.0065", "organisation")}
    _, snap, _ = await api.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    artists = {(e["name"], e["currency"]): e for e in snap["byArtist"]}
    assert D(artists[("Aurora", "GBP")]["revenue"]) == D("2000.20")
    assert D(artists[("Aurora", "GBP")]["revenue_converted"]) == D("2500.25")
    assert snap["totals"]["revenue"] is None and len(snap["totals"]["by_currency"]) == 4
    _, summary, _ = await api.get("/api/sales/summary/")
    assert D(summary["total_gross"]) == expected and summary["currency"] == "USD"
    assert summary["total_gross_complete"] is True
    [june] = summary["by_period"]
    assert {c["currency"]: D(c["revenue"]) for c in june["by_currency"]}["JPY"] == D("1020")


async def test_missing_rate_marks_the_total_incomplete_and_names_the_pair(stack):
    api = fresh_org(stack, "--base-currency", "EUR")
    await add_rates(api, ("2025-06", "USD", "EUR", "0.9"))
    final = await ingest(api, "mixed-missing.csv", MIXED)
    assert final["status"] == "FINALIZED", final
    assert final["converted_complete"] is False and final["converted_currency"] == "EUR"
    missing = {(m["from"], m["month"]) for m in final["conversion"]["missing"]}
    assert missing == {("GBP", "2025-06"), ("JPY", "2025-06")}
    texts = [w["warning"] for w in final["warnings"] if "warning" in w]
    assert any("GBP→EUR" in t and "2025-06" in t for t in texts), texts
    assert any("JPY→EUR" in t for t in texts), texts
    # what could be converted is, and the per-currency figures stay exact
    assert D(final["total_converted"]) == D("1000.10") * D("0.9") + D("40.0000001")
    assert {t["currency"]: D(t["revenue"]) for t in final["totals_by_currency"]}["GBP"] == D("2000.20")
    _, summary, _ = await api.get("/api/sales/summary/")
    assert summary["total_gross_complete"] is False and summary["currency"] == "EUR"
    assert {(m["from"], m["month"]) for m in summary["missing_rates"]} == missing
    # a rate added later completes the summary without a reimport (the file says what it used)
    await add_rates(api, ("2025-06", "GBP", "EUR", "1.2"), ("2025-06", "EUR", "JPY", "160"))
    _, summary, _ = await api.get("/api/sales/summary/")
    assert summary["total_gross_complete"] is True and summary["missing_rates"] == []
    # GBP at 1.2; JPY at the inverse of EUR→JPY 160 (1/160 = 0.00625 exactly)
    assert D(summary["total_gross"]) == D(final["total_converted"]) + D("2000.20") * D("1.2") + D("1020") * D("0.00625")
    # and a reimport records the new rates in the file itself
    status, _, _ = await api.post(f"/api/files/salesfiles/{final['id']}/process/", json={"action": "reimport"})
    assert status == 202
    again = await wait_terminal(api, final["id"])
    assert again["status"] == "FINALIZED" and again["converted_complete"] is True


async def test_upload_exchange_rate_converts_the_file_currency(stack):
    api = fresh_org(stack)
    single = (HEADER + "2025-07,2025-07,Spotify,GB,GBXYZ2400002,Aurora,Two,EP,10,GBP,10.5\n"
              + "2025-07,2025-07,Spotify,IE,GBXYZ2400002,Aurora,Two,EP,5,GBP,0.000001\n").encode()
    final = await ingest(api, "gbp.csv", single, exchange_rate="1.3")
    assert final["status"] == "FINALIZED", final
    assert D(final["total_local"]) == D("10.500001") and final["currency"] == "GBP"
    assert D(final["total_converted"]) == D("10.500001") * D("1.3")
    [rate] = final["conversion"]["rates"]
    assert rate == {"from": "GBP", "to": "USD", "month": "2025-07", "rate": "1.3", "source": "exchange_rate", "rows": 2}


async def test_exchange_rates_route_validates_and_lists(stack):
    api = fresh_org(stack)
    status, body, _ = await api.post("/api/exchange-rates/", json={"month": "2025-13", "from": "DOLLARS", "to": "USD",
                                                                   "rate": "-1"})
    assert status == 400
    fields = {p["field"] for p in body["errors"]}
    assert {"month", "from", "rate"} <= fields
    status, body, _ = await api.post("/api/exchange-rates/", json={"month": "2025-06", "from": "gbp", "to": "USD",
                                                                   "rate": "1.27"})
    assert status == 201 and body["results"][0]["from"] == "GBP"
    status, body, _ = await api.get("/api/exchange-rates/?month=2025-06")
    assert status == 200 and body["base_currency"] == "USD"
    assert [(r["from"], r["to"], r["rate"]) for r in body["results"]] == [("GBP", "USD", "1.27")]


async def test_rates_import_cli_feeds_the_conversion(stack, tmp_path):
    org = cli(stack.data_dir, "org", "create", "Rates CSV Label", "--base-currency", "GBP")
    assert org["base_currency"] == "GBP"
    csv_file = tmp_path / "rates.csv"
    csv_file.write_text("month,from,to,rate\n2025-06,USD,GBP,0.8\n2025-06,EUR,GBP,0.85\n2025-06,JPY,GBP,0.005\n")
    assert cli(stack.data_dir, "rates", "import", str(csv_file), "--org", org["id"])["imported"] == 3
    api = Api(stack.url, org["token"])
    final = await ingest(api, "mixed-gbp.csv", MIXED)
    assert final["status"] == "FINALIZED", final
    assert final["converted_complete"] is True and final["converted_currency"] == "GBP"
    assert D(final["total_converted"]) == D("1000.10") * D("0.8") + D("2000.20") + D("40.0000001") * D("0.85") \
        + D("1020") * D("0.005")


DSR_ADFUNDED = next(iter(sorted((SHARED / "samples" / "sales" / "dsr").glob("*AdFunded*.tsv"))), None) \
    if (SHARED / "samples" / "sales" / "dsr").is_dir() else None


@pytest.mark.skipif(DSR_ADFUNDED is None, reason="../shared/samples/sales/dsr (AdFunded DSR sample) not present")
async def test_dsr_exchange_rate_stated_in_the_file_is_used(stack):
    api = fresh_org(stack, "--base-currency", "GBP")
    final = await ingest(api, DSR_ADFUNDED.name, DSR_ADFUNDED.read_bytes(), "TSV")
    assert final["status"] == "FINALIZED", final
    # SY02.03: Currency EUR, ExchangeRateBaseCurrency GBP, ExchangeRate 0.87 (1 GBP = 0.87 EUR)
    [rate] = final["conversion"]["rates"]
    assert rate["from"] == "EUR" and rate["to"] == "GBP" and rate["source"] == "file (inverse)"
    assert final["converted_complete"] is True
    assert rate["rate"] == "1.149425287356321839"           # 1 / 0.87 at 18 places
    assert abs(D(final["total_converted"]) - D(final["total_local"]) / D("0.87")) < D("1e-15")
