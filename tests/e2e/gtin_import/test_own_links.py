"""The path a new user takes on the default configuration (no TRIBUTARY_FETCH_ALLOW): upload a
CSV to the service's own link, preview it, import it. Own links are read from the object store,
never fetched over the network, so the loopback address of the default stack is no obstacle
(before: preview answered 400 "127.0.0.1 … a loopback address")."""
from __future__ import annotations

from tests.e2e.gtin_import.conftest import upload, wait_task
from tests.support.participants import BASE, gtin_for


async def test_upload_preview_task_without_an_allow_list(stack, brand):
    assert "TRIBUTARY_FETCH_ALLOW" not in stack.env  # the session stack is a new user's
    g = [gtin_for(brand.prefix) for _ in range(2)]
    link = await upload(brand, f"gtin,name\n{g[0]},Oat drink\n{g[1]},Rye bread\n")
    assert link.startswith(stack.url)  # a loopback link: the service's own
    status, body, _ = await brand.api.post(f"{BASE}/import/preview", json={"link": link})
    assert status == 200, body
    assert body["header"] == ["gtin", "name"] and body["records"][1] == {"gtin": g[1],
                                                                        "name": "Rye bread"}
    status, answer, _ = await brand.api.post(f"{BASE}/import/tasks", json={
        "link": link, "delimiter": ",", "gtin_field": "gtin", "name": ["name"]})
    assert status == 200, answer
    task = await wait_task(brand.api, answer["id"])
    assert task["status"] == "done" and task["counts"]["imported"] == 2, task
    status, doc, _ = await brand.api.get(f"{BASE}/description?id={g[0]}")
    assert status == 200 and doc["name"] == "Oat drink" and doc["owner"] == brand.urn


async def test_another_participants_upload_link_is_not_found(brand, rival):
    link = await upload(brand, "gtin\n")
    status, body, _ = await rival.api.post(f"{BASE}/import/preview", json={"link": link})
    assert status == 422 and body["code"] == "upload_missing"
