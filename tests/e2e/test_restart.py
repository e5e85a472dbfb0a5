"""Records survive SIGKILL of the whole embedded stack (its own stack, not the shared one)."""
from __future__ import annotations

import asyncio

from tests.support.http import Api
from tests.support.stack import RunningStack, cli


async def test_records_survive_sigkill_of_the_whole_stack(tmp_path):
    stack = RunningStack(tmp_path / "stack").start()
    try:
        org = cli(stack.data_dir, "org", "create", "Durable")
        api = Api(stack.url, org["token"])
        created = []
        for n in range(3):
            status, body, _ = await api.post("/api/files/salesfiles/", json={
                "filename": f"f{n}.csv", "filetype": "CSV", "filesize": 10 + n,
                "mongo_db_id": f"m{n}"})
            assert status == 201
            created.append(body)
        stack.kill()
        assert not stack.healthy()
        stack.start()
        api = Api(stack.url, org["token"])
        for body in created:
            status, view, _ = await api.get(f"/api/files/salesfiles/{body['id']}/")
            assert status == 200 and view["uuid"] == body["uuid"]
            assert view["status"] == "INITIALIZED"
        # and new work flows again on the restarted stack
        status, body, _ = await api.post("/api/files/salesfiles/", json={
            "filename": "after.csv", "filetype": "CSV", "filesize": 5, "mongo_db_id": "m9"})
        assert status == 201 and body["id"] > max(c["id"] for c in created)
    finally:
        stack.discard()
    await asyncio.sleep(0)
