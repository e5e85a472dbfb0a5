"""Work under a lease (agents/lifecycle.hold) against the embedded document store: the holder's
writes are fenced, a paused holder that wakes after a takeover stops at its next write without
emitting, a second run of the same entity in this process and finished work are not taken."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from agents import lifecycle
from infra.repos import leases
from models.reports import KIND


def deps_for(database, worker: str) -> SimpleNamespace:
    sent: list[tuple] = []

    async def emit(topic, key, type_, payload):
        sent.append((topic, key, type_, payload["status"]))
    return SimpleNamespace(db=database, emit=emit, sent=sent,
                           settings=SimpleNamespace(worker_id=worker))


async def report(database, report_id: int, status: str) -> dict:
    await database.reports.delete_one({"_id": report_id})
    record = {"id": report_id, "organisation": "org-1", "type": "monthly", "period": "2025-01",
              "status": status, "history": [], "updated_at": leases.at(-60)}
    await database.reports.insert_one({"_id": report_id, **record})
    return record


async def test_a_holder_taken_over_stops_at_its_next_write(db):
    record = await report(db, 41, "PENDING")
    paused, other = deps_for(db, "w-paused"), deps_for(db, "w-other")
    async with lifecycle.hold(paused, KIND, 41, 30) as held:
        assert held is not None and held["lease_token"] == 1
        await lifecycle.set_status(KIND, paused, record, "RUNNING")
        async with lifecycle.hold(paused, KIND, 41, 30) as again:
            assert again is None, "already running in this process"
        # the holder pauses past its lease (its renewal, every 10 s, does not come in time);
        # another worker takes the report over and ends it
        await asyncio.sleep(0.1)  # the first renewal, at once on entry, is done
        await db.reports.update_one({"_id": 41}, {"$set": {"lease_expires": leases.at(-1)}})
        # (another process: its own take and fenced writes)
        taken = await leases.take(db.reports, 41, "w-other", 30)
        assert taken["lease_token"] == 2
        done = KIND.status_payload(record, "DONE", None, None, {})
        await lifecycle.write(other, KIND, 41, KIND.status_event, done,
                              fence=leases.fence(taken))
        await leases.release(db.reports, 41, leases.fence(taken))
        await lifecycle.set_status(KIND, paused, record, "FAILED", cause="INTERNAL")
        raise AssertionError("a fenced-off write must stop the old holder")
    doc = await db.reports.find_one({"_id": 41})
    assert (doc["status"], doc["lease"], doc["lease_token"]) == ("DONE", None, 2)
    assert [s[3] for s in paused.sent] == ["RUNNING"] and [s[3] for s in other.sent] == ["DONE"]


async def test_finished_work_is_not_taken(db):
    await report(db, 42, "DONE")
    async with lifecycle.hold(deps_for(db, "w"), KIND, 42, 30) as held:
        assert held is None
    assert (await db.reports.find_one({"_id": 42})).get("lease") is None


async def test_the_terminal_write_gives_the_lease_back_with_it(db):
    record = await report(db, 43, "PENDING")
    deps = deps_for(db, "w")
    async with lifecycle.hold(deps, KIND, 43, 30) as held:
        await lifecycle.set_status(KIND, deps, record, "RUNNING")
        assert (await db.reports.find_one({"_id": 43}))["lease"] == "w"
        await lifecycle.set_status(KIND, deps, record, "DONE")
        doc = await db.reports.find_one({"_id": 43})
        assert (doc["status"], doc["lease"], doc["lease_token"]) == ("DONE", None, held["lease_token"])
        # later writes of the same task are no longer fenced (nothing to lose)
        await lifecycle.set_status(KIND, deps, record, "DONE", note="after")
    assert (await db.reports.find_one({"_id": 43}))["note"] == "after"
