"""Leases on in-flight work (issue 19, failure 4): a GTIN import task whose worker died holding
its lease is taken over by a live worker exactly once, and an expired lease raced for by many
takers goes to exactly one of them (fencing token incremented once)."""
from __future__ import annotations

import asyncio
import uuid

from pymongo import AsyncMongoClient

from infra.repos import import_tasks, leases
from models.gtin_tasks import new_task
from tests.e2e.gtin_import.conftest import new_participant
from tests.reliability.conftest import record
from tests.support.http import put_bytes
from tests.support.participants import BASE, gtin_for


def _db(stack):
    client = AsyncMongoClient(stack.state["mongo_url"], directConnection=True)
    return client, client[stack.state["mongo_db"]]


async def test_abandoned_gtin_task_lease_is_taken_over_exactly_once(stack):
    """The worker that claimed the task is gone (its lease expired long ago, no heartbeat): the
    reconciler re-issues it, a live worker takes the lease over once and finishes every line.
    (Before, the reconciler refreshed `updated_at` first, so the lease never looked stale.)"""
    who = new_participant(stack)
    n = 300
    lines = ["gtin,name"] + [f"{gtin_for(who.prefix, number=i)},Item {i}" for i in range(n)]
    status, upload, _ = await who.api.post(f"{BASE}/uploads")
    assert status == 201, upload
    assert await put_bytes(upload["upload_url"], ("\n".join(lines) + "\n").encode()) in (200, 201)
    spec = {"link": upload["link"], "gtin_field": "gtin", "name": "name",
            "fields": [{"field": "name", "title": "Name"}],
            "conditions": {"language": ["en"], "country": ["276"]}}
    task_id = uuid.uuid4().hex
    client, db = _db(stack)
    try:
        view = new_task(task_id, who.urn, "task", True, {}, leases.at(-120))
        await import_tasks.create(db, view, spec)
        await db.gtin_import_tasks.update_one({"_id": task_id}, {"$set": {
            "status": "in_progress", "lease": "worker-that-died", "lease_token": 7,
            "lease_expires": leases.at(-60), "updated_at": leases.at(-60)}})
        doc = None
        for _ in range(300):  # the reconciler runs every 5 s; 60 s at most
            doc = await db.gtin_import_tasks.find_one({"_id": task_id})
            if doc["status"] in ("done", "failed"):
                break
            await asyncio.sleep(0.2)
        assert doc["status"] == "done", {k: doc.get(k) for k in ("status", "message", "lease")}
        assert doc["processed_lines"] == doc["total_lines"] == n
        assert doc["counts"]["imported"] == n
        assert doc["lease_token"] == 8, "taken over exactly once"
        assert doc["checkpoint"]["runs"] == 1 and doc["lease"] is None
    finally:
        await db.gtin_import_tasks.delete_one({"_id": task_id})
        await client.close()
    record("leases", "abandoned_gtin_task", "taken over once (token 7 → 8), every line imported")


async def test_expired_lease_raced_for_is_taken_by_exactly_one(stack):
    client, db = _db(stack)
    coll = db.lease_race
    try:
        await coll.insert_one({"_id": "work", "lease": "gone", "lease_token": 1,
                               "lease_expires": leases.at(-5), "updated_at": leases.at(-5)})
        won = await asyncio.gather(*(leases.take(coll, "work", f"w{i}", 30) for i in range(8)))
        winners = [doc for doc in won if doc is not None]
        assert len(winners) == 1 and winners[0]["lease_token"] == 2
        held = leases.fence(winners[0])
        assert await leases.renew(coll, "work", held, 30)
        assert not await leases.renew(coll, "work", {"lease": "gone", "lease_token": 1}, 30)
        # a live lease is not taken; its owner (restarted under the same id) takes it back
        assert await leases.take(coll, "work", "intruder", 30) is None
        again = await leases.take(coll, "work", held["lease"], 30)
        assert again is not None and again["lease_token"] == 3
        assert not await leases.renew(coll, "work", held, 30), "the old token is fenced off"
    finally:
        await coll.drop()
        await client.close()
