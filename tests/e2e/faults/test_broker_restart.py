"""Restarts on a stack of our own (default configuration): the embedded broker keeps nothing
across a restart, yet gateway and workers reconnect by themselves, work in flight is driven to a
terminal state from MongoDB and new work flows again; and records survive SIGKILL of the whole
stack. One stack for both (each test is whole on its own). The SIGKILL one runs first: the
broker test then starts from a cleanly restarted stack, where the other order would have the
SIGKILL test's creates published just after a broker restart."""
from __future__ import annotations

import asyncio

import pytest

from tests.e2e.sales.test_pipeline import GENERIC
from tests.support.http import Api
from tests.support.sales import process, register, upload, wait_terminal
from tests.support.stack import RunningStack, cli


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    stack = RunningStack(tmp_path_factory.mktemp("broker-restart")).start()
    yield stack
    stack.discard()


async def _healthy(stack, timeout=90.0) -> bool:
    for _ in range(int(timeout / 0.25)):
        if stack.healthy():
            return True
        await asyncio.sleep(0.25)
    return False


async def test_records_survive_sigkill_of_the_whole_stack(own_stack):
    org = cli(own_stack.data_dir, "org", "create", "Durable")
    api = Api(own_stack.url, org["token"])
    created = []
    for n in range(3):
        status, body, _ = await api.post("/api/files/salesfiles/", json={
            "filename": f"f{n}.csv", "filetype": "CSV", "filesize": 10 + n,
            "mongo_db_id": f"m{n}"})
        assert status == 201
        created.append(body)
    own_stack.kill()
    assert not own_stack.healthy()
    own_stack.start()
    api = Api(own_stack.url, org["token"])
    for body in created:
        status, view, _ = await api.get(f"/api/files/salesfiles/{body['id']}/")
        assert status == 200 and view["uuid"] == body["uuid"]
        assert view["status"] == "INITIALIZED"
    # and new work flows again on the restarted stack
    status, body, _ = await api.post("/api/files/salesfiles/", json={
        "filename": "after.csv", "filetype": "CSV", "filesize": 5, "mongo_db_id": "m9"})
    assert status == 201 and body["id"] > max(c["id"] for c in created)


async def test_broker_restart_recovers_in_flight_and_new_work(own_stack):
    org = cli(own_stack.data_dir, "org", "create", "Restart Label")
    api = Api(own_stack.url, org["token"])
    data = GENERIC.replace(b"Aurora", b"Before")
    record = await register(api, "in-flight.tsv", data)
    await upload(api, record["id"], data)
    own_stack.kill_child("broker")           # the supervisor starts a new, empty broker
    await asyncio.sleep(1.0)
    assert await _healthy(own_stack), own_stack.log()
    # the upload was stored before the broker went away: processing it now works
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "process"})
    assert status == 202, body
    final = await wait_terminal(api, record["id"], timeout=120)
    assert final["status"] == "FINALIZED", final
    # and a brand-new file flows end to end
    data2 = GENERIC.replace(b"Aurora", b"After")
    fresh = await register(api, "after.tsv", data2)
    await upload(api, fresh["id"], data2)
    await process(api, fresh["id"])
    assert (await wait_terminal(api, fresh["id"], timeout=120))["status"] == "FINALIZED"
