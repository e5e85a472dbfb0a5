"""Two gateways on one embedded stack (`tributary up --gateways 2`, as behind a load balancer):
whichever gateway a client's next request reaches, it sees what its previous command was
answered with (read-your-writes across gateways, gateway/freshness.py), and both gateways give
the same answers for the same entity."""
from __future__ import annotations

import pytest

from models.files import STATUSES
from tests.e2e.gtin_import.conftest import new_participant, upload
from tests.reliability.conftest import sales_file
from tests.support.http import Api, put_bytes
from tests.support.participants import BASE, gtin_for
from tests.support.sales import TERMINAL
from tests.support.stack import RunningStack, cli

ROUNDS = 6


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    stack = RunningStack(tmp_path_factory.mktemp("two-gateways"), gateways=2).start()
    yield stack
    stack.discard()


async def _status(api: Api, file_id: int) -> tuple[str, str]:
    status, body, headers = await api.get(f"/api/files/salesfiles/{file_id}/")
    assert status == 200, body
    return body["status"], headers.get("X-Tributary-Source", "")


async def test_each_command_is_seen_by_the_other_gateway_at_once(two):
    assert len(two.urls) == 2 and two.urls[0] != two.urls[1]
    token = cli(two.data_dir, "org", "create", "Two Gateways")["token"]
    gateways = [Api(url, token) for url in two.urls]
    sources, finals = set(), []
    for n in range(ROUNDS):
        a, b = gateways[n % 2], gateways[1 - n % 2]
        data, total, quantity = sales_file(12, tag=f"two{n}")
        status, record, _ = await a.post("/api/files/salesfiles/", json={
            "filename": f"two-{n}.tsv", "filetype": "TSV", "filesize": len(data),
            "mongo_db_id": "x"})
        assert status == 201, record
        file_id = record["id"]
        assert (await _status(b, file_id))[0] == "INITIALIZED"
        status, body, _ = await a.post(f"/api/files/salesfiles/{file_id}/process/",
                                       json={"action": "upload"})
        assert status == 200, body
        seen, source = await _status(b, file_id)
        assert seen == "UPLOADING", f"gateway B answered {seen} ({source}) after A's upload"
        sources.add(source)
        assert await put_bytes(body["presigned_url"], data) in (200, 201, 204)
        # the next command goes to the other gateway, which must know the file is UPLOADING
        status, body, _ = await b.post(f"/api/files/salesfiles/{file_id}/process/",
                                       json={"action": "process"})
        assert status == 202, body
        after = body["status"]
        seen, source = await _status(a, file_id)  # never a status before B's answer
        assert STATUSES.index(seen) >= STATUSES.index(after), (after, seen, source)
        final = await b.wait_for(f"/api/files/salesfiles/{file_id}/",
                                 lambda v: v["status"] in TERMINAL, timeout=60, interval=0.1)
        finals.append((final, total, quantity))
        for api in gateways:  # both answer the same record
            status, body, _ = await api.get(f"/api/files/salesfiles/{file_id}/")
            assert body == final
    assert "view" in sources  # answered from a gateway's own view, proved current
    for final, total, quantity in finals:
        assert final["status"] == "FINALIZED", final


async def test_a_gtin_import_task_created_on_one_gateway_is_read_on_the_other(two):
    # the import file goes to the service's own upload link
    who = new_participant(two)
    other = Api(two.urls[1], headers=who.api.headers)
    lines = ["gtin,name"] + [f"{gtin_for(who.prefix, number=i)},Item {i}" for i in range(30)]
    body = {"link": await upload(who, "\n".join(lines) + "\n"), "gtin_field": "gtin",
            "name": "name", "fields": [{"field": "name", "title": "Name"}],
            "conditions": {"language": ["en"], "country": ["276"]}}
    status, task, _ = await who.api.post(f"{BASE}/import/tasks", json=body)
    assert status == 200, task
    status, seen, _ = await other.get(f"{BASE}/import/tasks/{task['id']}")
    assert status == 200, seen
    done = await other.wait_for(f"{BASE}/import/tasks/{task['id']}",
                                lambda v: v["status"] in ("done", "failed"), timeout=60)
    assert done["status"] == "done", done
    status, mine, _ = await who.api.get(f"{BASE}/import/tasks/{task['id']}")
    assert mine == done
