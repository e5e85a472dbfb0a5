"""Analytics over HTTP: exact figures per grouping from DuckDB over the imported Parquet, base
currency conversion (stored at import or the organisation's rate added since), voided and
duplicate files left out, filters, top/others, rows paging, CSV, and bad input as 400."""
from __future__ import annotations

import asyncio
import csv
import io

from tests.e2e.analytics.conftest import JUNE, add_rate, new_label
from tests.support.sales import ingest

TOTALS = {"quantity": 232, "revenue": [{"currency": "EUR", "amount": "13.875"},
                                       {"currency": "USD", "amount": "29.500000000000000001"}],
          "revenue_converted": "39.475000000000000001", "converted_complete": True}
RATES = [{"from": "USD", "to": "EUR", "month": "2025-05", "rate": "0.9", "source": "organisation"},
         {"from": "USD", "to": "EUR", "month": "2025-06", "rate": "0.8", "source": "organisation"}]


def fig(quantity: int, eur: str | None, usd: str | None, converted: str, key=None, label=None) -> dict:
    revenue = [{"currency": c, "amount": a} for c, a in (("EUR", eur), ("USD", usd)) if a]
    out = {"quantity": quantity, "revenue": revenue, "revenue_converted": converted,
           "converted_complete": True}
    return out if key is None else {"key": key, "label": label or key, **out}


async def view(api, query: str) -> dict:
    status, body, _ = await api.get(f"/api/sales/analytics/?{query}")
    assert status == 200, body
    return body


async def test_by_sale_month(label):
    body = await view(label["api"], "group_by=month")
    assert body["rows"] == [fig(50, None, "20.000000000000000001", "18.000000000000000001", "2025-04"),
                            fig(135, "13.75", "1.5", "14.95", "2025-05"),
                            fig(47, "0.125", "8", "6.525", "2025-06")]
    assert body["others"] is None and body["totals"] == TOTALS
    assert body["base_currency"] == "EUR" and body["files"] == 2  # not the voided, not the duplicate
    assert body["rates"] == RATES and body["missing_rates"] == []
    assert body["from"] is None and body["to"] is None and body["group_by"] == "month"


async def test_by_statement_period_file_and_the_summary_agree(label):
    body = await view(label["api"], "group_by=period")
    assert body["rows"] == [fig(180, "13.75", "20.000000000000000001", "31.750000000000000001", "2025-05"),
                            fig(52, "0.125", "9.5", "7.725", "2025-06")]
    files = await view(label["api"], "group_by=file")
    may, june = label["may"], label["june"]
    assert files["rows"] == [
        fig(180, "13.75", "20.000000000000000001", "31.750000000000000001", str(may["id"]), may["filename"]),
        fig(52, "0.125", "9.5", "7.725", str(june["id"]), june["filename"])]
    _, summary, _ = await label["api"].get("/api/sales/summary/")
    assert summary["total_gross"] == files["totals"]["revenue_converted"] and summary["files"] == 2


async def test_rankings_by_dsp_territory_artist_track_release(label):
    api = label["api"]
    assert (await view(api, "group_by=dsp"))["rows"] == [
        fig(190, "10.5", "28.000000000000000001", "34.900000000000000001", "Spotify"),
        fig(42, "3.375", "1.5", "4.575", "Deezer")]
    assert (await view(api, "group_by=territory"))["rows"] == [
        fig(95, None, "29.500000000000000001", "25.600000000000000001", "US", "United States"),
        fig(130, "13.75", None, "13.75", "FR", "France"), fig(7, "0.125", None, "0.125", "DE", "Germany")]
    alpha = (135, "13.75", "1.5", "14.95")
    beta = (90, None, "28.000000000000000001", "24.400000000000000001")
    assert (await view(api, "group_by=artist"))["rows"] == [
        fig(*beta, "Beta"), fig(*alpha, "Alpha"), fig(7, "0.125", None, "0.125", "Gamma")]
    assert (await view(api, "group_by=track"))["rows"] == [
        fig(*beta, "FRAAA2500002", "Song Two — Beta"), fig(*alpha, "FRAAA2500001", "Song One — Alpha"),
        fig(7, "0.125", None, "0.125", "FRAAA2500003", "Song Three — Gamma")]
    assert (await view(api, "group_by=release"))["rows"] == [
        fig(97, "0.125", "28.000000000000000001", "24.525000000000000001", "012345678905", "Record B"),
        fig(*alpha, "036000291452", "Record A")]


