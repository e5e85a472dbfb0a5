"""Server-sent event streams of one organisation's status events, fed by the gateway's bus.

    GET /api/events/files?ticket=…    sales-file events (SalesFileRegistered/StatusChanged/Progressed)
    GET /api/events/reports?ticket=…  report events (ReportStatusChanged)

Each event is `event: <type>` with `data: {"type", "ts", "payload"}`. The first event is `ready`
(sent once the stream is subscribed, so a page that loads its list on `ready` misses nothing);
a comment line every `HEARTBEAT` seconds keeps proxies from closing the connection and detects
gone clients. A stream ends after `MAX_AGE` seconds (the page trades its token for a new ticket
and reconnects), so a revoked token stops receiving events soon after.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from aiohttp import web
from pydantic import Field

from gateway.auth import organisation
from gateway.console import tickets
from gateway.contract import Media, endpoint
from gateway.errors import ApiError, not_found
from gateway.keys import BUS, SETTINGS, TABLES
from gateway.schemas.common import QueryModel, ResponseModel
from topics.envelope import Message

HEARTBEAT = 15.0
MAX_AGE = 30 * 60
CLOSING = web.AppKey[asyncio.Event]("closing")
_ORGS = web.AppKey[OrderedDict]("file_orgs")
OrgOf = Callable[[web.Application, Message], Awaitable[str | None]]


async def _file_org(app: web.Application, msg: Message) -> str | None:
    """The organisation of a sales-file event; Progressed names only the file, so its owner is
    looked up once per file id (a file never changes organisation) and cached."""
    cache: OrderedDict = app[_ORGS]
    payload = msg.payload
    org = (payload.get("record") or {}).get("organisation") or payload.get("organisation")
    file_id = payload.get("file_id")
    if org is None and file_id is not None:
        org = cache.get(file_id)
        if org is None:
            try:
                view, _ = await app[TABLES].file(int(file_id))
            except (TypeError, ValueError):
                view = None
            org = (view or {}).get("organisation")
    if org is not None and file_id is not None:
        cache[file_id] = org
        cache.move_to_end(file_id)
        while len(cache) > 10_000:
            cache.popitem(last=False)
    return org


async def _payload_org(app: web.Application, msg: Message) -> str | None:
    return msg.payload.get("organisation")


STREAMS: dict[str, tuple[str, OrgOf]] = {
    "files": ("sales.files.events", _file_org),
    "reports": ("reports.events", _payload_org),
}


def _frame(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n".encode()


async def stream(request: web.Request, query: Any = None) -> web.StreamResponse:
    """Server-sent events of the ticket's organisation (`files` or `reports`).

    Opened with `?ticket=` from POST /api/events/ticket (EventSource cannot send headers).
    First event `ready`, then one event per status event, named by its type, with data
    `{"type", "ts", "payload"}`; a comment line every 15 s; the stream ends after 30 minutes."""
    name = request.match_info.get("stream", "files")
    if name not in STREAMS:
        raise not_found(f"no event stream {name!r}; streams: {', '.join(STREAMS)}")
    topic_name, org_of = STREAMS[name]
    app = request.app
    org = tickets.verify(app[SETTINGS].secret, request.query.get("ticket", ""))
    if org is None:
        raise ApiError(401, "unauthorized", "send ?ticket= from POST /api/events/ticket "
                       "(tickets expire after a minute; get a new one)")
    bus = app[BUS]
    if topic_name not in bus.event_topics:
        raise not_found(f"the gateway does not follow {topic_name}")
    queue = bus.subscribe(topic_name)
    closing: asyncio.Event = app[CLOSING]
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                       "Cache-Control": "no-cache, no-transform",
                                       "X-Accel-Buffering": "no"})
    try:
        await resp.prepare(request)
        await resp.write(b"retry: 2000\n" + _frame("ready", {"stream": name}))
        deadline = asyncio.get_running_loop().time() + MAX_AGE
        while not closing.is_set() and asyncio.get_running_loop().time() < deadline:
            getter = asyncio.ensure_future(queue.get())
            stopper = asyncio.ensure_future(closing.wait())
            done, _ = await asyncio.wait({getter, stopper}, timeout=HEARTBEAT,
                                         return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if getter not in done:
                getter.cancel()
                await resp.write(b": keep-alive\n\n")
                continue
            msg: Message = getter.result()
            if await org_of(app, msg) != org:
                continue
            await resp.write(_frame(msg.type, {"type": msg.type, "ts": msg.ts,
                                               "payload": msg.payload}))
    except (ConnectionResetError, ConnectionError):
        pass  # the page went away
    finally:
        bus.unsubscribe(queue)
    return resp


async def issue_ticket(request: web.Request):
    """A stream ticket: trade the Bearer token for a 60-second ticket that opens event streams.

    Answers `{ticket, expires_in, streams: {files, reports}}` (the stream URLs with the ticket)."""
    org = await organisation(request)
    ticket, expires = tickets.issue(request.app[SETTINGS].secret, org)
    return {"ticket": ticket, "expires_in": expires - int(time.time()),
            "streams": {n: f"/api/events/{n}?ticket={ticket}" for n in STREAMS}}


async def _on_shutdown(app: web.Application) -> None:
    app[CLOSING].set()  # end open streams so the gateway stops at once


class StreamQuery(QueryModel):
    ticket: str = Field("", max_length=500, description="from POST /api/events/ticket")


class StreamTicket(ResponseModel):
    """A 60-second ticket and the stream URLs it opens."""
    ticket: str
    expires_in: int = Field(description="seconds")
    streams: dict[str, str] = Field(description="stream name → URL (with the ticket)")


# EventSource cannot send headers: the credential is the `ticket` query parameter
stream = endpoint(query=StreamQuery, security=[{"streamTicket": []}], errors=(401, 404), responses={
    200: Media("text/event-stream", "server-sent events")})(stream)
issue_ticket = endpoint(auth=organisation, responses={200: StreamTicket},
                        errors=(401,))(issue_ticket)


def setup(app: web.Application) -> None:
    app[CLOSING] = asyncio.Event()
    app[_ORGS] = OrderedDict()
    app.on_shutdown.append(_on_shutdown)
    app.router.add_post("/api/events/ticket", issue_ticket)
    app.router.add_get("/api/events/{stream}", stream)
    app.router.add_get("/api/files/events", stream)
