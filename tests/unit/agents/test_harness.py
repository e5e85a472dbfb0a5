"""tests/support/harness.py itself: it refuses what a producer refuses, fails a test whose
handler crashes, and keeps tests apart."""
from __future__ import annotations

import pytest

from tests.support.harness import HandlerFailed
from tests.unit.agents.sales_files import FILES
from topics.envelope import InvalidPayload


async def test_a_message_a_producer_would_refuse_is_refused(h):
    with pytest.raises(InvalidPayload):
        await h.send(FILES, 1, "CleanSalesFile", {"file_id": 1, "attempt": 1})  # other topic
    with pytest.raises(InvalidPayload):
        await h.send(FILES, 1, "ProcessSalesFile", {"file_id": "one"})
    with pytest.raises(LookupError):
        await h.send_raw("tributary.nothing", 1, b"{}")    # no agent consumes it


async def test_a_type_the_topic_does_not_carry_is_dead_lettered(h):
    raw = h.message("CleanSalesFile", {"file_id": 1, "attempt": 1}).encode()
    await h.send_raw(FILES, 1, raw)
    [letter] = h.dead_letters
    assert letter["reason"].startswith("unknown message type 'CleanSalesFile'")


async def test_a_crashing_handler_fails_the_send(h):
    await h.db.files.insert_one({"_id": 9, "id": 9})        # a record without a status
    with pytest.raises(HandlerFailed, match="KeyError: 'status'"):
        await h.send(FILES, 9, "StartSalesFileUpload", {"file_id": 9})
    assert await h.send(FILES, 9, "StartSalesFileUpload", {"file_id": 9}, expect_failure=True) == []


async def test_each_harness_has_a_database_of_its_own(h):
    assert await h.db.files.count_documents({}) == 0
    assert await h.db.organisations.count_documents({}) == 0
    assert h.deps.settings.mongo_db.startswith("h")


async def test_a_module_level_handler_runs_directly(h):
    from agents import registration

    sent = await h.call(registration.start_upload, "StartSalesFileUpload", {"file_id": 3})
    assert [(s.type, s.payload["reason"]) for s in sent] == [
        ("SalesFileCommandRejected", "no sales file 3")]
    assert await h.db.handled.count_documents({}) == 0   # no dispatch: nothing marked handled
