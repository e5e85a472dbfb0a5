"""The console's event streams over plain HTTP: stream tickets (signed, expiring, one
organisation) and server-sent events that carry only the ticket's organisation's events."""
from __future__ import annotations

import asyncio
import json

import aiohttp

from gateway.console import tickets
from tests.support.http import Api
from tests.support.sales import register, upload


def test_tickets_name_one_organisation_and_expire():
    ticket, expires = tickets.issue("s3cret", "org-7", now=1000.0)
    assert expires == 1000 + tickets.TTL
    assert tickets.verify("s3cret", ticket, now=1000.0 + tickets.TTL) == "org-7"
    assert tickets.verify("s3cret", ticket, now=1001.0 + tickets.TTL) is None  # expired
    assert tickets.verify("other", ticket, now=1000.0) is None  # another secret
    sig = ticket.partition(".")[2]
    forged = tickets.issue("s3cret", "org-8", now=1000.0)[0].partition(".")[0]
    assert tickets.verify("s3cret", f"{forged}.{sig}", now=1000.0) is None
    assert tickets.verify("s3cret", "", now=1000.0) is None
    assert tickets.verify("s3cret", "garbage.value", now=1000.0) is None


async def _events(url: str, out: list, ready: asyncio.Event) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            assert resp.status == 200 and resp.content_type == "text/event-stream"
            event = None
            async for raw in resp.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    if event == "ready":
                        ready.set()
                    else:
                        out.append(json.loads(line[6:]))


async def test_file_stream_carries_only_the_tickets_organisation(api: Api, other_api: Api, stack):
    status, body, _ = await api.get("/api/events/files?ticket=nope")
    assert status == 401 and body["code"] == "unauthorized"
    status, body, _ = await Api(stack.url).post("/api/events/ticket")
    assert status == 401
    status, grant, _ = await api.post("/api/events/ticket")
    assert status == 200 and set(grant["streams"]) == {"files", "reports"}
    status, _, _ = await api.get(f"/api/events/nothing?ticket={grant['ticket']}")
    assert status == 404

    seen: list = []
    ready = asyncio.Event()
    reader = asyncio.create_task(_events(stack.url + grant["streams"]["files"], seen, ready))
    await asyncio.wait_for(ready.wait(), 10)
    ours = await register(api, "ours.tsv", b"x" * 10)
    theirs = await register(other_api, "theirs.tsv", b"y" * 10)
    await upload(api, ours["id"], b"x" * 10)
    await upload(other_api, theirs["id"], b"y" * 10)
    for _ in range(100):
        if any(e["type"] == "SalesFileStatusChanged" for e in seen):
            break
        await asyncio.sleep(0.05)
    reader.cancel()
    ids = {e["payload"]["file_id"] for e in seen}
    assert ids == {ours["id"]}, seen
    assert [e["type"] for e in seen][:2] == ["SalesFileRegistered", "SalesFileStatusChanged"]
    assert seen[1]["payload"]["status"] == "UPLOADING"


async def test_progress_events_are_attributed_by_one_lookup_per_file():
    from collections import OrderedDict

    from gateway.console import stream
    from gateway.keys import TABLES
    from topics.envelope import Message

    class Tables:
        calls: list = []

        async def file(self, file_id):
            self.calls.append(file_id)
            return ({"organisation": "org-a"} if file_id == 1 else None), "table"

    app = {TABLES: Tables(), stream._ORGS: OrderedDict()}
    progress = Message("SalesFileProgressed", {"file_id": 1, "stage": "CLEANING", "rows": 5})
    assert await stream._file_org(app, progress) == "org-a"
    assert await stream._file_org(app, progress) == "org-a"
    assert Tables.calls == [1]  # cached after the first lookup
    changed = Message("SalesFileStatusChanged", {"file_id": 2, "organisation": "org-b",
                                                 "status": "CLEANING"})
    assert await stream._file_org(app, changed) == "org-b"
    assert await stream._file_org(app, Message("SalesFileProgressed", {"file_id": 2})) == "org-b"
    assert await stream._file_org(app, Message("SalesFileProgressed", {"file_id": 3})) is None
    assert Tables.calls == [1, 3]
