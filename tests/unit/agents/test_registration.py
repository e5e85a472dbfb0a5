"""agents/registration.py: the sales-file lifecycle commands, without a broker."""
from __future__ import annotations

import base64
import json

from infra.repos import files as file_repo
from models.files import object_key
from tests.unit.agents.sales_files import FILES, SALES, create_payload, registered, uploaded

GENERIC = SALES / "generic.tsv"


async def test_create_stores_the_record_and_announces_it(h):
    org = await h.org()
    sent = await h.send(FILES, 501, "CreateSalesFile", create_payload(org, 501, GENERIC))
    assert [(s.topic, s.key, s.type) for s in sent] == [
        ("sales.files.events", "501", "SalesFileRegistered")]
    stored = await file_repo.get(h.db, 501)
    assert stored["status"] == "INITIALIZED" and stored["organisation"] == org
    assert stored["filesize"] == GENERIC.stat().st_size and stored["filetype"] == "TSV"
    assert h.last("SalesFileRegistered")["record"]["id"] == 501


async def test_create_without_an_id_allocates_one(h):
    org = await h.org()
    payload = create_payload(org, 0, GENERIC)
    del payload["id"]
    await h.send(FILES, "new", "CreateSalesFile", payload)
    file_id = h.last("SalesFileRegistered")["file_id"]
    assert file_id >= 1 and (await file_repo.get(h.db, file_id))["id"] == file_id


async def test_create_for_an_unknown_organisation_is_rejected_and_recorded_failed(h):
    await h.send(FILES, 502, "CreateSalesFile", create_payload("org-404", 502, GENERIC))
    assert h.last("SalesFileRejected") == {
        "file_id": 502, "errors": {"organisation": "unknown organisation 'org-404'"}}
    record = await file_repo.get(h.db, 502)
    assert (record["status"], record["status_cause"]) == ("FAILED", "REJECTED")
    assert h.statuses(key=502) == ["FAILED"]


async def test_a_create_breaking_its_model_is_dead_lettered_and_rejected(h):
    org = await h.org()
    payload = create_payload(org, 503, GENERIC, filesize=-1)
    raw = h.message("CreateSalesFile", payload).encode()
    await h.send_raw(FILES, 503, raw)
    [letter] = h.dead_letters
    assert letter["topic"] == FILES
    assert [e["field"] for e in letter["errors"]] == ["filesize"]
    assert json.loads(base64.b64decode(letter["original_b64"]))["payload"] == payload
    assert "filesize" in h.last("SalesFileRejected")["errors"]
    assert (await file_repo.get(h.db, 503))["status_cause"] == "REJECTED"


async def test_unreadable_bytes_are_dead_lettered(h):
    await h.send_raw(FILES, 9, b"not json")
    [letter] = h.dead_letters
    assert letter["topic"] == FILES and "errors" not in letter
    assert [s.type for s in h.sent] == ["MessageDeadLettered"]


async def test_a_command_for_a_missing_file_is_rejected(h):
    for command in ("StartSalesFileUpload", "ProcessSalesFile", "ReimportSalesFile",
                    "VoidSalesFile"):
        sent = await h.send(FILES, 77, command, {"file_id": 77})
        assert [s.type for s in sent] == ["SalesFileCommandRejected"]
        assert sent[0].payload["command"] == command
        assert sent[0].payload["reason"] == "no sales file 77"


async def test_start_upload_then_process_asks_for_cleaning(h):
    org = await h.org()
    record = await registered(h, org, 504, GENERIC)
    await h.send(FILES, 504, "StartSalesFileUpload", {"file_id": 504})
    assert h.last("SalesFileStatusChanged")["fields"]["object_key"] == object_key(record)
    await h.put(object_key(record), GENERIC)
    sent = await h.send(FILES, 504, "ProcessSalesFile", {"file_id": 504, "date_order": "MDY"})
    assert [(s.topic, s.type) for s in sent] == [
        ("sales.files.events", "SalesFileStatusChanged"),
        ("sales.cleaning.commands", "CleanSalesFile")]
    assert sent[1].payload == {"file_id": 504, "attempt": 1}
    stored = await file_repo.get(h.db, 504)
    assert (stored["status"], stored["attempt"], stored["date_order_requested"]) == (
        "UPLOADED", 1, "MDY")


async def test_process_without_the_upload_fails_not_uploaded(h):
    org = await h.org()
    await registered(h, org, 505, GENERIC)
    await h.send(FILES, 505, "ProcessSalesFile", {"file_id": 505})
    changed = h.last("SalesFileStatusChanged")
    assert (changed["status"], changed["status_cause"]) == ("FAILED", "NOT_UPLOADED")
    assert "found no object" in changed["error_message"]
    assert not h.events_of("CleanSalesFile")


async def test_a_redelivered_command_does_its_work_once(h):
    org = await h.org()
    record = await registered(h, org, 506, GENERIC)
    await h.put(object_key(record), GENERIC)
    message = h.message("ProcessSalesFile", {"file_id": 506})
    await h.send_raw(FILES, 506, message.encode())
    again = await h.send_raw(FILES, 506, message.encode())
    assert again == [] and len(h.events_of("CleanSalesFile")) == 1


async def test_reimport_of_a_file_never_uploaded_fails(h):
    org = await h.org()
    await registered(h, org, 507, GENERIC)
    await h.db.files.update_one({"_id": 507}, {"$set": {"status": "FINALIZED"}})
    await h.send(FILES, 507, "ReimportSalesFile", {"file_id": 507})
    assert h.last("SalesFileStatusChanged")["status_cause"] == "NOT_UPLOADED"


async def test_the_whole_pipeline_settles_finalized(h):
    org = await h.org()
    await uploaded(h, org, 508, GENERIC)
    await h.settle()
    assert h.statuses(key=508)[-5:] == ["CLEANING", "CLEANED", "PROCESSING", "PROCESSED",
                                        "FINALIZED"]
    record = await file_repo.get(h.db, 508)
    assert (record["status"], record["total_rows"]) == ("FINALIZED", 2)
    assert h.table("file_status")["508"]["status"] == "FINALIZED"


async def test_a_broker_refusing_the_announcement_is_retried_never_a_rejection(h, monkeypatch):
    """Just after a broker restart a publish can fail with aiokafka's UnknownError: the record
    is the client's, valid and stored, so the create retries its announcement; when the broker
    keeps refusing, the handler fails (logged, the gateway's 202 stands) but nothing rejects
    the file as bad input (it once answered 400 validation_error)."""
    from aiokafka.errors import UnknownError

    import infra.retry

    monkeypatch.setattr(infra.retry, "_POLICY", infra.retry._POLICY.model_copy(update={"backoff": 0.01}))
    org, send, refusals = await h.org(), h.deps.send, [2]

    async def flaky(topic, key, message):
        if refusals[0] > 0:
            refusals[0] -= 1
            raise UnknownError()
        await send(topic, key, message)

    monkeypatch.setattr(h.deps, "send", flaky)
    sent = await h.send(FILES, 511, "CreateSalesFile", create_payload(org, 511, GENERIC))
    assert [s.type for s in sent] == ["SalesFileRegistered"] and refusals == [0]

    refusals[0] = 10**6
    sent = await h.send(FILES, 512, "CreateSalesFile", create_payload(org, 512, GENERIC),
                        expect_failure=True)
    assert sent == []
    assert (await file_repo.get(h.db, 512))["status"] == "INITIALIZED"
