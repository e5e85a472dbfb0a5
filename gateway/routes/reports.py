"""Report routes: request a monthly/unmatched report of a period, read its status, snapshot and
24-hour download link, list the organisation's reports. A report whose period's processed files
changed since it ran (reimport, new file) answers `stale: true` with what changed — decided at
read time by comparing its files (id + attempt) with the period's current processed files."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from aiohttp import web

from gateway.auth import organisation
from gateway.errors import ApiError, bad_request, not_found, read_body
from infra.mongo import next_id
from infra.repos import reports as repo
from models.periods import parse_period_strict
from models.reports import TYPES, staleness
from topics.envelope import Message

COMMANDS, EVENTS = "reports.commands", "reports.events"
LINK_TTL = 24 * 3600


def _id(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 18:
        raise not_found(f"no such id {raw}")
    return int(raw)


def _page(request: web.Request) -> tuple[int, int]:
    try:
        page = max(int(request.query.get("page", 1)), 1)
        size = min(max(int(request.query.get("page_size", 50)), 1), 500)
    except ValueError:
        raise bad_request("page and page_size must be integers") from None
    return page, size


async def create(request: web.Request) -> web.Response:
    org = await organisation(request)
    body = await read_body(request)
    kind, period = body.get("type"), body.get("period")
    errors = {}
    if kind not in TYPES:
        errors["type"] = f"one of {', '.join(TYPES)}"
    if not isinstance(period, str) or parse_period_strict(period) is None:
        errors["period"] = "a reporting period YYYY-MM"
    if errors:
        raise ApiError(400, "validation_error", "some fields are missing or malformed",
                       fields=errors)
    report_id = await next_id(request.app["db"], "reports")
    message = Message("CreateReport", {"report_id": report_id, "organisation": org,
                                       "type": kind, "period": parse_period_strict(period)})
    reply = await request.app["bus"].request(COMMANDS, report_id, message, EVENTS,
                                             until=lambda m: True, timeout=10)
    status = reply.payload["status"] if reply else "PENDING"
    return web.json_response({"id": report_id, "status": status}, status=202)


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


async def read(request: web.Request) -> web.Response:
    org = await organisation(request)
    report_id = _id(request, "report_id")
    db = request.app["db"]
    view, source = await request.app["tables"].view(f"/reports/{report_id}/",
                                                    lambda: repo.get(db, report_id))
    if view is None or view.get("organisation") != org:
        raise not_found(f"no report {report_id}")
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
        body["download_url"] = await request.app["objects"].presign(view["object_key"], "GET",
                                                                    LINK_TTL)
        body["download_expires_at"] = (datetime.now(timezone.utc) + timedelta(
            seconds=LINK_TTL)).isoformat(timespec="seconds")
    return web.json_response(body, headers={"X-Tributary-Source": source})


async def listing(request: web.Request) -> web.Response:
    org = await organisation(request)
    kind, period = request.query.get("type"), request.query.get("period")
    if kind and kind not in TYPES:
        raise bad_request(f"type must be one of {', '.join(TYPES)}")
    if period and parse_period_strict(period) is None:
        raise bad_request("period must be YYYY-MM")
    page, size = _page(request)
    db = request.app["db"]
    total, docs = await repo.find(db, org, kind=kind, period=period, skip=(page - 1) * size,
                                  limit=size)
    cache: dict = {}
    results = [_public(await _with_staleness(db, d, cache)) for d in docs]
    return web.json_response({"count": total, "page": page, "page_size": size,
                              "results": results})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/reports/", create)
    app.router.add_get("/api/reports/", listing)
    app.router.add_get("/api/reports/{report_id}", read)
    app.router.add_get("/api/reports/{report_id}/", read)
