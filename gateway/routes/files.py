"""Sales-file routes: register, list, read status, actions (upload/process/reimport),
snapshot, and the organisation summary. The gateway validates and publishes; agents work."""
from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta, timezone

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint
from gateway.errors import ApiError, conflict, not_found, path_id, storable
from gateway.keys import BUS, DB, OBJECTS, TABLES, VIEWS
from gateway.routes import statements
from gateway.schemas.sales import (
    SalesFile,
    SalesFileAccepted,
    SalesFileAction,
    SalesFileCreate,
    SalesFilePage,
    SalesFileQuery,
    Snapshot,
    StatusAnswer,
    Summary,
    UploadLink,
)
from gateway.upload_links import upload_link
from gateway.views import MISS
from infra import outbox
from infra.mongo import next_id
from infra.repos import files as file_repo
from infra.repos import snapshots as snapshot_repo
from infra.storage.base import ObjectNotFound
from models.files import (
    REIMPORTABLE,
    new_record,
    object_key,
    organisation_number,
    public_view,
    validate_new_file,
)
from topics.envelope import Message

routes = web.RouteTableDef()

COMMANDS, EVENTS = "sales.files.commands", "sales.files.events"
UPLOAD_TTL = 3600


def _file_id(request: web.Request) -> int:
    return path_id(request, "file_id", "file")


async def _owned(request: web.Request, org: str) -> dict:
    file_id = _file_id(request)
    view, source = await request.app[VIEWS].file(file_id)
    if view is None or view.get("organisation") != org:
        raise not_found(f"no file {file_id}")
    view["_source"] = source
    return view


@routes.post("/api/files/salesfiles/")
@endpoint(auth=organisation, body=SalesFileCreate, errors=(400, 401),
          responses={201: SalesFile, 202: SalesFileAccepted})
async def create(request: web.Request, body: SalesFileCreate):
    """Register a sales file (the specification's create form).

    The record and its command are stored first (the outbox): 201 with the record once a worker
    registered it, else 202 with its id (durable: the relay delivers the command)."""
    org = await organisation(request)
    if body.organisation not in (None, "") and \
            str(body.organisation).strip() != str(organisation_number(org)):
        raise ApiError(400, "validation_error", "organisation must be your own",
                       errors=[{"field": "organisation", "problem":
                                f"must be your own organisation ({organisation_number(org)})"}])
    db = request.app[DB]
    file_id = await next_id(db, "files")
    # allow_duplicate(_of) at registration are accepted and ignored: only a process request
    # naming the original imports a DUPLICATE (docs/money.md)
    payload = {**body.model_dump(exclude={"organisation", "allow_duplicate", "allow_duplicate_of"},
                                 exclude_none=True),
               "organisation": org, "id": file_id, "uuid": secrets.token_hex(4)}
    message = Message("CreateSalesFile", payload)
    fields, errors = validate_new_file(payload)
    if errors:  # the body's model is the command's: only a drift between them lands here
        raise ApiError(400, "validation_error", "the file record was rejected", errors=errors)
    record = new_record(fields, file_id=file_id, uuid=payload["uuid"], organisation=org,
                        ts=message.ts)
    # the record and its command in one write: a 202 below means durable (infra/outbox.py)
    await storable(file_repo.insert(db, outbox.embed(record, outbox.entry(COMMANDS, file_id,
                                                                          message))))
    reply = await request.app[BUS].request(
        COMMANDS, file_id, message, EVENTS, durable=True,
        until=lambda m: m.type in ("SalesFileRegistered", "SalesFileRejected"))
    if reply is None:
        return 202, SalesFileAccepted(id=file_id, uuid=payload["uuid"], status="INITIALIZED",
                                      message="accepted: the record is stored and its command "
                                              "is being delivered")
    if reply.type == "SalesFileRejected":
        raise ApiError(400, "validation_error", "the file record was rejected",
                       errors=reply.payload.get("errors", {}))
    await _table_caught_up(request, file_id, lambda v: True)
    return 201, public_view(reply.payload["record"])


