"""A change recorded whose event the broker refused (agents.lifecycle.write): the record is
marked, and the leader's sweep announces its status again, so no view stays behind for good."""
from __future__ import annotations

from infra.repos import files as file_repo
from models import files
from tests.unit.agents.test_importing import IMPORT, cleaned

TIMER = "status_table.announce_unannounced_files"


async def test_a_refused_status_event_is_announced_again_by_the_sweep(h):
    org = await h.org()
    await cleaned(h, org, 721)
    send, refused = h.deps.send, []

    async def refusing(topic_name, key, message):   # the broker refuses FINALIZED, every time
        if message.type == "SalesFileStatusChanged" and message.payload["status"] == "FINALIZED":
            refused.append(message)
            raise ConnectionError("broker refused the event")
        await send(topic_name, key, message)

    h.deps.send = refusing
    sent = await h.send(IMPORT, 721, "ImportSalesFile", {"file_id": 721, "attempt": 1},
                        expect_failure=True)      # retried, given up: the command is done with
    h.deps.send = send
    assert refused and [s.payload["status"] for s in sent] == ["PROCESSING", "PROCESSED"]
    stored = await h.db.files.find_one({"_id": 721})
    assert stored["status"] == "FINALIZED" and stored["unannounced"]
    view = files.KIND.fold(None, "SalesFileRegistered", {"record": {"id": 721}}, "")
    for s in [s for s in h.sent if s.key == "721" and s.topic == files.KIND.events]:
        view = files.apply_event(view, s.type, s.payload, s.message.ts)
    assert view["status"] == "PROCESSED"         # what was published leaves views behind

    before = len(h.sent)
    await h.tick(TIMER)
    [again] = h.sent[before:]
    record = await file_repo.get(h.db, 721)
    assert again.payload["status"] == "FINALIZED" and again.payload["fields"]["history"] == record["history"]
    healed = files.apply_event(view, again.type, again.payload, again.message.ts)
    assert healed["status"] == "FINALIZED" and healed["history"] == record["history"]
    assert "unannounced" not in await h.db.files.find_one({"_id": 721})
    before = len(h.sent)
    await h.tick(TIMER)           # announced once, not every sweep
    assert h.sent[before:] == []
