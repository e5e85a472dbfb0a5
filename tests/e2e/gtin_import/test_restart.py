"""A worker SIGKILLed mid-import is restarted by the supervisor and finishes the task from its
last checkpoint: exact counters, no error listed twice, one source per GTIN. Then the finished
task is purged after its (tiny) retention. Runs on its own stack."""
from __future__ import annotations

import asyncio

import pytest
from pymongo import MongoClient

from tests.e2e.gtin_import.conftest import new_participant, upload
from tests.support.participants import BASE, gtin_for
from tests.support.stack import RunningStack

N = 15_000
BAD_EVERY = 997  # a bad check digit on these lines


@pytest.fixture
def own_stack(tmp_path):
    # retention 5.4 s: the finished task is read (HTTP and store) well within it, and the
    # purge that follows is not waited for longer than it needs
    stack = RunningStack(tmp_path / "stack", env={"TRIBUTARY_TASK_RETENTION_HOURS": "0.0015",
                                                  "TRIBUTARY_TASK_PURGE_INTERVAL": "1"}).start()
    yield stack
    stack.discard()


def _file(prefix: str) -> tuple[str, list[int], set[str]]:
    rows, bad, good = ["gtin,name"], [], set()
    for i in range(N):
        gtin = gtin_for(prefix, number=i)
        if i % BAD_EVERY == 0:
            gtin = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
            bad.append(i + 2)
        else:
            good.add("0" + gtin)
        rows.append(f"{gtin},Item {i}")
    return "\n".join(rows) + "\n", bad, good


async def test_killed_worker_resumes_the_task_then_retention_purges_it(own_stack):
    who = new_participant(own_stack)
    text, bad, good = _file(who.prefix)
    body = {"link": await upload(who, text), "gtin_field": "gtin", "name": "name",
            "fields": [{"field": "name", "title": "Name"}],
            "conditions": {"language": ["en"], "country": ["276"]}}
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json=body)
    assert status == 200
    path = f"{BASE}/import/tasks/{answer['id']}"
    view = await who.api.wait_for(path, lambda b: b["processed_lines"] >= 2000, interval=0.05)
    assert view["status"] == "in_progress"
    own_stack.kill_child("worker-1")
    seen_during_restart = (await who.api.get(path))[1]
    assert seen_during_restart["status"] == "in_progress"
    final = await who.api.wait_for(path, lambda b: b["status"] in ("done", "failed"), timeout=90,
                                   interval=0.1)
    assert final["status"] == "done", final
    assert final["processed_lines"] == final["total_lines"] == N
    counts = final["counts"]
    assert {k: counts[k] for k in ("imported", "bad_lines", "bad_gtins", "bad_prefixes")} == \
        {"imported": N - len(bad), "bad_lines": 0, "bad_gtins": len(bad), "bad_prefixes": 0}
    # lines the killed run wrote after its last checkpoint are written again: `unchanged`
    assert counts["created"] + counts["unchanged"] == N - len(bad) and counts["updated"] == 0
    assert [b["line"] for b in final["bad_gtins"]] == bad
    client = MongoClient(own_stack.state["mongo_url"], directConnection=True)
    try:
        task = client[own_stack.state["mongo_db"]].gtin_import_tasks.find_one({"_id": answer["id"]})
        docs = list(client[own_stack.state["mongo_db"]].gtins.find(
            {"_id": {"$in": sorted(good)}}, {"sources": 1}))
    finally:
        client.close()
    assert task["checkpoint"]["runs"] >= 2 and task["checkpoint"]["resumed_from"] >= 2000
    assert len(docs) == len(good)
    assert all(len([s for s in d["sources"] if s["id"] == who.urn]) == 1 for d in docs)
    # retention: the finished task disappears from the table and the store
    for _ in range(200):
        status, _, _ = await who.api.get(path)
        if status == 404:
            break
        await asyncio.sleep(0.25)
    assert status == 404
