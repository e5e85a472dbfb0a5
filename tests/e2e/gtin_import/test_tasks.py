"""Import tasks end to end: HTTP → gateway → Kafka → import agent → MongoDB/objects → table → HTTP,
on the default configuration (files uploaded to the service's own links, no fetch allow-list)."""
from __future__ import annotations

import asyncio

from infra.stack.processes import free_port
from tests.e2e.gtin_import.conftest import PNG, upload, wait_task
from tests.support.participants import BASE, gtin_for


async def start(who, body, kind="tasks"):
    status, answer, _ = await who.api.post(f"{BASE}/import/{kind}", json=body)
    assert status == 200, answer
    return answer


async def describe(who, gtin14):
    status, doc, _ = await who.api.get(f"{BASE}/description?id={gtin14}")
    assert status == 200, doc
    return doc


def own_sources(doc, who):
    return [s for s in doc["sources"] if s["id"] == who.urn]


async def test_seed_text_fields_import(brand):
    g = [gtin_for(brand.prefix) for _ in range(3)]
    csv = ("gtin,name,brand,description,ingredients,brick\n"
           f"{g[0]},Oat drink,Acme Oats,Creamy oat drink,\"oats, water\",10000188\n"
           f"{g[1]},Oat bar,Acme Oats,Chewy bar,oats,\n"
           f"{g[2]},Rye bread,Acme Bakery,,rye,\n")
    body = {"link": await upload(brand, csv), "delimiter": ",", "has_header": True,
            "fields": [{"field": "description", "title": "Description", "position": 0},
                       {"field": "ingredients", "title": "Ingredients", "position": 1}],
            "name": ["name"], "brand": "brand", "gtin_field": "gtin", "gpc_brick_field": "brick",
            "conditions": {"language": ["en"], "country": ["036"]}}
    answer = await start(brand, body)
    assert answer["status"] == "started" and set(answer) == {"id", "status", "ts"}
    task = await wait_task(brand.api, answer["id"])
    assert task["status"] == "done", task
    assert task["total_lines"] == task["processed_lines"] == 3 and task["has_header"] is True
    assert task["bad_lines"] == task["bad_gtins"] == task["bad_prefixes"] == []
    assert task["counts"]["imported"] == 3 and task["file_limits"]["batch_lines"] == 1000
    assert task["limits"] == {"current": "undefined", "max": "undefined"}  # the specification's
    assert task["message"] == "success"
    first = await describe(brand, "0" + g[0])
    assert first["name"] == "Oat drink" and first["owner"] == brand.urn
    assert (first["gpc_brick"], first["gpc_class"], first["gpc_family"], first["gpc_segment"]) == \
        ("10000188", "50132000", "50130000", "50000000")
    assert first["sources"] == [{"id": brand.urn, "type": "brand",
                                 "conditions": {"language": ["en"], "country": ["036"]},
                                 "data": [{"text": {"title": "Description", "text": "Creamy oat drink"}},
                                          {"text": {"title": "Ingredients", "text": "oats, water"}}]}]
    second, third = await describe(brand, "0" + g[1]), await describe(brand, "0" + g[2])
    assert second["brand_id"] == first["brand_id"] != third["brand_id"] and first["brand_id"]
    assert [w["text"]["title"] for w in third["sources"][0]["data"]] == ["Ingredients"]
    # importing the same file again changes nothing: one source per participant and conditions
    again = await wait_task(brand.api, (await start(brand, body))["id"])
    assert again["status"] == "done"
    assert len(own_sources(await describe(brand, "0" + g[0]), brand)) == 1


async def test_seed_legacy_parse_file(brand):
    status, body, _ = await brand.api.get(f"{BASE}/parse/status")
    assert status == 404
    g = gtin_for(brand.prefix)
    body = {"link": await upload(brand, f"code|label\n{g}|Spelt\n"), "delimiter": "|",
            "gtin_field": "code",
            "name": "code", "fields": [{"field": "label", "title": "Label"}]}
    status, answer, _ = await brand.api.post(f"{BASE}/parse/file", json=body)
    assert status == 200 and answer == "Task in progress"
    final = await brand.api.wait_for(f"{BASE}/parse/status", lambda b: b["status"] == "done")
    assert set(final) == {"message", "status", "ts"} and final["message"] == "success"
    assert (await describe(brand, "0" + g))["sources"][0]["data"][0]["text"]["text"] == "Spelt"
    _, listing, _ = await brand.api.get(f"{BASE}/import/tasks")
    assert all(t["kind"] == "task" for t in listing["tasks"])


