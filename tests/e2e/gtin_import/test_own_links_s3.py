"""Own links on the S3 backend: a stack whose objects live in S3 (moto's server on loopback),
started without TRIBUTARY_FETCH_ALLOW, runs upload → preview → task. The upload link is the
gateway's; preview and import read the object from S3 through the store (a ranged GET for the
preview), never by fetching a link."""
from __future__ import annotations

from tests.e2e.gtin_import.conftest import new_participant, upload, wait_task
from tests.support.participants import BASE, gtin_for


async def test_upload_preview_task_on_s3_without_an_allow_list(s3_stack):
    assert "TRIBUTARY_FETCH_ALLOW" not in s3_stack.env
    who = new_participant(s3_stack)
    g = [gtin_for(who.prefix) for _ in range(2)]
    link = await upload(who, f"gtin,name\n{g[0]},Oat drink\n{g[1]},Rye bread\n")
    status, body, _ = await who.api.post(f"{BASE}/import/preview",
                                         json={"link": link, "num_lines": 1})
    assert status == 200, body
    assert body["records"] == [{"gtin": g[0], "name": "Oat drink"}]
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json={
        "link": link, "delimiter": ",", "gtin_field": "gtin", "name": ["name"]})
    assert status == 200, answer
    task = await wait_task(who.api, answer["id"])
    assert task["status"] == "done" and task["counts"]["imported"] == 2, task
