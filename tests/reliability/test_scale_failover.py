"""Failover under scale: three workers share a batch of sales files and GTIN import tasks;
one of them is SIGKILLed mid-batch. The other two take over its partitions (and the
supervisor restarts it); every file (registered and uploaded before, processed during the kill) ends FINALIZED with exact totals and each sale stored
once, every task done with each line counted once. Bounded: a couple of minutes."""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from pymongo import MongoClient

from tests.e2e.gtin_import.conftest import new_participant, upload
from tests.reliability.conftest import record, sales_file
from tests.support.http import Api, put_bytes
from tests.support.participants import BASE, gtin_for
from tests.support.sales import TERMINAL
from tests.support.stack import RunningStack, cli

ORGS, FILES_PER_ORG, ROWS = 3, 10, 3_000
TASKS, LINES = 3, 2_000
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    stack = RunningStack(tmp_path_factory.mktemp("failover3"), workers=3).start(timeout=150)
    yield stack
    stack.discard()


async def _statuses(expected: dict, ids: list[int]) -> list[str]:
    out = []
    for file_id in ids:
        status, body, _ = await expected[file_id][0].get(f"/api/files/salesfiles/{file_id}/")
        out.append(body["status"] if status == 200 else "?")
    return out


async def _upload(api: Api, name: str, data: bytes) -> int:
    """Register and upload a file (before the kill: what is measured is the processing)."""
    status, body, _ = await api.post("/api/files/salesfiles/", json={
        "filename": name, "filetype": "TSV", "filesize": len(data), "mongo_db_id": "x"})
    assert status == 201, body
    path = f"/api/files/salesfiles/{body['id']}/process/"
    status, up, _ = await api.post(path, json={"action": "upload"})
    assert status == 200, up
    assert await put_bytes(up["presigned_url"], data) in (200, 201, 204)
    return body["id"]


async def test_one_of_three_workers_killed_mid_batch_loses_and_duplicates_nothing(three):
    apis = [Api(three.url, cli(three.data_dir, "org", "create", f"Failover {n}")["token"])
            for n in range(ORGS)]
    who = new_participant(three)
    expected: dict[int, tuple[Api, Decimal, int]] = {}
    started = time.monotonic()
    tasks = []
    for t in range(TASKS):
        lines = ["gtin,name"] + [f"{gtin_for(who.prefix, number=t * LINES + i)},Item {i}"
                                 for i in range(LINES)]
        body = {"link": await upload(who, "\n".join(lines) + "\n"), "gtin_field": "gtin",
                "name": "name", "fields": [{"field": "name", "title": "Name"}],
                "conditions": {"language": ["en"], "country": ["276"]}}
        status, task, _ = await who.api.post(f"{BASE}/import/tasks", json=body)
        assert status == 200, task
        tasks.append(task["id"])
    gate = asyncio.Semaphore(8)

    async def hand_in(n: int) -> None:
        api = apis[n % ORGS]
        data, total, quantity = sales_file(ROWS, tag=f"fo{n}")
        async with gate:
            expected[await _upload(api, f"failover-{n}.tsv", data)] = (api, total, quantity)

    await asyncio.gather(*(hand_in(n) for n in range(ORGS * FILES_PER_ORG)))
    ids = list(expected)
    for file_id in ids:
        api = expected[file_id][0]
        status, body, _ = await api.post(f"/api/files/salesfiles/{file_id}/process/",
                                         json={"action": "process"})
        assert status == 202, body
    # mid-batch: one file finished, the others still in flight
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(s in TERMINAL for s in await _statuses(expected, ids[:6])):
            break
        await asyncio.sleep(0.05)
    killed = three.kill_child("worker-2")
    killed_at = time.monotonic() - started
    statuses = await _statuses(expected, ids)
    in_flight = sum(s not in TERMINAL for s in statuses)
    assert in_flight > 0, "the batch finished before the kill: make it larger"

    finals = {}
    for file_id, (api, _, _) in expected.items():
        finals[file_id] = await api.wait_for(f"/api/files/salesfiles/{file_id}/",
                                             lambda b: b["status"] in TERMINAL,
                                             timeout=150, interval=0.25)
    done = [await who.api.wait_for(f"{BASE}/import/tasks/{task_id}",
                                   lambda b: b["status"] in ("done", "failed"),
                                   timeout=150, interval=0.25) for task_id in tasks]
    elapsed = time.monotonic() - started

    assert [f["status"] for f in finals.values()] == ["FINALIZED"] * len(expected), \
        [f for f in finals.values() if f["status"] != "FINALIZED"][:2]
    for file_id, (api, total, quantity) in expected.items():
        status, snap, _ = await api.get(f"/api/files/salesfiles/{file_id}/snapshot/")
        assert status == 200, snap
        assert snap["totals"]["rows"] == ROWS
        assert Decimal(snap["totals"]["revenue"]) == total
        assert int(snap["totals"]["quantity"]) == quantity
        parquet = three.data_dir / "objects" / finals[file_id]["parquet_key"]
        assert pq.ParquetFile(parquet).metadata.num_rows == ROWS  # each sale stored once
    for api in apis:
        status, summary, _ = await api.get("/api/sales/summary/")
        assert status == 200 and summary["files"] == FILES_PER_ORG  # each file counted once

    assert [t["status"] for t in done] == ["done"] * TASKS, done
    assert all(t["processed_lines"] == t["total_lines"] == LINES for t in done)
    assert all(t["counts"]["imported"] == LINES and t["counts"]["bad_gtins"] == 0 for t in done)
    client = MongoClient(three.state["mongo_url"], directConnection=True)
    try:
        db = client[three.state["mongo_db"]]
        wanted = ["0" + gtin_for(who.prefix, number=i) for i in range(TASKS * LINES)]
        docs = list(db.gtins.find({"_id": {"$in": wanted}}, {"sources": 1}))
    finally:
        client.close()
    assert len(docs) == TASKS * LINES
    assert all(len([s for s in d["sources"] if s["id"] == who.urn]) == 1 for d in docs)
    assert three.state["children"]["worker-2"] != killed  # restarted by the supervisor
    record("scale_failover", "batch", f"{len(expected)} files x {ROWS} rows, "
                                      f"{TASKS} GTIN tasks x {LINES} lines, 3 workers")
    record("scale_failover", "killed", f"worker-2 at {killed_at:.1f}s, "
                                       f"{in_flight}/{len(statuses)} files in flight")
    record("scale_failover", "seconds", round(elapsed, 1))
    record("scale_failover", "result", "all FINALIZED/done, totals exact, nothing duplicated")
