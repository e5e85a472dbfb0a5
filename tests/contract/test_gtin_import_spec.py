"""The GTIN specification's import examples (preview, import task, task status and list, the
legacy parser), replayed against the running stack as a system participant.

The examples' links point at the specification authors' CDN; tests touch loopback only, so
each request is sent as printed except that its link is the service's own upload link holding
a file with the example's columns (the links as printed are read without network in
test_spec_requests_offline.py)."""
from __future__ import annotations

import csv
import io
import json

import aiohttp
from stdnum import ean

from tests.contract.conftest import own_link
from tests.contract.examples import assert_shape, load, raw
from tests.support.participants import BASE

TASK_EXTENSIONS = {"$.bad_prefixes", "$.detail", "$.counts", "$.bad_line_details",
                   "$.file_limits", "$.kind", "$.created_at", "$.finished_at",
                   "$.bad_gtins[].reason", "$.errors_csv"}
TERMINAL = ("done", "failed")


async def relinked(name: str, who, data: bytes, scheme: bool = True) -> bytes:
    """The example's bytes with only its link replaced (by an upload link holding `data`)."""
    link = load(name)["link"]
    return raw(name).replace(json.dumps(link)[1:-1].encode(),
                             json.dumps(await own_link(who, data, scheme=scheme))[1:-1].encode())


def gtin13(n: int) -> str:
    body = f"871234{n:06d}"
    return body + ean.calc_check_digit(body)


async def test_preview_example(system):
    example = load("import_preview.response.json")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(example["header"])
    for record in example["records"] * 4:  # more lines than num_lines asks for
        writer.writerow([record[h] for h in example["header"]])
    body = await relinked("import_preview.request.json", system, out.getvalue().encode())
    status, answer = await system.send("POST", f"{BASE}/import/preview", body)
    assert status == 200, answer
    assert_shape(answer, example, {"$.bad_lines"})
    assert {k: answer[k] for k in example} == example


def _task_file() -> tuple[bytes, dict]:
    """A TSV with the example task's columns: 4 good lines, a wrong check digit, an empty GTIN
    and a line with too many cells."""
    head = "GTIN\tBrand\tFunctional_Name\tCompany_Name\tTrade_Item_Description\tGPC_Brick\n"
    good = [gtin13(n) for n in range(1, 5)]
    bad_check = good[0][:-1] + str((int(good[0][-1]) + 1) % 10)
    rows = [f"{g}\tAcme\tOat drink\tAcme Foods\tOat drink {i}\t10000188" for i, g in enumerate(good)]
    rows += [f"{bad_check}\tAcme\tX\tAcme Foods\tBad\t", "\tAcme\tX\tAcme Foods\tNo GTIN\t",
             f"{gtin13(9)}\tAcme\tX\tAcme Foods\tToo\tmany\tcells"]
    expected = {"good": ["0" + g for g in good], "bad_gtins": [(6, bad_check), (7, None)],
                "bad_lines": [8], "total": 7}
    return (head + "\n".join(rows) + "\n").encode(), expected


async def test_import_task_examples(system):
    data, expected = _task_file()
    status, started = await system.send("POST", f"{BASE}/import/tasks",
                                        await relinked("import_tasks_create.request.json", system, data))
    assert status == 200, started
    assert_shape(started, load("import_tasks_create.response.json"))
    assert started["status"] == "started"
    task = await system.api.wait_for(f"{BASE}/import/tasks/{started['id']}",
                                     lambda b: b["status"] in TERMINAL, timeout=90)
    assert task["status"] == "done", task
    assert_shape(task, load("import_task_status.response.json"), TASK_EXTENSIONS)
    assert task["message"] == "success" and task["has_header"] is True
    assert task["limits"] == {"current": "undefined", "max": "undefined"}
    assert task["total_lines"] == task["processed_lines"] == expected["total"]
    assert task["bad_lines"] == expected["bad_lines"]
    assert sorted((e["line"], e["gtin"]) for e in task["bad_gtins"]) == expected["bad_gtins"]

    status, doc, _ = await system.api.get(f"{BASE}/description?id={expected['good'][0]}")
    assert status == 200 and doc["name"] == "Oat drink 0" and doc["gpc_brick"] == "10000188"
    [source] = doc["sources"]
    spec = load("import_tasks_create.request.json")
    assert source["conditions"] == spec["conditions"]  # as given
    assert source["data"] == [
        {"text": {"title": "Brand", "text": "Acme"}},
        {"text": {"title": "Product Type", "text": "Oat drink"}},
        {"text": {"title": "Company Name", "text": "Acme Foods"}},
        {"text": {"title": "Country of Barcode Registration", "text": "Netherlands"}}]

    status, listing, _ = await system.api.get(f"{BASE}/import/tasks")
    assert status == 200 and set(listing) == {"tasks"}
    assert_shape(listing, load("import_tasks_list.response.json"),
                 {f"$.tasks[]{e[1:]}" for e in TASK_EXTENSIONS})
    assert started["id"] in [t["id"] for t in listing["tasks"]]


