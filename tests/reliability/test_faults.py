"""Faults on a stack of our own: a worker SIGKILLed mid-import, mid-report and mid-GTIN-task,
the document store restarted during an import, a worker and then the whole stack stopped with
SIGTERM while work is in flight. Every entity ends terminal, nothing is counted twice.

Object-store `put_file` calls of this stack wait 1.5 s (TRIBUTARY_FAULTS delay), which holds
each stage that writes an object (cleaning, importing, a report, staging a GTIN file) open long
enough to kill the worker inside it, deterministically. Write errors are injected for the
second organisation only (`org-2`, keys `staging/org-2/` and `sales/org=org-2/`): see
test_store_write_errors_retry_then_fail_with_cause_then_reimport_succeeds.
"""
from __future__ import annotations

import asyncio
import os
import signal
import time
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from pymongo import MongoClient

from tests.e2e.gtin_import.conftest import FileServer, new_participant
from tests.reliability.conftest import healthy, ingest, record, sales_file, start_file, wait_status
from tests.support.http import Api
from tests.support.participants import BASE, gtin_for
from tests.support.sales import wait_terminal
from tests.support.stack import RunningStack, cli

PERIOD = "2025-04"


@pytest.fixture(scope="module")
def fstack(tmp_path_factory):
    stack = RunningStack(tmp_path_factory.mktemp("faults"), env={
        "TRIBUTARY_FAULTS": ",".join(f"objects.put_file:delay=1.5:key={prefix}" for prefix in (
            "staging/org-1/", "sales/org=org-1/", "reports/", "gtin-imports/")) + ","
                            "objects.put_file:fail=6:key=staging/org-2/,"
                            "objects.put_file:fail=4:key=sales/org=org-2/",
        # the GTIN task below stages a link downloaded from a loopback server (its put_file
        # is what the delay holds), so this stack allow-lists loopback
        "TRIBUTARY_FETCH_ALLOW": "127.0.0.1",
        "TRIBUTARY_STALE_AFTER": "4", "TRIBUTARY_RETRY_ATTEMPTS": "4",
        "TRIBUTARY_RETRY_BACKOFF": "0.05"}).start()
    yield stack
    stack.discard()


@pytest.fixture(scope="module")
def orgs(fstack) -> tuple[Api, Api]:
    first = cli(fstack.data_dir, "org", "create", "Fault Label")
    second = cli(fstack.data_dir, "org", "create", "Store Faults")
    assert (first["id"], second["id"]) == ("org-1", "org-2"), "the fault rules name org-2"
    return Api(fstack.url, first["token"]), Api(fstack.url, second["token"])


@pytest.fixture(scope="module")
def fapi(orgs) -> Api:
    return orgs[0]


@pytest.fixture(scope="module")
def file_server():
    server = FileServer()
    yield server
    server.stop()


def _mongo(stack):
    client = MongoClient(stack.state["mongo_url"], directConnection=True)
    return client, client[stack.state["mongo_db"]]


async def _reimport(api: Api, file_id: int) -> dict:
    status, body, _ = await api.post(f"/api/files/salesfiles/{file_id}/process/",
                                     json={"action": "reimport"})
    assert status == 202, body
    return await wait_terminal(api, file_id, timeout=60)


async def test_store_write_errors_retry_then_fail_with_cause_then_reimport_succeeds(fstack, orgs):
    """Injected for org-2; the worker retries each write 4 times (counts per worker process):
    run 1: staging calls 1-4 fail               → FAILED STORAGE_ERROR while cleaning
    run 2: staging 5-6 fail, 7 works (retried); Parquet 1-4 fail → FAILED STORAGE_ERROR importing
    run 3: staging and Parquet writes work      → FINALIZED, totals exact"""
    api = orgs[1]
    data, total, quantity = sales_file(2_000)
    first = await ingest(api, "store-faults.tsv", data, timeout=60)
    assert first["status"] == "FAILED", first
    assert first["status_cause"] == "STORAGE_ERROR"
    assert "after 4 attempts" in first["error_message"] and "injected" in first["error_message"]

    second = await _reimport(api, first["id"])
    assert second["status"] == "FAILED", second
    assert second["status_cause"] == "STORAGE_ERROR"
    assert "Parquet" in second["error_message"], second  # cleaning got through on a retry

    third = await _reimport(api, first["id"])
    assert third["status"] == "FINALIZED", third
    status, snap, _ = await api.get(f"/api/files/salesfiles/{first['id']}/snapshot/")
    assert status == 200
    assert snap["totals"]["rows"] == 2_000 and Decimal(snap["totals"]["revenue"]) == total
    assert int(snap["totals"]["quantity"]) == quantity
    log = (fstack.data_dir / "logs" / "worker-1.log").read_text(errors="replace")
    retries = log.count("retrying in")
    assert retries >= 3 + 1 + 3, "each failing write is retried before giving up"
    record("faults", "object_store_put_errors", f"10 injected write errors: {retries} retries "
           "logged, 2 runs FAILED STORAGE_ERROR, reimport FINALIZED with exact totals")


