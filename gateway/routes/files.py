"""Sales-file routes: register, list, read status, actions (upload/process/reimport),
snapshot, and the organisation summary. The gateway validates and publishes; agents work."""
from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta, timezone

from aiohttp import web

from gateway.auth import organisation
from gateway.errors import ApiError, bad_request, conflict, not_found, read_body
from gateway.views import answer
from infra.mongo import next_id
from infra.repos import snapshots as snapshot_repo
from models.files import REIMPORTABLE, STATUSES, object_key, public_view, validate_new_file
from models.periods import parse_period_strict
from topics.envelope import Message

COMMANDS, EVENTS = "sales.files.commands", "sales.files.events"
ACTIONS = ("upload", "process", "reimport")
UPLOAD_TTL = 3600


def _file_id(request: web.Request) -> int:
    raw = request.match_info["file_id"]
    if not raw.isdigit() or len(raw) > 18:
        raise not_found(f"no file {raw}")
    return int(raw)


async def _owned(request: web.Request, org: str) -> dict:
    file_id = _file_id(request)
    view, source = await request.app["views"].file(file_id)
    if view is None or view.get("organisation") != org:
        raise not_found(f"no file {file_id}")
    view["_source"] = source
    return view


async def create(request: web.Request) -> web.Response:
    org = await organisation(request)
    body = await read_body(request)
    fields, errors = validate_new_file(body)
    if errors:
        raise ApiError(400, "validation_error", "some fields are missing or malformed",
                       fields=errors)
    file_id = await next_id(request.app["db"], "files")
    payload = {**body, **fields, "organisation": org, "id": file_id, "uuid": secrets.token_hex(4),
               "allow_duplicate": str(body.get("allow_duplicate", "")).lower() in ("1", "true")}
    reply = await request.app["bus"].request(
        COMMANDS, file_id, Message("CreateSalesFile", payload), EVENTS,
        until=lambda m: m.type in ("SalesFileRegistered", "SalesFileRejected"))
    if reply is None:
        return web.json_response({"id": file_id, "uuid": payload["uuid"], "status": "INITIALIZED",
                                  "message": "accepted; the record is being stored"}, status=202)
    if reply.type == "SalesFileRejected":
        raise ApiError(400, "validation_error", "the file record was rejected",
                       fields=reply.payload.get("errors", {}))
    await _table_caught_up(request, file_id, lambda v: True)
    return web.json_response(public_view(reply.payload["record"]), status=201)


async def read(request: web.Request) -> web.Response:
    org = await organisation(request)
    view = await _owned(request, org)
    source = view.pop("_source")
    return answer(request.app["views"].files, str(view["id"]), view, source)


async def listing(request: web.Request) -> web.Response:
    org = await organisation(request)
    q = request.query
    status = q.get("status")
    if status and status.upper() not in STATUSES:
        raise bad_request(f"unknown status {status!r}")
    period = q.get("reporting_period") or q.get("period")
    if period and parse_period_strict(period) is None:
        raise bad_request("reporting_period must be YYYY-MM")
    try:
        page = max(int(q.get("page", 1)), 1)
        size = min(max(int(q.get("page_size", 50)), 1), 500)
    except ValueError:
        raise bad_request("page and page_size must be integers") from None
    from infra.repos import files as file_repo
    total, docs = await file_repo.find(request.app["db"], org, status=status and status.upper(),
                                       period=period, skip=(page - 1) * size, limit=size)
    return web.json_response({"count": total, "page": page, "page_size": size,
                              "results": [public_view(d) for d in docs]})


async def _wait_status(request, command: str, view: dict, statuses: tuple[str, ...],
                       **extra) -> dict:
    reply = await request.app["bus"].request(
        COMMANDS, view["id"], Message(command, {"file_id": view["id"], **extra}), EVENTS,
        until=lambda m: m.type == "SalesFileStatusChanged" and m.payload["status"] in statuses,
        timeout=10)
    status = reply.payload["status"] if reply else view["status"]
    if reply:
        await _table_caught_up(request, view["id"], lambda v: v.get("status") == status
                               and v.get("updated_at", "") >= reply.ts)
    body = {"id": view["id"], "status": status}
    if reply and reply.payload.get("status_cause"):
        body.update(status_cause=reply.payload["status_cause"],
                    error_message=reply.payload.get("error_message"))
    return body