async def test_every_error_list(brand):
    good = gtin_for(brand.prefix)
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    foreign = gtin_for("871" + "0" * 6)
    csv = ("gtin,name,brick\n"
           f"{good},Good,\n"          # 2
           f"{wrong_check},Bad check,\n"   # 3
           ",No GTIN,\n"              # 4
           f"{foreign},Not ours,\n"   # 5
           f"{good},Too,many,fields\n"  # 6
           f"{good},Bad brick,12345678\n"  # 7
           "12AB,Letters,\n"          # 8
           f"{good},\"Unclosed\n")    # 9
    body = {"link": await upload(brand, csv), "gtin_field": "gtin", "name": "name",
            "gpc_brick_field": "brick"}
    task = await wait_task(brand.api, (await start(brand, body))["id"])
    assert task["status"] == "done", task
    assert task["processed_lines"] == task["total_lines"] == 8
    assert [(b["line"], b["gtin"]) for b in task["bad_gtins"]] == [(3, wrong_check), (4, None), (8, "12AB")]
    assert "check digit" in task["bad_gtins"][0]["reason"]
    assert [(b["line"], b["gtin"]) for b in task["bad_prefixes"]] == [(5, "0" + foreign)]
    assert task["bad_lines"] == [6, 7, 9]  # line numbers, as the specification writes them
    assert [b["line"] for b in task["bad_line_details"]] == [6, 7, 9]
    assert task["counts"] == {"imported": 1, "created": 1, "updated": 0, "unchanged": 0,
                              "bad_lines": 3, "bad_gtins": 3, "bad_prefixes": 1}


async def test_failed_tasks_say_why(brand):
    cases = [(f"http://127.0.0.1:{free_port()}/gone.csv", "public servers"),  # no allow-list
             (await upload(brand, PNG), "PNG image"),
             (await upload(brand, "ean,name\n1,x\n"), "gtin")]
    ids = [(await start(brand, {"link": link, "gtin_field": "gtin"}))["id"] for link, _ in cases]
    for task_id, (_, words) in zip(ids, cases):
        task = await wait_task(brand.api, task_id)
        assert task["status"] == "failed" and words in task["message"], task
    status, body, _ = await brand.api.post(f"{BASE}/import/tasks", json={"link": "x"})
    assert status == 400 and "gtin_field" in body["detail"]


async def test_tasks_are_private_and_listed(brand, rival):
    g = gtin_for(brand.prefix)
    answer = await start(brand, {"link": await upload(brand, f"gtin\n{g}\n"), "gtin_field": "gtin"})
    status, body, _ = await rival.api.get(f"{BASE}/import/tasks/{answer['id']}")
    assert status == 404 and body["code"] == "not_found"
    status, _, _ = await brand.api.get(f"{BASE}/import/tasks/{answer['id']}")
    assert status == 200
    _, mine, _ = await brand.api.get(f"{BASE}/import/tasks")
    _, theirs, _ = await rival.api.get(f"{BASE}/import/tasks")
    assert answer["id"] in [t["id"] for t in mine["tasks"]]
    assert answer["id"] not in [t["id"] for t in theirs["tasks"]]
    status, _, _ = await brand.api.get(f"{BASE}/import/tasks/nope")
    assert status == 404


async def test_progress_grows_while_it_runs(big_brand):
    brand = big_brand
    n = 20_000  # a few seconds of work: several progress events (every progress_interval s)
    lines = "".join(f"{gtin_for(brand.prefix, number=i)},Item {i}\n" for i in range(n))
    answer = await start(brand, {"link": await upload(brand, "gtin,name\n" + lines),
                                 "gtin_field": "gtin", "name": "name"})
    seen = []
    while True:
        status, view, _ = await brand.api.get(f"{BASE}/import/tasks/{answer['id']}")
        assert status == 200
        seen.append(view["processed_lines"])
        if view["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    assert view["status"] == "done" and view["processed_lines"] == n and view["counts"]["imported"] == n
    assert any(0 < p < n for p in seen), seen
    assert seen == sorted(seen)