async def _exact(api: Api, stack, file_id: int, rows: int, total: Decimal, quantity: int) -> None:
    """Snapshot totals exact, and the stored Parquet holds each sale once."""
    status, snap, _ = await api.get(f"/api/files/salesfiles/{file_id}/snapshot/")
    assert status == 200, snap
    assert snap["totals"]["rows"] == rows
    assert Decimal(snap["totals"]["revenue"]) == total
    assert int(snap["totals"]["quantity"]) == quantity
    _, view, _ = await api.get(f"/api/files/salesfiles/{file_id}/")
    parquet = stack.data_dir / "objects" / view["parquet_key"]
    assert pq.ParquetFile(parquet).metadata.num_rows == rows


async def _kill_when(stack, api: Api, path: str, wanted: tuple[str, ...], child="worker-1") -> dict:
    view = await wait_status(api, path, wanted)
    stack.kill_child(child)
    return view


async def test_worker_killed_while_importing_finishes_exactly(fstack, fapi):
    data, total, quantity = sales_file(10_000)
    file_id = await start_file(fapi, "kill-importing.tsv", data)
    seen = await _kill_when(fstack, fapi, f"/api/files/salesfiles/{file_id}/", ("PROCESSING",))
    assert seen["status"] == "PROCESSING"
    final = await wait_terminal(fapi, file_id, timeout=120)
    assert final["status"] == "FINALIZED", final
    await _exact(fapi, fstack, file_id, 10_000, total, quantity)
    assert await healthy(fstack)
    record("faults", "sigkill_worker_processing", "survived: FINALIZED, totals exact")


async def test_worker_killed_while_reporting_finishes_the_report(fstack, fapi):
    status, files, _ = await fapi.get("/api/files/salesfiles/?page_size=500")
    assert status == 200
    done = [f for f in files["results"] if f["status"] == "FINALIZED"
            and f.get("reporting_period") == PERIOD]
    assert done, "needs the file of the previous test"
    rows = sum(f["total_rows"] for f in done)
    revenue = sum(Decimal(f["total_local"]) for f in done)
    status, body, _ = await fapi.post("/api/reports/", json={"type": "unmatched", "period": PERIOD})
    assert status == 202, body
    path = f"/api/reports/{body['id']}"
    await _kill_when(fstack, fapi, path, ("RUNNING",))
    final = await fapi.wait_for(path, lambda b: b["status"] in ("DONE", "FAILED"), timeout=120)
    assert final["status"] == "DONE", final
    snap = final["snapshot"]  # no catalog: every sale is unmatched
    assert snap["rows"] == snap["unmatched_rows"] == snap["period_totals"]["rows"] == rows
    assert Decimal(snap["revenue"]) == revenue
    assert sum(f["rows"] for f in snap["files"]) == rows          # every sale once
    assert await healthy(fstack)
    record("faults", "sigkill_worker_report_running", "survived: DONE, rows and revenue exact")


