"""A report the gateway stored PENDING with its outbox entry (gateway/routes/reports.py): the
worker's create is idempotent with that record, and the relay keeps the entry until a worker
ran the report."""
from __future__ import annotations

from infra import outbox
from infra.repos import reports as repo
from models.reports import report_created
from topics.envelope import Message

REPORTS = "reports.commands"
PAST = "2020-01-01T00:00:00.000+00:00"


async def stored_first(h, report_id: int, org: str, **entry) -> Message:
    """As the gateway stores it: the first record and its command, one write."""
    message = Message("CreateReport", {"report_id": report_id, "organisation": org,
                                       "type": "monthly", "period": "2024-01"})
    _, record = report_created(message.payload, message.ts)
    item = {**outbox.entry(REPORTS, report_id, message), **entry}
    assert await repo.insert(h.db, outbox.embed(record, item))
    return message


async def test_the_worker_runs_a_report_the_gateway_stored_and_announces_it_once(h):
    org = await h.org()
    message = await stored_first(h, 51, org)
    listed = await repo.find(h.db, org)
    assert listed[0] == 1 and listed[1][0]["status"] == "PENDING"  # listed before any worker
    await h.send_raw(REPORTS, 51, message.encode())
    statuses = h.statuses("report_id", 51, "ReportStatusChanged")
    assert statuses[0] == "PENDING" and statuses[-1] == "DONE", statuses
    assert statuses.count("PENDING") == 1
    done = await repo.get(h.db, 51)
    assert done["status"] == "DONE" and done["created_at"] == message.ts
    assert [s["status"] for s in done["history"]] == ["PENDING", "RUNNING", "DONE"]
    h.clear()
    await h.send_raw(REPORTS, 51, message.encode())  # a redelivery: nothing announced again
    assert h.sent == [] and (await repo.get(h.db, 51))["status"] == "DONE"


async def test_an_embedded_entry_is_relayed_until_the_report_ran_then_dropped(h):
    org = await h.org()
    message = await stored_first(h, 52, org, next_at=PAST)
    h.clear()
    await h.tick("outbox.outbox_relay")  # the stored PENDING record is not "delivered"
    assert [s.message.message_id for s in h.sent] == [message.message_id]
    await h.settle()
    assert (await repo.get(h.db, 52))["status"] == "DONE"
    await h.db.reports.update_one({"_id": 52}, {"$set": {
        f"_outbox.{message.message_id}.next_at": PAST}})
    h.clear()
    await h.tick("outbox.outbox_relay")
    assert h.sent == [] and "_outbox" not in await h.db.reports.find_one({"_id": 52})


async def test_an_embedded_entry_never_handled_fails_the_stored_report(h):
    org = await h.org()
    await stored_first(h, 53, org, next_at=PAST, tries=outbox.TRIES)
    await h.tick("outbox.outbox_relay")
    failed = await repo.get(h.db, 53)
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "UNDELIVERED")


async def test_an_unknown_organisation_is_rejected_and_the_stored_record_fails(h):
    message = await stored_first(h, 54, "org-404")
    sent = await h.send_raw(REPORTS, 54, message.encode())
    assert [s.type for s in sent][0] == "ReportRejected"  # the gateway's 409 comes first
    failed = await repo.get(h.db, 54)
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "REJECTED")