@routes.get("/api/files/salesfiles/{file_id}/")
@endpoint(auth=organisation, responses={200: SalesFile}, errors=(401, 404))
async def read(request: web.Request, credential: str):
    """A sales file's record and status (`X-Tributary-Source` says which view answered)."""
    file_id = _file_id(request)
    views = request.app[VIEWS]
    response = views.file_held(file_id, credential)  # a live view's answer, without awaiting
    if response is MISS:
        response = await views.file_answer(file_id, credential)
    if response is None:
        raise not_found(f"no file {file_id}")
    return response


@routes.get("/api/files/salesfiles/")
@endpoint(auth=organisation, query=SalesFileQuery, responses={200: SalesFilePage},
          errors=(400, 401))
async def listing(request: web.Request, query: SalesFileQuery):
    """The organisation's sales files, newest first, filtered by status and period."""
    org = await organisation(request)
    total, docs = await file_repo.find(request.app[DB], org, status=query.status,
                                       period=query.reporting_period or query.period,
                                       skip=query.skip, limit=query.page_size,
                                       totals_check=query.totals_check)
    return query.answer(total, [public_view(d) for d in docs])


async def _wait_status(request, command: str, view: dict, statuses: tuple[str, ...],
                       **extra) -> dict:
    message = Message(command, {"file_id": view["id"], **extra})
    # stored first (an entry of its own, the record exists): the relay delivers it if we cannot
    await outbox.add(request.app[DB], outbox.entry(COMMANDS, view["id"], message,
                                                     collection="files", doc_id=view["id"]))
    reply = await request.app[BUS].request(
        COMMANDS, view["id"], message, EVENTS, durable=True,
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
    views = request.app[VIEWS]
    for _ in range(tries):
        if views.files.live and views.files.get(str(file_id)) is not None:
            return
        view, source = await request.app[TABLES].file(file_id)
        if view is not None and source == "table" and done(view):
            return
        await asyncio.sleep(0.02)


@routes.post("/api/files/salesfiles/{file_id}/process/")
@endpoint(auth=organisation, body=SalesFileAction, errors=(400, 401, 404, 409),
          responses={200: UploadLink, 202: StatusAnswer})
async def action(request: web.Request, body: SalesFileAction):
    """`upload` answers a presigned PUT URL; `process` (once PUT) and `reimport` answer 202 with
    the status reached so far."""
    org = await organisation(request)
    view = await _owned(request, org)
    name = body.action
    order = _date_order(body.date_order)
    status = view["status"]
    retry = status == "FAILED" and view.get("status_cause") == "NOT_UPLOADED"
    if name == "upload":
        if status not in ("INITIALIZED", "UPLOADING") and not retry:
            raise conflict(f"cannot upload a file in status {status}", current_status=status)
        url = await upload_link(request.app, object_key(view), view["filesize"], UPLOAD_TTL)
        expires = datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_TTL)
        await _wait_status(request, "StartSalesFileUpload", view, ("UPLOADING",))
        return 200, {"id": view["id"], "presigned_url": url,
                     "expires_at": expires.isoformat(timespec="seconds")}
    if name == "process":
        override = statements.duplicate_override(body, view)
        retry = retry or (status == "FAILED" and view.get("status_cause") == "DUPLICATE"
                          and override is not None)
        if status not in ("INITIALIZED", "UPLOADING") and not retry:
            raise conflict(f"cannot process a file in status {status}", current_status=status)
        info = await request.app[OBJECTS].head(object_key(view))
        if info is None:
            raise conflict("the file has not been uploaded yet; PUT it to the presigned URL first",
                           current_status=status)
        if info.size != view["filesize"]:
            raise conflict(f"uploaded object has {info.size} bytes but filesize is "
                           f"{view['filesize']}", current_status=status)
        result = await _wait_status(request, "ProcessSalesFile", view, ("UPLOADED", "FAILED"),
                                    allow_duplicate_of=override, **order)
        return 202, result
    if status not in REIMPORTABLE:
        raise conflict(f"reimport is allowed from {', '.join(REIMPORTABLE)}, not {status}",
                       current_status=status)
    await statements.unchanged_original(request, view)
    result = await _wait_status(request, "ReimportSalesFile", view, ("REIMPORT",), **order)
    return 202, result


