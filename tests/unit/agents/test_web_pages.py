"""agents/web.py: the worker pages (a file's status from the table, else the store; readiness),
answered with a stand-in for Faust's web helper."""
from __future__ import annotations

from types import SimpleNamespace

from tests.unit.agents.sales_files import SALES, registered


class Web:
    """Faust's `web.json` as (body, status, source)."""

    @staticmethod
    def json(body, status: int = 200, headers: dict | None = None):
        return body, status, (headers or {}).get("X-Tributary-Source")


async def test_a_file_page_answers_from_the_table_then_the_store(h):
    org = await h.org()
    await registered(h, org, 1701, SALES / "generic.tsv")
    page = h.app.pages["/files/{file_id}/"]
    body, status, source = await page(Web, None, file_id="1701")
    assert (status, source, body["status"]) == (200, "store", "INITIALIZED")
    await h.settle()                                   # the status table folds the events
    body, status, source = await page(Web, None, file_id="1701")
    assert (status, source, body["id"]) == (200, "table", 1701)
    for missing in ("1702", "²", "-1"):
        body, status, _ = await page(Web, None, file_id=missing)
        assert (status, body["error"]) == (404, "not_found")


async def test_ready_once_partitions_are_held_outside_a_rebalance(h):
    ready = h.app.pages["/ready/"]
    assert await ready(Web, None) == ({"ready": False, "worker": "harness", "partitions": 0},
                                      503, None)
    h.app.consumer = SimpleNamespace(assignment=lambda: {("a", 0), ("a", 1)})
    assert (await ready(Web, None))[:2] == ({"ready": True, "worker": "harness",
                                             "partitions": 2}, 200)
