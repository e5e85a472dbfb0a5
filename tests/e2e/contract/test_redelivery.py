"""A worker killed between recording a file's last status and announcing it: the command comes
again (Kafka redelivers what was not committed), finds the work ended, and announces the
recorded status, so the gateway's view and the tables are not left one status behind for good
(the failover test met this: a file FINALIZED in the store, PROCESSED in every view)."""
from __future__ import annotations

import asyncio
import secrets

from pymongo import AsyncMongoClient

from tests.e2e.contract.conftest import envelope
from tests.e2e.contract.test_publishers import data_for
from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli
from topics.envelope import now_iso

IMPORTS = "sales.import.commands"


async def _view(api: Api, file_id: int, until, timeout: float = 30.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, body, _ = await api.get(f"/api/files/salesfiles/{file_id}/")
        assert status == 200, body
        if until(body) or asyncio.get_running_loop().time() > deadline:
            return body
        await asyncio.sleep(0.05)


async def test_a_redelivered_command_announces_the_status_recorded_without_its_event(
        stack, producer):
    org = cli(stack.data_dir, "org", "create", f"Redelivery {secrets.token_hex(3)}")
    api = Api(stack.url, org["token"])
    final = await ingest(api, "redelivered.tsv", data_for(7_000_001))
    assert final["status"] == "FINALIZED", final
    file_id = final["id"]
    # what the worker recorded before it was killed: the file VOIDED, no event emitted
    client = AsyncMongoClient(stack.state["mongo_url"], directConnection=True)
    try:
        files = client[stack.state["mongo_db"]].files
        ts, doc = now_iso(), await files.find_one({"_id": file_id})
        await files.update_one({"_id": file_id}, {"$set": {
            "status": "VOIDED", "updated_at": ts,
            "history": [*doc["history"], {"status": "VOIDED", "ts": ts}]}})
        stale = await _view(api, file_id, lambda b: False, timeout=1.0)
        assert stale["status"] == "FINALIZED"   # every view is one status behind

        for _ in range(2):   # redelivered, then replayed by an operator: announced, not added
            await producer.send_and_wait(IMPORTS, envelope("ImportSalesFile", {
                "file_id": file_id, "attempt": final["attempt"]}), key=str(file_id).encode())
        view = await _view(api, file_id, lambda b: b["status"] == "VOIDED")
        assert view["status"] == "VOIDED", view
        await asyncio.sleep(1.0)   # the second announcement folded too
        stored = await files.find_one({"_id": file_id})
    finally:
        await client.close()
    status, view, _ = await api.get(f"/api/files/salesfiles/{file_id}/")
    assert status == 200 and view["status"] == "VOIDED"
    assert view["history"] == stored["history"], "the view's history is the recorded one"
    assert [h["status"] for h in view["history"]].count("VOIDED") == 1