def _date_order(value: str | None) -> dict:
    """`date_order` of a process/reimport request (DMY or MDY): how to read `01/06/2025`."""
    from models.sales.dates import parse_order

    if value in (None, ""):
        return {}
    order = parse_order(value)
    if order is None:
        raise ApiError(400, "validation_error", "date_order must be DMY (day-first) or MDY (month-first)",
                       errors=[{"field": "date_order", "problem": "must be DMY or MDY"}])
    return {"date_order": order}


@routes.get("/api/files/salesfiles/{file_id}/snapshot/")
@endpoint(auth=organisation, responses={200: Snapshot}, errors=(400, 401, 404, 409, 500))
async def snapshot(request: web.Request):
    """Revenue of a processed file per artist, DSP, territory, track and release, each entry
    in its currency. `?group=byTrack&page=&page_size=` pages one list (exact `count`)."""
    org = await organisation(request)
    view = await _owned(request, org)
    if view["status"] not in ("PROCESSED", "FINALIZED"):
        raise conflict(f"file {view['id']} is not processed yet", current_status=view["status"])
    group = request.query.get("group")
    if group is not None:
        return await _snapshot_page(request, view, group)
    doc = await snapshot_repo.get(request.app[DB], view["id"])
    if doc is None:
        raise conflict(f"file {view['id']} has no snapshot yet", current_status=view["status"])
    return doc


async def _snapshot_page(request: web.Request, view: dict, group: str) -> web.Response:
    """`?group=byTrack&page=2&page_size=100`: one page of one list, with its exact count."""
    from models.sales.snapshot import GROUPS

    if group not in GROUPS:
        raise ApiError(400, "validation_error", f"unknown group {group!r}",
                       errors=[{"field": "group", "problem": f"one of {', '.join(GROUPS)}"}])
    try:
        page = int(request.query.get("page", 1))
        size = int(request.query.get("page_size", 100))
    except ValueError:
        raise ApiError(400, "validation_error", "page and page_size must be integers",
                       errors=[{"field": "page", "problem": "an integer"}]) from None
    if page < 1 or not 1 <= size <= 1000:
        raise ApiError(400, "validation_error", "page must be ≥ 1 and page_size 1–1000",
                       errors=[{"field": "page_size", "problem": "page ≥ 1, page_size 1–1000"}])
    try:
        count, entries = await snapshot_repo.page(request.app[DB], view["id"], group, page, size,
                                                request.app[OBJECTS])
    except ObjectNotFound:
        raise ApiError(500, "snapshot_pages_missing",
                       f"the snapshot pages of file {view['id']} are missing from storage; "
                       "reimport the file to rebuild them", file_id=view["id"]) from None
    pages = (count + size - 1) // size
    return web.json_response({"file_id": view["id"], "group": group, "count": count, "page": page,
                              "page_size": size, "pages": pages, "results": entries})


@routes.get("/api/sales/summary/")
@endpoint(auth=organisation, responses={200: Summary}, errors=(401,))
async def summary(request: web.Request):
    """All-time counts and revenue of the organisation's processed files."""
    org = await organisation(request)
    doc = await snapshot_repo.refresh_summary(request.app[DB], org)
    doc.pop("_id", None)
    if "organisation" in doc:
        doc["organisation"] = organisation_number(doc["organisation"])
    return doc


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
