"""Outside systems publishing straight to command topics: the same result as through HTTP,
previous versions accepted, unreadable messages dead-lettered next to good ones, and
duplicate delivery doing the work once."""
from __future__ import annotations

import asyncio
import base64
import json
import random
import secrets

from models.files import object_key
from tests.e2e.contract.conftest import envelope, metric, read_topic, scrape
from tests.support.http import Api
from tests.support.sales import ingest, wait_terminal

COMMANDS = "sales.files.commands"
_DATA = (
    "statement_period\tsale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\t"
    "release_title\tusage_type\tquantity\tcurrency\trevenue\n"
    "2025-04\t2025-03\tSpotify\tNL\tNLA1B2500001\t8712345678906\tOuter Kind\tHarbour\t"
    "Tides\tstream\t900\tEUR\t2.7000001\n"
    "2025-04\t2025-03\tDeezer\tBE\tNLA1B2500002\t8712345678906\tOuter Kind\tDunes\t"
    "Tides\tstream\t100\tEUR\t0.3000002\n"
)


def data_for(file_id: int) -> bytes:
    """Content unique to a file (the same content twice would be refused as a duplicate)."""
    return _DATA.replace("Outer Kind", f"Outer Kind {file_id}").encode()


def _new_record(org: str, file_id: int) -> dict:
    return {"organisation": org, "id": file_id, "uuid": secrets.token_hex(4),
            "filename": f"external-{file_id}.tsv", "filetype": "TSV",
            "filesize": len(data_for(file_id)),
            "mongo_db_id": f"ext-{file_id}"}


def _put_object(stack, record: dict) -> None:
    path = stack.data_dir / "objects" / object_key(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data_for(record["id"]))


async def test_external_publisher_gets_the_http_result(stack, org, api, producer):
    """CreateSalesFile + ProcessSalesFile for an object already in the store, published with a
    plain Kafka producer; one with ProcessSalesFile v1, one with the previous version (v0)."""
    ids = [random.randint(10**9, 2 * 10**9) for _ in range(2)]
    for file_id, (version, payload) in zip(ids, [(1, {"file_id": ids[0]}), (0, {"id": ids[1]})]):
        record = _new_record(org["id"], file_id)
        _put_object(stack, record)
        key = str(file_id).encode()
        await producer.send_and_wait(COMMANDS, envelope("CreateSalesFile", record), key=key)
        await producer.send_and_wait(COMMANDS, envelope("ProcessSalesFile", payload, version),
                                     key=key)
    for file_id in ids:
        final = await wait_terminal(api, file_id)
        assert final["status"] == "FINALIZED", final
        assert final["total_rows"] == 2 and final["reporting_period"] == "2025-04"
        assert [h["status"] for h in final["history"]][-1] == "FINALIZED"
        status, snap, _ = await api.get(f"/api/files/salesfiles/{file_id}/snapshot/")
        assert status == 200 and snap["byArtist"]


async def test_unreadable_messages_are_dead_lettered_and_good_ones_processed(
        stack, org, api, producer):
    marker = secrets.token_hex(6)
    key = f"dl-{marker}".encode()
    bad = {
        "not JSON": f"{{not json {marker}".encode(),
        "missing": envelope("ProcessSalesFile", {"note": marker}),
        "not supported": envelope("ProcessSalesFile", {"file_id": 1, "note": marker}, version=9),
        "unknown message type": envelope("DeleteEverything", {"note": marker}),
        "payload must be": json.dumps({"type": "ProcessSalesFile", "version": 1,
                                       "payload": [marker]}).encode(),
    }
    good = _new_record(org["id"], random.randint(2 * 10**9, 3 * 10**9))
    good["mongo_db_id"] = marker
    for raw in bad.values():
        await producer.send_and_wait(COMMANDS, raw, key=key)
    # a good command behind the bad ones on the same partition: the agent kept going
    await producer.send_and_wait(COMMANDS, envelope("CreateSalesFile", good), key=key)
    view = await api.wait_for(f"/api/files/salesfiles/{good['id']}/", lambda b: True, timeout=30)
    assert view["mongo_db_id"] == marker and view["status"] == "INITIALIZED"
    letters = []
    for _ in range(50):
        letters = [json.loads(r.value) for r in await read_topic(stack, "tributary.deadletter")]
        letters = [d for d in letters
                   if marker.encode() in base64.b64decode(d["payload"]["original_b64"])]
        if len(letters) >= len(bad):
            break
        await asyncio.sleep(0.2)
    assert len(letters) == len(bad), letters
    originals = {base64.b64decode(d["payload"]["original_b64"]): d["payload"] for d in letters}
    for reason, raw in bad.items():
        entry = originals[raw]  # the original bytes, exactly
        assert reason in entry["reason"], (reason, entry["reason"])
        assert entry["topic"] == COMMANDS and isinstance(entry["offset"], int)
    assert all(d["type"] == "MessageDeadLettered" for d in letters)


async def test_the_same_command_twice_does_the_work_once(stack, api, producer, worker_url):
    from tests.e2e.sales.test_pipeline import GENERIC

    final = await ingest(api, "twice.tsv", GENERIC.replace(b"Aurora", b"Twice"))
    assert final["status"] == "FINALIZED", final
    before = metric(scrape(worker_url + "/metrics"), "tributary_commands_duplicate_total",
                    topic=COMMANDS)
    message_id = secrets.token_hex(16)
    command = envelope("ReimportSalesFile", {"file_id": final["id"]}, message_id=message_id)
    key = str(final["id"]).encode()
    await producer.send_and_wait(COMMANDS, command, key=key)
    await producer.send_and_wait(COMMANDS, command, key=key)
    for _ in range(150):
        after = metric(scrape(worker_url + "/metrics"), "tributary_commands_duplicate_total",
                       topic=COMMANDS)
        if after > before:
            break
        await asyncio.sleep(0.2)
    assert after == before + 1
    done = await api.wait_for(f"/api/files/salesfiles/{final['id']}/",
                              lambda b: b["status"] == "FINALIZED" and b["attempt"] == 2)
    assert [h["status"] for h in done["history"]].count("REIMPORT") == 1
    # the skipped duplicate was logged as JSON with its message id and file id
    lines = [json.loads(line) for line in
             (stack.data_dir / "logs" / "worker-1.log").read_text().splitlines()
             if line.startswith("{")]
    skipped = [x for x in lines if x.get("message_id") == message_id
               and "already handled" in x["message"]]
    assert skipped and skipped[0]["file_id"] == final["id"]
    assert skipped[0]["service"].startswith("worker")
    unauthorised = Api(stack.url)
    status, _, _ = await unauthorised.get(f"/api/files/salesfiles/{final['id']}/")
    assert status == 401