async def test_top_and_others(label):
    body = await view(label["api"], "group_by=artist&top=1")
    assert [r["key"] for r in body["rows"]] == ["Beta"]
    assert body["others"] == fig(142, "13.875", "1.5", "15.075")
    assert body["totals"] == TOTALS
    months = await view(label["api"], "group_by=month&top=2")
    assert [r["key"] for r in months["rows"]] == ["2025-04", "2025-05"]
    assert months["others"] == fig(47, "0.125", "8", "6.525")


async def test_filters(label):
    api = label["api"]
    body = await view(api, "group_by=dsp&from=2025-05&to=2025-05")
    assert body["from"] == body["to"] == "2025-05"
    assert body["rows"] == [fig(100, "10.5", None, "10.5", "Spotify"), fig(35, "3.25", "1.5", "4.45", "Deezer")]
    assert body["rates"] == [RATES[1]] and body["files"] == 2  # line 6: statement 2025-06, sold 2025-05
    body = await view(api, "group_by=artist&date=period&from=2025-06")
    assert body["rows"] == [fig(40, None, "8", "6.4", "Beta"), fig(5, None, "1.5", "1.2", "Alpha"),
                            fig(7, "0.125", None, "0.125", "Gamma")]
    assert body["files"] == 1
    body = await view(api, "group_by=month&currency=usd")
    assert [(r["key"], r["revenue"], r["revenue_converted"]) for r in body["rows"]] == [
        ("2025-04", [{"currency": "USD", "amount": "20.000000000000000001"}], "18.000000000000000001"),
        ("2025-05", [{"currency": "USD", "amount": "1.5"}], "1.2"),
        ("2025-06", [{"currency": "USD", "amount": "8"}], "6.4")]
    for query, quantity in (("dsp=Deezer&territory=us", 5), ("isrc=FRAAA2500002", 90),
                            ("upc=036000291452", 135), ("month=2025-05", 135), ("period=2025-06", 52),
                            (f"file={label['may']['id']}", 180), ("artist=Nobody", 0)):
        body = await view(api, f"group_by=dsp&{query}")
        assert body["totals"]["quantity"] == quantity, (query, body)
    assert body["rows"] == [] and body["files"] == 0 and body["totals"]["revenue_converted"] == "0"


async def test_rows_paging(label):
    api = label["api"]
    status, first, _ = await api.get("/api/sales/analytics/rows/?dsp=Spotify&page_size=2")
    assert status == 200, first
    assert first["count"] == 3 and first["page"] == 1 and first["page_size"] == 2
    may = label["may"]["id"]
    assert first["results"] == [
        {"file_id": may, "line": 2, "sale_month": "2025-05", "period": "2025-05", "dsp": "Spotify",
         "territory": "FR", "artist": "Alpha", "track_title": "Song One", "isrc": "FRAAA2500001",
         "release_title": "Record A", "upc": "036000291452", "quantity": 100, "revenue": "10.5",
         "currency": "EUR"},
        {"file_id": may, "line": 3, "sale_month": "2025-04", "period": "2025-05", "dsp": "Spotify",
         "territory": "US", "artist": "Beta", "track_title": "Song Two", "isrc": "FRAAA2500002",
         "release_title": "Record B", "upc": "012345678905", "quantity": 50,
         "revenue": "20.000000000000000001", "currency": "USD"}]
    _, second, _ = await api.get("/api/sales/analytics/rows/?dsp=Spotify&page_size=2&page=2")
    assert second["count"] == 3 and [(r["file_id"], r["line"], r["revenue"]) for r in second["results"]] == \
        [(label["june"]["id"], 3, "8")]
    _, everything, _ = await api.get("/api/sales/analytics/rows/?page_size=100")
    assert everything["count"] == 6 and sum(r["quantity"] for r in everything["results"]) == 232


async def test_concurrent_views_answer_alike(label):
    """Requests at once each get their own DuckDB connection and the same exact figures."""
    answers = await asyncio.gather(*[view(label["api"], q) for q in ["group_by=dsp", "group_by=month"] * 4])
    assert all(a["totals"] == TOTALS for a in answers)
    assert len({str(a["rows"]) for a in answers}) == 2