async def _table_caught_up(request: web.Request, file_id: int, done, tries: int = 100) -> None:
    """Read-your-writes. The gateway's own view folds every event it follows before the
    request waiting for that event resumes, so a file the view holds is caught up at once. A
    file it does not hold is answered by a worker table, which may fold the event after the
    gateway saw it: wait (briefly) until the table reflects it."""
    views = request.app["views"]
    for _ in range(tries):
        if views.files.live and views.files.get(str(file_id)) is not None:
            return
        view, source = await request.app["tables"].file(file_id)
        if view is not None and source == "table" and done(view):
            return
        await asyncio.sleep(0.02)


async def action(request: web.Request) -> web.Response:
    org = await organisation(request)
    view = await _owned(request, org)
    body = await read_body(request)
    name = body.get("action")
    if name not in ACTIONS:
        raise bad_request(f"unknown action {name!r}", valid_actions=list(ACTIONS))
    status = view["status"]
    retry = status == "FAILED" and view.get("status_cause") == "NOT_UPLOADED"
    if name == "upload":
        if status not in ("INITIALIZED", "UPLOADING") and not retry:
            raise conflict(f"cannot upload a file in status {status}", status=status)
        store = request.app["objects"]
        url = await store.presign(object_key(view), "PUT", UPLOAD_TTL)
        expires = datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_TTL)
        await _wait_status(request, "StartSalesFileUpload", view, ("UPLOADING",))
        return web.json_response({"id": view["id"], "presigned_url": url,
                                  "expires_at": expires.isoformat(timespec="seconds")})
    if name == "process":
        if status not in ("INITIALIZED", "UPLOADING") and not retry:
            raise conflict(f"cannot process a file in status {status}", status=status)
        info = await request.app["objects"].head(object_key(view))
        if info is None:
            raise conflict("the file has not been uploaded yet; PUT it to the presigned URL first",
                           status=status)
        if info.size != view["filesize"]:
            raise conflict(f"uploaded object has {info.size} bytes but filesize is "
                           f"{view['filesize']}", status=status)
        allow = str(body.get("allow_duplicate", "")).lower() in ("1", "true")
        result = await _wait_status(request, "ProcessSalesFile", view, ("UPLOADED", "FAILED"),
                                    allow_duplicate=allow)
        return web.json_response(result, status=202)
    if status not in REIMPORTABLE:
        raise conflict(f"reimport is allowed from {', '.join(REIMPORTABLE)}, not {status}",
                       status=status)
    result = await _wait_status(request, "ReimportSalesFile", view, ("REIMPORT",))
    return web.json_response(result, status=202)


async def snapshot(request: web.Request) -> web.Response:
    org = await organisation(request)
    view = await _owned(request, org)
    if view["status"] not in ("PROCESSED", "FINALIZED"):
        raise conflict(f"file {view['id']} is not processed yet", status=view["status"])
    doc = await snapshot_repo.get(request.app["db"], view["id"])
    if doc is None:
        raise conflict(f"file {view['id']} has no snapshot yet", status=view["status"])
    return web.json_response(doc)


async def summary(request: web.Request) -> web.Response:
    org = await organisation(request)
    doc = await snapshot_repo.refresh_summary(request.app["db"], org)
    doc.pop("_id", None)
    return web.json_response(doc)


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post("/api/files/salesfiles/", create)
    r.add_get("/api/files/salesfiles/", listing)
    r.add_get("/api/files/salesfiles/{file_id}/", read)
    r.add_post("/api/files/salesfiles/{file_id}/process/", action)
    r.add_get("/api/files/salesfiles/{file_id}/snapshot/", snapshot)
    r.add_get("/api/sales/summary/", summary)
