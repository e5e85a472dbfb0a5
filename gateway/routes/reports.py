"""Report routes: request a monthly/unmatched report of a period, read its status, snapshot and
24-hour download link, list the organisation's reports. A report whose period's processed files
changed since it ran (reimport, new file) answers `stale: true` with what changed — decided at
read time by comparing its files (id + attempt) with the period's current processed files."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint
from gateway.errors import ApiError, path_id, storable
from gateway.keys import BUS, DB, OBJECTS, TABLES
from gateway.schemas.reports import Report, ReportAccepted, ReportPage, ReportQuery, ReportRequest
from infra import outbox
from infra.mongo import next_id
from infra.repos import reports as repo
from models.reports import report_created, staleness
from topics.envelope import Message

COMMANDS, EVENTS = "reports.commands", "reports.events"
LINK_TTL = 24 * 3600


def _id(request: web.Request, name: str) -> int:
    return path_id(request, name, "such id")


@endpoint(auth=organisation, body=ReportRequest, responses={202: ReportAccepted},
          errors=(400, 401, 409))
async def create(request: web.Request, body: ReportRequest):
    """Request a report of one period; follow it at `GET /api/reports/{id}/`."""
    org = await organisation(request)
    report_id = await next_id(request.app[DB], "reports")
    message = Message("CreateReport", {"report_id": report_id, "organisation": org,
                                       "type": body.type, "period": body.period})
    _, stored = report_created(message.payload, message.ts)
    # the first record (PENDING) and its command in one write: listed and readable at once,
    # and the relay delivers the command if the publish below fails (infra/outbox.py)
    await storable(repo.insert(request.app[DB], outbox.embed(
        stored, outbox.entry(COMMANDS, report_id, message))))
    reply = await request.app[BUS].request(COMMANDS, report_id, message, EVENTS,
                                             until=lambda m: True, timeout=10, durable=True)
    if reply is not None and reply.type == "ReportRejected":
        raise ApiError(409, "rejected", reply.payload["reason"])
    status = reply.payload.get("status", "PENDING") if reply else "PENDING"
    return ReportAccepted(id=report_id, status=status)


async def _with_staleness(db, view: dict, cache: dict) -> dict:
    if view.get("status") != "DONE" or not view.get("snapshot"):
        return view
    key = (view["organisation"], view["period"])
    if key not in cache:
        cache[key] = await repo.period_files(db, *key)
    change = staleness(view["snapshot"].get("files") or [], cache[key])
    view["stale"] = change is not None
    if change:
        view["stale_reason"] = change
    return view


def _public(view: dict) -> dict:
    return {k: v for k, v in view.items() if not k.startswith("_") and k != "object_key"}


@endpoint(auth=organisation, responses={200: Report}, errors=(401, 404))
async def read(request: web.Request):
    """A report's status, snapshot, staleness and (once DONE) its 24-hour download link."""
    org = await organisation(request)
    report_id = _id(request, "report_id")
    db = request.app[DB]
    view, source = await request.app[TABLES].owned(f"/reports/{report_id}/",
                                                     lambda: repo.get(db, report_id), org,
                                                     f"report {report_id}")
    if view.get("status") not in ("DONE", "FAILED"):
        # the store is written before the event goes out, so it may be a step ahead of the
        # worker table (a page that saw DONE on its live stream asks for the link at once)
        stored = await repo.get(db, report_id)
        if stored and stored.get("status") in ("DONE", "FAILED"):
            view, source = stored, "store"
    if view.get("status") == "DONE" and "snapshot" not in view:
        view = await repo.get(db, report_id) or view
    view = await _with_staleness(db, view, {})
    body = _public(view)
    if view.get("status") == "DONE" and view.get("object_key"):
        body["download_url"] = await request.app[OBJECTS].presign(view["object_key"], "GET",
                                                                    LINK_TTL)
        body["download_expires_at"] = (datetime.now(timezone.utc) + timedelta(
            seconds=LINK_TTL)).isoformat(timespec="seconds")
    return 200, body, {"X-Tributary-Source": source}


@endpoint(auth=organisation, query=ReportQuery, responses={200: ReportPage}, errors=(400, 401))
async def listing(request: web.Request, query: ReportQuery):
    """The organisation's reports, filtered by type and period."""
    org = await organisation(request)
    db = request.app[DB]
    total, docs = await repo.find(db, org, kind=query.type, period=query.period,
                                  skip=query.skip, limit=query.page_size)
    cache: dict = {}
    return query.answer(total, [_public(await _with_staleness(db, d, cache)) for d in docs])


def setup(app: web.Application) -> None:
    app.router.add_post("/api/reports/", create)
    app.router.add_get("/api/reports/", listing)
    app.router.add_get("/api/reports/{report_id}", read)
    app.router.add_get("/api/reports/{report_id}/", read)