async def test_fields_mapping_example(system, stack):
    """The "fields" example of Start Import Task, sent as printed: Name → a text widget, Image → an
    image widget with the cell's URL as is, Cert → an image copied into the service first. The
    image to copy is at the participant's own upload link: read from the store, never fetched
    (the session stack has no fetch allow-list, so a fetch of its loopback link would fail)."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
    cert = await own_link(system, png)
    gtin = gtin13(30)
    data = f"GTIN,Name,Image,Cert\n{gtin},Oat drink,https://img.example/front.jpg,{cert}\n"
    body = (b'{"link": "' + (await own_link(system, data.encode())).encode()
            + b'", "delimiter": ",", "gtin_field": "GTIN", "name": ["Name"], "fields": '
            + raw("import_fields_mapping.json") + b"}")
    status, started = await system.send("POST", f"{BASE}/import/tasks", body)
    assert status == 200, started
    task = await system.api.wait_for(f"{BASE}/import/tasks/{started['id']}",
                                     lambda b: b["status"] in TERMINAL, timeout=90)
    assert task["status"] == "done" and task["bad_lines"] == [], task
    _, doc, _ = await system.api.get(f"{BASE}/description?id={gtin}")
    [source] = doc["sources"]
    name, image, copied = source["data"]
    assert name == {"text": {"title": "Product Name", "text": "Oat drink"}}
    assert image == {"image": [{"url": "https://img.example/front.jpg"}]}
    [picture] = copied["image"]
    assert picture["source_url"] == cert and picture["url"].startswith(f"{stack.url}{BASE}/cdn/")
    async with aiohttp.ClientSession() as http, http.get(picture["url"]) as resp:
        assert resp.status == 200 and await resp.read() == png


async def _parse(system, body: bytes) -> dict:
    status, answer = await system.send("POST", f"{BASE}/parse/file", body)
    assert status == 200 and answer == load("parse_file.response.json") == "Task in progress"
    final = await system.api.wait_for(f"{BASE}/parse/status",
                                      lambda b: b["status"] in TERMINAL, timeout=90)
    assert_shape(final, load("parse_status.response.json"))
    return final


async def test_parse_file_examples(system):
    head = "GTIN\tBrand\tFunctional_Name\tCompany_Name\tTrade_Item_Description\tGPC_Brick\n"
    gtin = gtin13(20)
    data = f"{head}{gtin}\tAcme\tSpread\tAcme Foods\tHazelnut spread\t10000188\n".encode()
    final = await _parse(system, await relinked("parse_file_gs1.request.json", system, data))
    assert final["status"] == "done" and final["message"] == "success", final
    _, doc, _ = await system.api.get(f"{BASE}/description?id={gtin}")
    assert doc["name"] == "Hazelnut spread" and doc["gpc_brick"] == "10000188"

    gtin = gtin13(21)
    head = ("GTIN\tBrand\tFunctional_Name\tCompany_Name\tTrade_Item_Description\t"
            "GTIN_gpc_segment_field\tGTIN_gpc_family_field\tGTIN_gpc_class_field\t"
            "GTIN_gpc_brick_field\n")
    data = (f"{head}{gtin}\tAcme\tSpread\tAcme Foods\tCocoa spread\t50000000\t50130000\t"
            "50132000\t10000188\n").encode()
    final = await _parse(system, await relinked("parse_file_gs1_gpc.request.json", system, data))
    assert final["status"] == "done", final
    _, doc, _ = await system.api.get(f"{BASE}/description?id={gtin}")
    assert (doc["gpc_segment"], doc["gpc_class"]) == ("50000000", "50132000")


async def test_parse_file_from_expert_example(system):
    gtin = gtin13(22)
    head = "gtin\ttitle\tDESCRIPTION\tSize\tSource\tCertificate\n"
    data = f"{head}{gtin}\tOrganic oats\tRolled oats\t500 g\tAustralia\tACO 1234\n".encode()
    # as the specification writes it: without a scheme (read as https://, the service's own)
    final = await _parse(system, await relinked("parse_file_expert.request.json", system, data,
                                                scheme=False))
    assert final["status"] == "done", final
    _, doc, _ = await system.api.get(f"{BASE}/description?id={gtin}")
    spec = load("parse_file_expert.request.json")
    [source] = doc["sources"]
    assert doc["name"] == "Organic oats" and source["conditions"] == spec["conditions"]
    kinds = [next(iter(w)) for w in source["data"]]
    assert kinds == ["text", "text", "certificates", "video", "text", "text", "text"]
    assert source["data"][2] == spec["additional_widgets"][0]["widgets"][0]
    assert source["data"][3] == spec["additional_widgets"][1]["widgets"][0]
    assert source["data"][0] == {"text": {"title": "Title", "text": "Organic oats"}}
