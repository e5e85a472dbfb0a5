"""Accepted is never lost (issue 19, failure 2): the gateway stores a command with its record (the
outbox, infra/outbox.py) before publishing it, and the relay (agents/outbox.py) delivers what
the broker refused or no worker took; poison creates end 400 or FAILED with a cause.

The private stack's gateway fails its first `FAULTS` publishes (TRIBUTARY_PUBLISH_FAULTS, read
by gateway/bus.py only when set: this test sets it), as a broker outage would."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import time
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from tests.e2e.gtin.conftest import changes
from tests.e2e.gtin_import.conftest import new_participant
from tests.reliability.conftest import healthy, record, sales_file, wait_status
from tests.support.http import Api, put_bytes
from tests.support.participants import BASE, gtin_for
from tests.support.sales import wait_terminal
from tests.support.stack import RunningStack, cli
from topics.envelope import now_iso

FAULTS = 6  # create, upload, process, report, GTIN event, catalog import: each fails once
FILES = "/api/files/salesfiles/"


@pytest.fixture(scope="module")
def ostack(tmp_path_factory):
    # the supervisor's hang check is slowed down here: these tests stop the worker themselves
    # and decide when it is killed (test_hung_worker.py covers that check)
    stack = RunningStack(tmp_path_factory.mktemp("outbox"), env={
        "TRIBUTARY_PUBLISH_FAULTS": str(FAULTS), "TRIBUTARY_OUTBOX_DELAY": "1",
        "TRIBUTARY_HEARTBEAT_MISSES": "60"}).start()
    yield stack
    stack.discard()


@pytest.fixture(scope="module")
def oapi(ostack) -> Api:
    return Api(ostack.url, cli(ostack.data_dir, "org", "create", "Outbox Label")["token"])


def _db(stack):
    client = MongoClient(stack.state["mongo_url"], directConnection=True)
    return client, client[stack.state["mongo_db"]]


def _body(name: str, data: bytes) -> dict:
    return {"filename": name, "filetype": "TSV", "filesize": len(data), "mongo_db_id": "outbox"}


async def _exact(api: Api, file_id: int, rows: int, total: Decimal, quantity: int) -> None:
    status, snap, _ = await api.get(f"{FILES}{file_id}/snapshot/")
    assert status == 200, snap
    assert snap["totals"]["rows"] == rows
    assert Decimal(snap["totals"]["revenue"]) == total
    assert int(snap["totals"]["quantity"]) == quantity


async def _upload_and_process(api: Api, file_id: int, data: bytes) -> None:
    """Upload link (once registered: the link's PUT is accepted only while UPLOADING), PUT,
    process."""
    status, link, _ = await api.post(f"{FILES}{file_id}/process/", json={"action": "upload"})
    assert status == 200, link
    await api.wait_for(f"{FILES}{file_id}/", lambda b: b["status"] == "UPLOADING", 120)
    assert await put_bytes(link["presigned_url"], data) in (200, 201)
    status, body, _ = await api.post(f"{FILES}{file_id}/process/", json={"action": "process"})
    assert status == 202, body


async def _drained(db, timeout: float = 30.0) -> None:
    """Every outbox entry delivered and dropped by the relay."""
    left = None
    for _ in range(int(timeout / 0.5)):
        left = [db.outbox.count_documents({})] + [
            db[name].count_documents({"_outbox": {"$exists": True}})
            for name in ("files", "gtin_import_tasks", "gtins", "catalog_imports", "auto_uploads",
                         "reports")]
        if not any(left):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"outbox entries left (outbox, files, tasks, gtins, imports, "
                         f"jobs, reports): {left}")


async def test_refused_publishes_are_relayed_and_the_file_finishes_exactly(ostack, oapi):
    data, total, quantity = sales_file(500)
    started = time.monotonic()
    status, body, _ = await oapi.post(FILES, json=_body("relayed.tsv", data))
    assert status == 202, body  # the publish failed, the record and its command are stored
    assert time.monotonic() - started < 5, "a refused publish answers at once"
    file_id = body["id"]
    status, stored, _ = await oapi.get(f"{FILES}{file_id}/")
    assert status == 200 and stored["status"] == "INITIALIZED", stored  # durable: readable now
    client, db = _db(ostack)
    try:
        assert db.files.find_one({"_id": file_id})["_outbox"], "stored with its command"
        await wait_status(oapi, f"{FILES}{file_id}/", ("INITIALIZED",))
        status, link, _ = await oapi.post(f"{FILES}{file_id}/process/", json={"action": "upload"})
        assert status == 200, link  # its StartSalesFileUpload publish failed too
        await oapi.wait_for(f"{FILES}{file_id}/", lambda b: b["status"] == "UPLOADING", 30)
        assert await put_bytes(link["presigned_url"], data) in (200, 201)
        status, body, _ = await oapi.post(f"{FILES}{file_id}/process/",
                                          json={"action": "process"})
        assert status == 202, body  # and the ProcessSalesFile publish
        done = await wait_terminal(oapi, file_id, timeout=120)
        assert done["status"] == "FINALIZED", done
        await _exact(oapi, file_id, 500, total, quantity)

        status, report, _ = await oapi.post("/api/reports/", json={"type": "unmatched",
                                                                   "period": "2025-04"})
        assert status == 202 and report["status"] == "PENDING", report  # its publish failed
        assert db.reports.find_one({"_id": report["id"]})["_outbox"], "stored with its command"
        status, pending, _ = await oapi.get(f"/api/reports/{report['id']}/")
        assert status == 200 and pending["status"] in ("PENDING", "RUNNING", "DONE"), pending
        status, page, _ = await oapi.get("/api/reports/?period=2025-04")
        assert status == 200 and page["count"] == 1, page  # listed at once, before any worker
        assert [r["id"] for r in page["results"]] == [report["id"]], page
        report = await oapi.wait_for(f"/api/reports/{report['id']}/",
                                     lambda b: b["status"] in ("DONE", "FAILED"), 90)
        assert report["status"] == "DONE", report
        assert report["snapshot"]["rows"] == 500, report  # no catalog: every sale unmatched
        assert Decimal(report["snapshot"]["revenue"]) == total

        who = new_participant(ostack)
        gtin = gtin_for(who.prefix)
        status, item, _ = await who.api.post(f"{BASE}/gtins", json={"id": gtin, "name": "Oats"})
        assert status == 201, item  # stored; its GtinCreated publish failed
        for _ in range(60):
            events = [m for m in await changes(ostack, item["id"]) if m.type == "GtinCreated"]
            if events:
                break
            await asyncio.sleep(0.5)
        assert len(events) == 1 and events[0].payload["document"]["name"] == "Oats", events

        status, imp, _ = await oapi.post("/api/catalog/imports/", json={"filename": "c.csv",
                                                                        "filesize": 10})
        assert status == 201 and imp["status"] == "UPLOADING", imp  # its publish failed
        assert db.catalog_imports.find_one({"_id": imp["id"]})["_outbox"], "stored with it"
        status, stored, _ = await oapi.get(f"/api/catalog/imports/{imp['id']}/")
        assert status == 200 and stored["status"] == "UPLOADING", stored  # readable at once
        assert "_outbox" not in stored, stored
        await oapi.wait_for(f"/api/catalog/imports/{imp['id']}/",
                            lambda b: b["status"] == "UPLOADING", 60)
        await _drained(db)
        log = (ostack.data_dir / "logs" / "gateway.log")
        assert not log.exists() or log.read_text().count("injected publish failure") >= FAULTS
    finally:
        client.close()
    record("outbox", "publish_refused", f"{FAULTS} publishes refused (create, upload, process, "
           "report, GTIN event, catalog import): each relayed; file FINALIZED exact, report DONE, "
           "event once, catalog import readable at once (UPLOADING) and announced")


async def test_creates_while_the_worker_is_stuck_are_not_lost(ostack, oapi):
    """The only worker is stopped (SIGSTOP) while creates arrive, then killed; the new worker
    takes every stored command: each file registers and finishes exactly."""
    files = [sales_file(50) for _ in range(5)]
    pid = ostack.kill_child("worker-1", signal.SIGSTOP)
    try:
        answers = await asyncio.gather(*(oapi.post(FILES, json=_body(f"stuck-{i}.tsv", data))
                                         for i, (data, _, _) in enumerate(files)))
    finally:
        with contextlib.suppress(ProcessLookupError):  # the supervisor may have killed it
            os.kill(pid, signal.SIGKILL)  # the supervisor starts a new worker
    assert [a[0] for a in answers] == [202] * len(files), answers
    ids = [a[1]["id"] for a in answers]
    for file_id, (data, _, _) in zip(ids, files):
        await _upload_and_process(oapi, file_id, data)
    for file_id, (_, total, quantity) in zip(ids, files):
        done = await wait_terminal(oapi, file_id, timeout=180)
        assert done["status"] == "FINALIZED", done
        await _exact(oapi, file_id, 50, total, quantity)
    record("outbox", "creates_while_worker_stuck", f"{len(files)} creates answered 202 while the "
           "worker was stopped, then killed: all FINALIZED, totals exact")


async def test_a_command_never_handled_ends_failed_undelivered(ostack, oapi):
    """An entry whose last try went unhandled: the relay fails its file with the cause."""
    client, db = _db(ostack)
    try:
        status, body, _ = await oapi.post(FILES, json=_body("undelivered.tsv", b"x" * 10))
        assert status in (201, 202), body
        mid = secrets.token_hex(16)
        message = {"type": "ProcessSalesFile", "version": 1, "message_id": mid, "ts": now_iso(),
                   "payload": {"file_id": body["id"]}}
        db.outbox.insert_one({"_id": mid, "id": mid, "topic": "sales.files.commands",
                              "key": str(body["id"]), "message": message, "tries": 10,
                              "next_at": now_iso(), "collection": "files", "doc_id": body["id"]})
        failed = await oapi.wait_for(f"{FILES}{body['id']}/",
                                     lambda b: b["status"] == "FAILED", 30)
        assert failed["status_cause"] == "UNDELIVERED", failed
        assert "ProcessSalesFile" in failed["error_message"]
        assert db.outbox.find_one({"_id": mid}) is None
    finally:
        client.close()


async def test_a_delete_event_is_sent_only_if_the_delete_happened(ostack):
    """A GTIN delete stores its event before deleting; an entry whose delete never happened is
    dropped unsent, the real delete's event goes out once."""
    who = new_participant(ostack)
    status, item, _ = await who.api.post(f"{BASE}/gtins", json={"id": gtin_for(who.prefix),
                                                                "name": "Kept"})
    assert status == 201, item
    gtin = item["id"]
    client, db = _db(ostack)
    try:
        mid = secrets.token_hex(16)
        message = {"type": "GtinDeleted", "version": 1, "message_id": mid, "ts": now_iso(),
                   "payload": {"gtin": gtin, "participant": who.urn, "owner": who.urn}}
        db.outbox.insert_one({"_id": mid, "id": mid, "topic": "gtin.changes", "key": gtin,
                              "message": message, "tries": 0, "next_at": now_iso(),
                              "collection": "gtins", "doc_id": gtin})
        for _ in range(60):
            if db.outbox.find_one({"_id": mid}) is None:
                break
            await asyncio.sleep(0.5)
        assert db.outbox.find_one({"_id": mid}) is None, "the void entry was dropped"
        assert not [m for m in await changes(ostack, gtin) if m.type == "GtinDeleted"]
        status, body, _ = await who.api.call("DELETE", f"{BASE}/gtins/{gtin}")
        assert status == 200, body
        await _drained(db)
        deleted = [m for m in await changes(ostack, gtin) if m.type == "GtinDeleted"]
        assert len(deleted) == 1, deleted
    finally:
        client.close()


async def test_poison_creates_end_400_or_failed_with_a_cause(stack):
    """Through the gateway both are refused by its model (400); published straight onto the
    command topic, the worker rejects them: FAILED, REJECTED, the reason; never a 404."""
    org = cli(stack.data_dir, "org", "create", "Poison Label")
    api = Api(stack.url, org["token"])
    good = {"filename": "ok.tsv", "filetype": "TSV", "filesize": 10, "mongo_db_id": "p"}
    status, body, _ = await api.post(FILES, json={**good, "filesize": 10**30})
    assert status == 400 and body["errors"][0]["field"] == "filesize", body
    status, body, _ = await api.post(FILES, json={**good, "filename": "\ud800.tsv"})
    assert status == 400 and body["code"] == "invalid_text", body
    assert body["errors"] == [{"field": "filename", "problem": "not Unicode text (a lone "
                                                               "surrogate)"}]

    base = 10**12 + secrets.randbelow(10**9)
    poison = {base: {**good, "filesize": 10**30}, base + 1: {**good, "filename": "\ud800.tsv"},
              base + 2: {**good, "source": {"n": 10**30}}}  # valid, but no store holds it
    producer = AIOKafkaProducer(bootstrap_servers=stack.state["kafka_url"], acks="all")
    await producer.start()
    try:
        for file_id, fields in poison.items():
            envelope = {"type": "CreateSalesFile", "version": 1,
                        "message_id": secrets.token_hex(16), "ts": now_iso(),
                        "payload": {**fields, "id": file_id, "organisation": org["id"]}}
            await producer.send_and_wait("sales.files.commands", json.dumps(envelope).encode(),
                                         key=str(file_id).encode())
    finally:
        await producer.stop()
    for file_id, problem in ((base, "filesize"), (base + 1, "filename"),
                             (base + 2, "cannot be stored")):
        failed = await api.wait_for(f"{FILES}{file_id}/", lambda b: b["status"] == "FAILED", 60)
        assert failed["status_cause"] == "REJECTED", failed
        assert problem in failed["error_message"], failed
    record("outbox", "poison_creates", "HTTP: 400 (filesize bound, invalid_text); on the topic "
           "(model refused, or the store refused a value): FAILED REJECTED with the reason")


async def test_commands_the_broker_lost_are_published_again(ostack, oapi):
    """Creates acknowledged while the only worker is stopped sit in the memory broker; the
    broker is SIGKILLed (its log is gone) and the worker replaced: the relay publishes the stored
    commands again and every file finishes exactly. (Runs last: it restarts the broker.)"""
    files = [sales_file(40) for _ in range(3)]
    pid = ostack.kill_child("worker-1", signal.SIGSTOP)
    try:
        answers = await asyncio.gather(*(oapi.post(FILES, json=_body(f"lost-{i}.tsv", data))
                                         for i, (data, _, _) in enumerate(files)))
        ostack.kill_child("broker")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert [a[0] for a in answers] == [202] * len(files), answers
    assert await healthy(ostack), ostack.log()
    for file_id, (data, _, _) in zip([a[1]["id"] for a in answers], files):
        await _upload_and_process(oapi, file_id, data)
    for file_id, (_, total, quantity) in zip([a[1]["id"] for a in answers], files):
        done = await wait_terminal(oapi, file_id, timeout=180)
        assert done["status"] == "FINALIZED", done
        await _exact(oapi, file_id, 40, total, quantity)
    relayed = "".join(p.read_text(errors="replace") for p in
                      (ostack.data_dir / "logs").glob("worker-*.log")).count("relayed CreateSalesFile")
    assert relayed >= len(files), "the creates came back through the relay"
    record("outbox", "commands_lost_with_the_broker", f"{len(files)} creates acknowledged, then "
           "the broker SIGKILLed with them: relayed, all FINALIZED, totals exact")
