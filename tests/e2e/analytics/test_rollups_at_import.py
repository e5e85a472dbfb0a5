"""Rollups built at import, over HTTP → Kafka → agent → store: once FINALIZED, an imported file's
stored record names every rollup kind (written just after FINALIZED, internal to the store:
the API's record does not change), each stored beside its Parquet
under the attempt's key; the views they serve
(top tracks over a range of sale months, the files behind an artist, ISRC or UPC) read them,
building nothing when asked, and answer exactly the sums of the rows behind them."""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal

from infra.analytics import build, rollup
from tests.e2e.analytics.conftest import JUNE, MAY, add_rate, new_label
from tests.support.sales import ingest
from tests.support.status import store


async def rolled_up(stack, api, file_id: int) -> dict:
    """The record once the store names its rollups (written right after FINALIZED), with them;
    the record a client reads stays as it was at FINALIZED."""
    status, final, _ = await api.get(f"/api/files/salesfiles/{file_id}/")
    assert status == 200 and final["status"] == "FINALIZED", final
    deadline = time.monotonic() + 60
    while True:
        with store(stack) as db:
            keys = (db.files.find_one({"_id": file_id}, {"rollups": 1}) or {}).get("rollups")
        if keys or time.monotonic() > deadline:
            status, record, _ = await api.get(f"/api/files/salesfiles/{file_id}/")
            assert record == final and "rollups" not in record
            return {**record, "rollups": keys}
        await asyncio.sleep(0.05)


def cached(stack) -> set:
    return set((stack.data_dir / "rollups").glob("*.parquet"))


async def rows_sums(api, query: str) -> tuple[int, dict[str, Decimal]]:
    status, page, _ = await api.get(f"/api/sales/analytics/rows/?{query}&page_size=1000")
    assert status == 200 and page["count"] == len(page["results"]), page
    revenue: dict[str, Decimal] = {}
    for row in page["results"]:
        revenue[row["currency"]] = revenue.get(row["currency"], Decimal(0)) + Decimal(row["revenue"])
    return sum(r["quantity"] for r in page["results"]), revenue


async def test_an_import_stores_the_rollups_and_the_views_read_them(stack):
    api = new_label(stack, "Rollups Label")
    await add_rate(api, "2025-05", "USD", "EUR", "0.9")
    await add_rate(api, "2025-06", "USD", "EUR", "0.8")
    files = [await ingest(api, name, data) for name, data in (("may.csv", MAY), ("june.csv", JUNE))]
    for file in files:
        record = await rolled_up(stack, api, file["id"])
        assert set(record.get("rollups") or ()) == set(rollup.KINDS), record
        for kind, key in record["rollups"].items():
            assert key == build.key(record["parquet_key"], record["attempt"], kind)
            assert (stack.data_dir / "objects" / key).is_file(), key
    before = cached(stack)
    may, june = files
    for query in ("group_by=track&from=2025-05&to=2025-06", "group_by=file&artist=Beta",
                  "group_by=file&isrc=FRAAA2500001&from=2025-05", "group_by=file&upc=012345678905",
                  "group_by=artist&from=2025-04&to=2025-04"):
        status, body, _ = await api.get(f"/api/sales/analytics/?{query}")
        assert status == 200, body
        group, _, filters = query.partition("&")
        quantity, revenue = await rows_sums(api, filters)
        assert body["totals"]["quantity"] == sum(r["quantity"] for r in body["rows"]) == quantity, query
        assert {r["currency"]: Decimal(r["amount"]) for r in body["totals"]["revenue"]} == revenue, query
        assert body["totals"]["converted_complete"], body
    assert cached(stack) == before                  # nothing built when asked: the stored ones read
    status, beta, _ = await api.get("/api/sales/analytics/?group_by=file&artist=Beta")
    assert [(r["key"], r["quantity"], r["revenue_converted"]) for r in beta["rows"]] == [
        (str(may["id"]), 50, "18.000000000000000001"), (str(june["id"]), 40, "6.4")]
    status, tracks, _ = await api.get("/api/sales/analytics/?group_by=track&from=2025-05&to=2025-05")
    assert [(r["key"], r["quantity"]) for r in tracks["rows"]] == [("FRAAA2500001", 135)]
