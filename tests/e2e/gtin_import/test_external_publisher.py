"""Another system starts a GTIN import by publishing the documented command straight to the
topic (a plain aiokafka producer): same result as over HTTP, status queryable over HTTP."""
from __future__ import annotations

import json
import uuid

from aiokafka import AIOKafkaProducer

from tests.e2e.gtin_import.conftest import upload, wait_task
from tests.support.participants import BASE, gtin_for


async def _publish(stack, task_id: str, command: dict) -> None:
    """Send a command to the topic as an outside system would: no gateway involved."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.state["kafka_url"])
    await producer.start()
    try:
        await producer.send_and_wait("gtin.import.commands", json.dumps(command).encode(),
                                    key=task_id.encode())
    finally:
        await producer.stop()


async def test_start_import_task_from_kafka(stack, brand):
    gtins = [gtin_for(brand.prefix) for _ in range(2)]
    csv = "gtin,name,notes\n" + "".join(f"{g},Item {n},note {n}\n" for n, g in enumerate(gtins))
    task_id = uuid.uuid4().hex
    command = {"type": "StartGtinImport", "version": 1, "message_id": uuid.uuid4().hex,
               "payload": {"task_id": task_id, "participant": brand.urn, "kind": "task",
                           "spec": {"link": await upload(brand, csv), "delimiter": ",", "has_header": True,
                                    "gtin_field": "gtin", "name": ["name"],
                                    "fields": [{"field": "notes", "title": "Notes"}],
                                    "conditions": {"language": ["en"]}}}}
    await _publish(stack, task_id, command)
    task = await wait_task(brand.api, task_id)
    assert task["status"] == "done", task
    assert task["processed_lines"] == 2 and not task["bad_gtins"]
    status, doc, _ = await brand.api.get(f"{BASE}/description?id={gtins[0]}")
    assert status == 200 and doc["owner"] == brand.urn
    texts = [w for s in doc["sources"] if s["id"] == brand.urn for w in s["data"]]
    assert {"text": {"title": "Notes", "text": "note 0"}} in texts, doc
    # the import counts its rows in the worker's metrics
    import aiohttp

    port = stack.state["worker_ports"]["worker-1"]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/metrics") as resp:
            text = await resp.text()
    line = next(ln for ln in text.splitlines()
                if ln.startswith('tributary_rows_processed_total{stage="gtin_import"}'))
    assert float(line.split()[-1]) >= 2


async def test_a_published_link_without_a_scheme_is_read_as_the_specification_writes_it(stack,
                                                                                         brand):
    """The specification writes links without a scheme; a command published straight to the
    topic with one (here the service's own upload link, `host:port/…`) imports like HTTP."""
    gtin = gtin_for(brand.prefix)
    link = (await upload(brand, f"gtin,name\n{gtin},Scheme-less\n")).split("://", 1)[1]
    task_id = uuid.uuid4().hex
    command = {"type": "StartGtinImport", "version": 1, "message_id": uuid.uuid4().hex,
               "payload": {"task_id": task_id, "participant": brand.urn, "kind": "task",
                           "spec": {"link": link, "gtin_field": "gtin", "name": ["name"]}}}
    await _publish(stack, task_id, command)
    task = await wait_task(brand.api, task_id)
    assert task["status"] == "done" and task["counts"]["imported"] == 1, task
    status, doc, _ = await brand.api.get(f"{BASE}/description?id={gtin}")
    assert status == 200 and doc["name"] == "Scheme-less"
