"""GTIN import task status GETs answered by the gateway's own status view (gateway/views.py),
compared with the worker's `gtin_import_tasks` table; a purged task disappears; GTIN tickets are
cached for a few seconds only (gateway/gtin_auth.py)."""
from __future__ import annotations

import asyncio
import secrets

import pytest
from aiokafka import AIOKafkaProducer

from gateway.schemas.gtin_import import task_status
from infra.config import Gateway
from infra.repos.parties import ticket_hash
from tests.e2e.gtin_import.conftest import new_participant, upload, wait_task
from tests.support.http import Api
from tests.support.participants import BASE, HEADER, gtin_for
from tests.support.status import SOURCE, store, table_answer
from topics.envelope import Message


@pytest.fixture
def db(stack):
    with store(stack) as database:
        yield database


async def _done_task(stack, who) -> dict:
    gtins = [gtin_for(who.prefix) for _ in range(3)]
    csv = "gtin,name\n" + "".join(f"{g},Item {n}\n" for n, g in enumerate(gtins))
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json={
        "link": await upload(who, csv), "gtin_field": "gtin", "name": "name",
        "fields": [{"field": "name", "title": "Name"}], "conditions": {"language": ["en"]}})
    assert status == 200, answer
    task = await wait_task(who.api, answer["id"])
    assert task["status"] == "done", task
    return task


async def test_a_done_task_is_answered_from_the_view_as_the_table_folds_it(stack, brand, rival):
    task = await _done_task(stack, brand)
    path = f"{BASE}/import/tasks/{task['id']}"
    code, body, headers = await brand.api.get(path)
    assert code == 200 and headers[SOURCE] == "view"
    assert body["status"] == "done" and body["processed_lines"] == 3
    assert body["counts"]["imported"] == 3 and body["finished_at"]
    table = await table_answer(stack, f"/gtin-import/tasks/{task['id']}/",
                               lambda b: b["status"] == "done")
    assert task_status(table) == body  # the worker table holds the view the answer renders
    code, err, _ = await rival.api.get(path)  # the view checks the participant as well
    assert code == 404 and err["code"] == "not_found"


async def test_a_purged_task_disappears_from_the_view(stack, brand, db):
    """What the retention purge does (tests/e2e/gtin_import/test_restart.py runs the timer):
    delete the document, then publish GtinImportTaskPurged."""
    task = await _done_task(stack, brand)
    path = f"{BASE}/import/tasks/{task['id']}"
    assert db.gtin_import_tasks.delete_one({"_id": task["id"]}).deleted_count == 1
    code, _, headers = await brand.api.get(path)
    assert code == 200 and headers[SOURCE] == "view"  # the view follows events, not the store
    producer = AIOKafkaProducer(bootstrap_servers=stack.state["kafka_url"])
    await producer.start()
    try:
        await producer.send_and_wait(
            "gtin.import.events",
            Message("GtinImportTaskPurged", {"task_id": task["id"]}).encode(),
            key=task["id"].encode())
    finally:
        await producer.stop()
    for _ in range(100):
        code, body, _ = await brand.api.get(path)
        if code == 404:
            break
        await asyncio.sleep(0.05)
    assert code == 404, body


async def test_a_revoked_ticket_is_refused_once_its_cache_entry_expires(stack, db):
    who = new_participant(stack)
    probe = f"{BASE}/import/tasks/{'0' * 32}"  # authenticates, then 404
    assert (await who.api.get(probe))[0] == 404
    ticket = who.api.headers[HEADER]
    assert db.sessions.delete_one({"_id": ticket_hash(ticket)}).deleted_count == 1
    assert (await who.api.get(probe))[0] == 404  # still cached: at most TRIBUTARY_TICKET_CACHE_SECONDS
    await asyncio.sleep(Gateway().ticket_cache_seconds + 0.5)  # the stack runs the default
    code, err, _ = await who.api.get(probe)
    assert code == 401 and err["code"] == "unauthorized"


async def test_an_unknown_ticket_is_not_cached(stack, db):
    who = new_participant(stack)
    ticket = secrets.token_urlsafe(24)
    api = Api(stack.url, headers={HEADER: ticket})
    probe = f"{BASE}/import/tasks/{'0' * 32}"
    assert (await api.get(probe))[0] == 401
    db.sessions.insert_one({"_id": ticket_hash(ticket), "id": secrets.token_hex(8),
                            "name": "late", "user": "late", "roles": ["user"],
                            "current_participant": who.urn, "created_at": "2025-01-01T00:00:00"})
    assert (await api.get(probe))[0] == 404  # known at once
