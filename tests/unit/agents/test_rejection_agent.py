"""agents/rejection.py through the registration agent: a create no worker can apply ends
FAILED REJECTED with a SalesFileRejected naming the reason (an unknown organisation and a
payload breaking its model: tests/unit/agents/test_registration.py)."""
from __future__ import annotations

from infra.repos import files as file_repo
from tests.unit.agents.sales_files import FILES, SALES, create_payload


async def test_text_the_store_cannot_hold_is_refused_and_kept_as_far_as_it_can_be(h):
    org = await h.org()
    payload = create_payload(org, 1601, SALES / "generic.tsv", filename="bad\ud800name.tsv")
    await h.send(FILES, 1601, "CreateSalesFile", payload, check=False)   # a lone surrogate
    assert [e["field"] for e in h.dead_letters[0]["errors"]] == ["filename"]
    rejected = h.last("SalesFileRejected")
    assert rejected["file_id"] == 1601 and "unicode" in rejected["errors"]["filename"]
    record = await file_repo.get(h.db, 1601)
    assert (record["status"], record["status_cause"]) == ("FAILED", "REJECTED")
    assert record["filename"] == "bad?name.tsv" and record["organisation"] == org


async def test_a_create_without_a_usable_id_is_rejected_without_a_record(h):
    payload = create_payload("org-404", 1, SALES / "generic.tsv")
    del payload["id"]
    await h.send(FILES, "x", "CreateSalesFile", payload)
    assert h.last("SalesFileRejected")["file_id"] is None
    assert await h.db.files.count_documents({}) == 0


async def test_a_second_create_of_a_rejected_id_changes_nothing(h):
    payload = create_payload("org-404", 1602, SALES / "generic.tsv")
    await h.send(FILES, 1602, "CreateSalesFile", payload)
    await h.send(FILES, 1602, "CreateSalesFile", payload)
    assert h.statuses(key=1602) == ["FAILED"]             # failed once
    assert len(h.events_of("SalesFileRejected")) == 2     # answered each time
