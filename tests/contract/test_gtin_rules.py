"""Rules the GTIN specification states in words, checked on the running stack: the product360
widget rule, the system participant's defaults, owner-only updates, 12-hour retention of
finished tasks, `has_header` default true, `num_lines` default 10, the four delimiters."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import AsyncMongoClient
from stdnum import ean

from tests.contract.conftest import own_link
from tests.contract.examples import load
from tests.support.participants import BASE

_rng = random.Random()


def own_gtin(who) -> str:
    body = who.prefix + "".join(str(_rng.randint(0, 9)) for _ in range(12 - len(who.prefix)))
    return body + ean.calc_check_digit(body)


async def created(who, gtin: str | None = None) -> str:
    gtin = gtin or own_gtin(who)
    status, body, _ = await who.api.post(f"{BASE}/gtins", json={"id": gtin, "name": "Item"})
    assert status == 201, body
    return body["id"]


async def test_without_product360_only_text_image_and_nutrition_info(basic):
    """"If module product360 isn't active - participant can create only text, image and
    nutrition_info widgets" (the add-source example has a link widget)."""
    gtin = await created(basic)
    example = load("description_add.request.json")
    status, err, _ = await basic.api.post(f"{BASE}/description", json={**example, "id": gtin})
    assert status == 400 and err["code"] == "widget_not_allowed" and err["types"] == ["link"]
    allowed = [{"text": {"title": "t", "text": "x"}}, {"image": [{"url": "https://img/1.jpg"}]},
               {"nutrition_info": {"energy": "1 kJ"}}]
    status, doc, _ = await basic.api.post(f"{BASE}/description", json={
        "id": gtin, "sources": [{"conditions": {"language": "en"}, "data": allowed}]})
    assert status == 200 and doc["sources"][0]["data"] == allowed, doc


async def test_system_participant_source_defaults(system):
    """"If source will not have id and type fields, then type="gs1" and id=ParticipantId"."""
    gtin = await created(system, "00000000000017")
    status, doc, _ = await system.api.post(f"{BASE}/description", json={
        "id": gtin, "sources": [{"conditions": {}, "data": [{"text": {"text": "x"}}]},
                                {"type": "brand", "id": "urn:authenticateit:participant:1",
                                 "conditions": {"language": "en"}, "data": []}]})
    assert status == 200, doc
    assert [(s["id"], s["type"]) for s in doc["sources"]] == [
        (system.urn, "gs1"), ("urn:authenticateit:participant:1", "brand")]
    await system.api.call("DELETE", f"{BASE}/gtins/{gtin}")


async def test_only_the_owner_updates_deletes_and_attaches(basic, contributor):
    """"Current participant must be GTIN owner" (delete); updates and attachments likewise.
    Anyone may contribute sources to an existing trade item."""
    gtin = await created(basic)
    for method, path, body in [
            ("PUT", f"/gtins/{gtin}", {"name": "x"}),
            ("PUT", f"{BASE}/gtins/{gtin}", {"name": "x"}),
            ("DELETE", f"{BASE}/gtins/{gtin}", None),
            ("POST", f"{BASE}/gtins/{gtin}/attachments/add",
             {"attachments": ["urn:epc:id:gdti:9212345.00001.008113943527211"]})]:
        status, err, _ = await contributor.api.call(method, path, json=body)
        assert status == 403 and err["code"] == "not_owner", (method, path, err)
    status, doc, _ = await contributor.api.post(f"{BASE}/description", json={
        "id": gtin, "sources": [{"conditions": {"language": "en"},
                                 "data": [{"link": {"text": "site", "url": "http://x.example"}}]}]})
    assert status == 200 and doc["owner"] == basic.urn and doc["name"] == "Item"
    status, doc, _ = await basic.api.call("PUT", f"/gtins/{gtin}", json={"name": "Renamed"})
    assert status == 200 and doc["name"] == "Renamed"


async def test_finished_tasks_are_kept_12_hours(stack):
    """"Status for finished tasks will be kept for at least 12 hours after the completion":
    the purge selects a finished task only once its 12 hours are over (default settings)."""
    from infra.config import Work
    from infra.repos import import_tasks

    RETENTION_HOURS = Work.model_construct().task_retention_hours  # the stack runs the default
    assert RETENTION_HOURS == 12
    client = AsyncMongoClient(stack.state["mongo_url"], directConnection=True)
    db = client[stack.state["mongo_db"]]
    now = datetime.now(timezone.utc)
    ids = {"contract-kept": 11.9, "contract-purged": 12.1}
    try:
        for task_id, hours in ids.items():
            finished = (now - timedelta(hours=hours)).isoformat(timespec="milliseconds")
            await db.gtin_import_tasks.insert_one({"_id": task_id, "id": task_id,
                                                   "status": "done", "finished_at": finished})
        expired = {d["_id"] for d in await import_tasks.expired(db, RETENTION_HOURS)}
        assert "contract-purged" in expired and "contract-kept" not in expired
    finally:
        await db.gtin_import_tasks.delete_many({"_id": {"$in": list(ids)}})
        await client.close()


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    return "".join(delimiter.join(r) + "\n" for r in rows).encode()


async def test_has_header_true_and_num_lines_10_by_default(system):
    rows = [["gtin", "name"]] + [[str(n), f"item {n}"] for n in range(15)]
    link = await own_link(system, _csv(rows))
    status, answer, _ = await system.api.post(f"{BASE}/import/preview", json={
        "link": link, "delimiter": ","})
    assert status == 200, answer
    assert answer["header"] == ["gtin", "name"] and len(answer["records"]) == 10
    assert answer["records"][0] == {"gtin": "0", "name": "item 0"}
    status, answer, _ = await system.api.post(f"{BASE}/import/preview", json={
        "link": link, "delimiter": ",", "has_header": False, "num_lines": 2})
    assert answer["header"] == ["1", "2"]  # generated names without a header
    assert answer["records"] == [{"1": "gtin", "2": "name"}, {"1": "0", "2": "item 0"}]
    status, task, _ = await system.api.post(f"{BASE}/import/tasks", json={
        "link": link, "delimiter": ",", "gtin_field": "gtin"})
    assert status == 200, task
    task = await system.api.wait_for(f"{BASE}/import/tasks/{task['id']}",
                                     lambda b: b["status"] in ("done", "failed"), timeout=60)
    assert task["has_header"] is True and task["total_lines"] == 15, task


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
async def test_the_four_delimiters(system, delimiter):
    rows = [["GTIN Number", "Product Name"], ["8885000350025", "LITHIUM; GREASE"]]
    if delimiter == ";":
        rows[1][1] = "LITHIUM GREASE"
    link = await own_link(system, _csv(rows, delimiter))
    status, answer, _ = await system.api.post(f"{BASE}/import/preview", json={
        "link": link, "delimiter": delimiter})
    assert status == 200, answer
    assert answer["header"] == rows[0] and answer["records"] == [dict(zip(*rows))]


async def test_other_delimiters_are_refused(system):
    link = await own_link(system, b"a:b\n1:2\n")
    status, err, _ = await system.api.post(f"{BASE}/import/preview", json={
        "link": link, "delimiter": ":"})
    assert status == 400 and [e["field"] for e in err["errors"]] == ["delimiter"], err
