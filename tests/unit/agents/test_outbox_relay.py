"""agents/outbox.py: the relay republishes what no worker handled, drops what was handled and
fails the entity after the last try, on entries stored as the gateway stores them."""
from __future__ import annotations

from infra import outbox
from infra.repos import files as file_repo
from infra.repos import reports as report_repo
from tests.unit.agents.sales_files import FILES, SALES, registered
from topics.envelope import Message

PAST = "2020-01-01T00:00:00.000+00:00"


async def own_entry(h, topic: str, key, message: Message, **fields) -> dict:
    item = {**outbox.entry(topic, key, message), "next_at": PAST, **fields}
    await outbox.add(h.db, item)
    return item


async def test_an_unhandled_command_is_published_again_with_its_message_id(h):
    org = await h.org()
    await registered(h, org, 1401, SALES / "generic.tsv")
    h.clear()
    message = Message("ProcessSalesFile", {"file_id": 1401})
    await own_entry(h, FILES, 1401, message)
    await h.tick("outbox.outbox_relay")
    [sent] = h.sent
    assert (sent.topic, sent.key, sent.type, sent.message.message_id) == (
        FILES, "1401", "ProcessSalesFile", message.message_id)
    stored = await h.db.outbox.find_one({"_id": message.message_id})
    assert stored["tries"] == 1 and stored["next_at"] > outbox.at(0)
    h.clear()
    await h.tick("outbox.outbox_relay")          # not due again yet
    assert h.sent == []


async def test_a_handled_command_is_dropped_without_a_send(h):
    org = await h.org()
    await registered(h, org, 1402, SALES / "generic.tsv")
    message = Message("StartSalesFileUpload", {"file_id": 1402})
    await own_entry(h, FILES, 1402, message)
    await h.send_raw(FILES, 1402, message.encode())   # a worker handles it
    h.clear()
    await h.tick("outbox.outbox_relay")
    assert h.sent == [] and await h.db.outbox.count_documents({}) == 0


async def test_an_entry_embedded_in_its_record_is_relayed_and_dropped_once_handled(h):
    org = await h.org()
    await registered(h, org, 1403, SALES / "generic.tsv")
    message = Message("StartSalesFileUpload", {"file_id": 1403})
    item = {**outbox.entry(FILES, 1403, message), "next_at": PAST}
    await h.db.files.update_one({"_id": 1403}, {"$set": outbox.pending(item)})
    h.clear()
    await h.tick("outbox.outbox_relay")
    assert [s.message.message_id for s in h.sent] == [message.message_id]
    await h.settle()                                 # the registration agent handles it
    await h.db.files.update_one({"_id": 1403}, {"$set": {f"_outbox.{item['id']}.next_at": PAST}})
    await h.tick("outbox.outbox_relay")
    assert "_outbox" not in await h.db.files.find_one({"_id": 1403})


async def test_the_relay_indexes_the_field_that_marks_records_carrying_entries(h):
    await h.tick("outbox.outbox_relay")
    for name in outbox.EMBEDDED:
        keys = [info["key"] for info in (await h.db[name].index_information()).values()]
        assert [(f"_outbox.{outbox.VERSION}", 1)] in keys, (name, keys)


async def test_a_record_without_the_version_is_found_by_the_first_turn_only(h):
    """A first turn scans every record with `_outbox`, so one written without `_v` (an older
    release, a hand edit) is still relayed; later turns find carriers by the index alone."""
    org = await h.org()
    await registered(h, org, 1404, SALES / "generic.tsv")
    message = Message("StartSalesFileUpload", {"file_id": 1404})
    item = {**outbox.entry(FILES, 1404, message), "next_at": PAST}
    await h.db.files.update_one({"_id": 1404}, {"$set": {f"_outbox.{item['id']}": item}})
    assert [e["id"] async for _, e in outbox.due(h.db)] == []    # not a carrier by the index
    h.clear()
    await h.tick("outbox.outbox_relay")                            # the relay's first turn
    assert [s.message.message_id for s in h.sent] == [message.message_id]


async def test_after_the_last_try_the_file_fails_undelivered(h):
    org = await h.org()
    await registered(h, org, 1404, SALES / "generic.tsv")
    await own_entry(h, FILES, 1404, Message("ProcessSalesFile", {"file_id": 1404}),
                    tries=outbox.TRIES)
    h.clear()
    await h.tick("outbox.outbox_relay")
    failed = h.last("SalesFileStatusChanged")
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "UNDELIVERED")
    assert f"after {outbox.TRIES} deliveries" in failed["error_message"]
    assert (await file_repo.get(h.db, 1404))["status_cause"] == "UNDELIVERED"
    assert await h.db.outbox.count_documents({}) == 0


async def test_an_undelivered_report_request_ends_failed(h):
    org = await h.org()
    payload = {"report_id": 41, "organisation": org, "type": "monthly", "period": "2025-06"}
    await own_entry(h, "reports.commands", 41, Message("CreateReport", payload),
                    tries=outbox.TRIES)
    await h.tick("outbox.outbox_relay")
    failed = h.last("ReportStatusChanged")
    assert (failed["report_id"], failed["status"], failed["status_cause"]) == (
        41, "FAILED", "UNDELIVERED")
    assert (await report_repo.get(h.db, 41))["status"] == "FAILED"
