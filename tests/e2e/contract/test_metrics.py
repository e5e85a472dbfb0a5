"""Prometheus metrics on the gateway and the worker move when work is done."""
from __future__ import annotations

from tests.e2e.contract.conftest import metric, scrape
from tests.e2e.contract.test_publishers import data_for
from tests.support.sales import ingest

ROUTE = "/api/files/salesfiles/"


async def test_metrics_move_when_a_file_is_ingested(stack, api, worker_url):
    gw_before = scrape(stack.url + "/metrics")
    wk_before = scrape(worker_url + "/metrics")
    final = await ingest(api, "metrics.tsv", data_for(42))
    assert final["status"] == "FINALIZED", final
    bad = await ingest(api, "garbage.tsv", b"\x00\x01\x02 not a sales report \xff" * 3)
    assert bad["status"] == "FAILED"
    gw, wk = scrape(stack.url + "/metrics"), scrape(worker_url + "/metrics")

    def grew(now, before, name, by=1.0, **labels):
        return metric(now, name, **labels) - metric(before, name, **labels) >= by

    # gateway: requests and latency by route pattern and status
    assert grew(gw, gw_before, "tributary_http_requests_total", 2, method="POST", route=ROUTE,
                status="201")
    assert grew(gw, gw_before, "tributary_http_request_seconds_count", 2, method="POST",
                route=ROUTE, status="201")
    assert grew(gw, gw_before, "tributary_http_requests_total", 1, method="GET",
                route=ROUTE + "{file_id}/", status="200")
    # worker: messages by topic, rows by stage, failures by cause, lag per partition
    for topic in ("sales.files.commands", "sales.cleaning.commands", "sales.import.commands"):
        assert grew(wk, wk_before, "tributary_messages_consumed_total", topic=topic), topic
    assert grew(wk, wk_before, "tributary_messages_produced_total", 5, topic="sales.files.events")
    assert grew(wk, wk_before, "tributary_rows_processed_total", 2, stage="cleaning")
    assert grew(wk, wk_before, "tributary_rows_processed_total", 2, stage="import")
    assert metric(wk, "tributary_rows_per_second", stage="cleaning") > 0
    assert grew(wk, wk_before, "tributary_failures_total", cause=bad["status_cause"])
    lag = {k: v for k, v in wk.items() if k.startswith("tributary_consumer_lag{")}
    assert any('topic="sales.files.commands"' in k for k in lag) and all(v >= 0 for v in lag.values())