async def test_worker_killed_during_gtin_import_task_counts_each_line_once(fstack, file_server):
    n = 8_000
    who = new_participant(fstack)
    lines = ["gtin,name"] + [f"{gtin_for(who.prefix, number=i)},Item {i}" for i in range(n)]
    body = {"link": file_server.add("\n".join(lines) + "\n"), "gtin_field": "gtin",
            "name": "name", "fields": [{"field": "name", "title": "Name"}],
            "conditions": {"language": ["en"], "country": ["276"]}}
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json=body)
    assert status == 200, answer
    path = f"{BASE}/import/tasks/{answer['id']}"
    await who.api.wait_for(path, lambda b: b["status"] == "in_progress"
                           and (b.get("processed_lines") or 0) >= 1000, interval=0.02)
    fstack.kill_child("worker-1")
    final = await who.api.wait_for(path, lambda b: b["status"] in ("done", "failed"),
                                   timeout=120, interval=0.1)
    assert final["status"] == "done", final
    assert final["processed_lines"] == final["total_lines"] == n
    assert final["counts"]["imported"] == n and final["counts"]["bad_gtins"] == 0
    client, db = _mongo(fstack)
    try:
        wanted = ["0" + gtin_for(who.prefix, number=i) for i in range(n)]
        docs = list(db.gtins.find({"_id": {"$in": wanted}}, {"sources": 1}))
        runs = db.gtin_import_tasks.find_one({"_id": answer["id"]})["checkpoint"]["runs"]
    finally:
        client.close()
    assert len(docs) == n
    assert all(len([s for s in d["sources"] if s["id"] == who.urn]) == 1 for d in docs)
    assert runs >= 2
    record("faults", "sigkill_worker_gtin_import_task", f"survived: done, {n} lines once each")


async def test_document_store_restart_during_import_then_reimport(fstack, fapi):
    data, total, quantity = sales_file(20_000)
    file_id = await start_file(fapi, "docstore-restart.tsv", data)
    path = f"/api/files/salesfiles/{file_id}/"
    await _kill_when(fstack, fapi, path, ("CLEANING", "CLEANED", "PROCESSING"), child="docstore")
    final = await wait_terminal(fapi, file_id, timeout=150)
    assert final["status"] in ("FINALIZED", "FAILED"), final
    if final["status"] == "FAILED":
        assert final["status_cause"] and final["error_message"]
    else:
        await _exact(fapi, fstack, file_id, 20_000, total, quantity)
    status, body, _ = await fapi.post(f"/api/files/salesfiles/{file_id}/process/",
                                      json={"action": "reimport"})
    assert status == 202, body
    again = await wait_terminal(fapi, file_id, timeout=120)
    assert again["status"] == "FINALIZED", again
    await _exact(fapi, fstack, file_id, 20_000, total, quantity)
    assert await healthy(fstack)
    record("faults", "docstore_restart_during_import",
           f"survived: first run {final['status']}, reimport FINALIZED, totals exact")


async def test_sigterm_worker_hands_back_in_flight_work(fstack, fapi):
    data, total, quantity = sales_file(30_000)
    file_id = await start_file(fapi, "sigterm-worker.tsv", data)
    await wait_status(fapi, f"/api/files/salesfiles/{file_id}/", ("CLEANING",))
    started = time.monotonic()
    pid = fstack.kill_child("worker-1", signal.SIGTERM)
    while _alive(pid) and time.monotonic() - started < 30:
        await asyncio.sleep(0.05)
    stopped_in = time.monotonic() - started
    assert not _alive(pid), "the worker did not stop within 30 s of SIGTERM"
    final = await wait_terminal(fapi, file_id, timeout=150)
    assert final["status"] == "FINALIZED", final
    await _exact(fapi, fstack, file_id, 30_000, total, quantity)
    record("faults", "sigterm_worker", f"stopped in {stopped_in:.1f}s; file FINALIZED exactly")


async def test_sigterm_whole_stack_then_start_again_finishes_in_flight_work(fstack, fapi):
    """Runs last: stops the module's stack with SIGTERM and starts it again on the same data."""
    data, total, quantity = sales_file(10_000)
    file_id = await start_file(fapi, "sigterm-stack.tsv", data)
    await wait_status(fapi, f"/api/files/salesfiles/{file_id}/", ("CLEANING", "PROCESSING"))
    started = time.monotonic()
    fstack.stop()
    stopped_in = time.monotonic() - started
    assert fstack.proc.returncode == 0, fstack.log()
    fstack.start()
    api = Api(fstack.url, fapi.headers["Authorization"].split()[1])
    final = await wait_terminal(api, file_id, timeout=150)
    assert final["status"] == "FINALIZED", final
    await _exact(api, fstack, file_id, 10_000, total, quantity)
    record("faults", "sigterm_stack_restart", f"stack stopped in {stopped_in:.1f}s; in-flight "
           "file FINALIZED after the restart, totals exact")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped by the supervisor) counts as stopped
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False