async def test_csv(label):
    api = label["api"]
    status, body, headers = await api.get("/api/sales/analytics/?group_by=dsp&top=1&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv"), body
    assert "attachment" in headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(body.decode()))) == [
        ["key", "label", "quantity", "revenue_EUR", "revenue_USD", "revenue_converted_EUR", "converted_complete"],
        ["Spotify", "Spotify", "190", "10.5", "28.000000000000000001", "34.900000000000000001", "true"],
        ["", "(others)", "42", "3.375", "1.5", "4.575", "true"],
        ["", "(total)", "232", "13.875", "29.500000000000000001", "39.475000000000000001", "true"]]
    status, body, headers = await api.get("/api/sales/analytics/rows/?isrc=FRAAA2500002&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(body.decode())))
    assert lines[0][:3] == ["file_id", "line", "sale_month"] and len(lines) == 3
    assert [(line[12], line[13]) for line in lines[1:]] == [("20.000000000000000001", "USD"), ("8", "USD")]


async def test_missing_rate_listed_then_applied_once_added(stack):
    api = new_label(stack, "Analytics Late Rates")
    june = await ingest(api, "june.csv", JUNE)
    assert june["status"] == "FINALIZED" and june["converted_complete"] is False, june
    body = await view(api, "group_by=dsp")
    assert body["missing_rates"] == [{"from": "USD", "to": "EUR", "month": "2025-06", "rows": 2}]
    assert body["rates"] == [] and body["totals"]["converted_complete"] is False
    assert body["totals"]["revenue_converted"] == "0.125"
    assert [(r["key"], r["revenue_converted"], r["converted_complete"]) for r in body["rows"]] == \
        [("Deezer", "0.125", False), ("Spotify", "0", False)]  # ranked by what is converted
    await add_rate(api, "2025-06", "EUR", "USD", "1.25")  # the inverse: 1 USD = 0.8 EUR
    body = await view(api, "group_by=dsp")
    assert body["missing_rates"] == [] and body["totals"]["revenue_converted"] == "7.725"
    assert body["rates"] == [{"from": "USD", "to": "EUR", "month": "2025-06", "rate": "0.8",
                              "source": "organisation (inverse)"}]
    # a new base currency: the conversions stored at import (into EUR) no longer count
    status, _, _ = await api.call("PATCH", "/api/organisation/settings/", json={"base_currency": "USD"})
    assert status == 200
    body = await view(api, "group_by=dsp")
    assert body["base_currency"] == "USD" and body["missing_rates"] == []
    assert [(r["key"], r["revenue_converted"]) for r in body["rows"]] == [("Spotify", "8"), ("Deezer", "1.65625")]
    assert body["totals"]["revenue_converted"] == "9.65625" and body["totals"]["converted_complete"]
    assert body["rates"] == [{"from": "EUR", "to": "USD", "month": "2025-06", "rate": "1.25",
                              "source": "organisation"}]


async def test_bad_input_and_other_organisations(stack, label):
    for query, field in (("group_by=genre", "group_by"), ("group_by=dsp&from=2025-13", "from"),
                         ("group_by=dsp&from=2025-06&to=2025-05", "to"), ("group_by=dsp&top=0", "top"),
                         ("group_by=dsp&currency=EURO", "currency"), ("group_by=dsp&date=paid", "date"),
                         ("", "group_by")):
        status, body, headers = await label["api"].get(f"/api/sales/analytics/?{query}")
        assert status == 400 and headers["Content-Type"].startswith("application/problem+json"), body
        assert field in [e["field"] for e in body["errors"]], (query, body)
    status, body, _ = await label["api"].get("/api/sales/analytics/rows/?page=0")
    assert status == 400
    status, _, _ = await label["api"].get("/api/sales/analytics/?group_by=dsp",
                                          headers={"Authorization": "Bearer nope"})
    assert status == 401
    status, body, _ = await new_label(stack, "Analytics Empty").get("/api/sales/analytics/?group_by=dsp&dsp=Spotify&territory=FR"
                                          "&artist=Alpha&month=2025-05")
    assert status == 200 and body["files"] == 0 and body["totals"]["quantity"] == 0, body
