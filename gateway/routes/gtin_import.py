"""Description service, bulk import: uploads, preview, import tasks, the legacy parser routes,
and the CDN route serving images that imports copied (`copy_to_cdn`).

The gateway validates, stores the new task (status `started`) and publishes StartGtinImport;
agents/gtin_import.py runs it. Task status comes from the gateway's view of the workers'
`gtin_import_tasks` table (gateway/views.py, folded from gtin.import.events), else from that
table (routed to the partition owner), else from the task document in MongoDB.
"""
from __future__ import annotations

import mimetypes
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from gateway.contract import Media, endpoint
from gateway.errors import ApiError, bad_request, not_found
from gateway.gtin_auth import current_participant
from gateway.keys import BUS, DB, OBJECTS, SETTINGS, VIEWS
from gateway.schemas.gtin_import import (
    ImportBody,
    ParseStarted,
    ParseStatus,
    Preview,
    PreviewBody,
    TaskList,
    TaskStarted,
    TaskStatus,
    UploadCreated,
    message_of,
    task_status,
)
from gateway.views import MISS
from infra import outbox
from infra.fetch import (
    UPLOAD_PATH,
    FetchError,
    check_link,
    fetch_head,
    max_file_bytes,
    own_key,
    read_head,
    upload_prefix,
)
from infra.repos import import_tasks as repo
from models.gtin import GtinError, ImportSpec, Participant, preview
from models.gtin.links import complete_link
from models.gtin.tabular import MAX_LINE_BYTES
from models.gtin_tasks import PUBLIC, limits, new_task
from topics.envelope import Message, now_iso

BASE = "/description-service"
COMMANDS = "gtin.import.commands"
UPLOAD_TTL = 3600
PREVIEW_BYTES = 2 * 1024 * 1024
_IMAGE_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif",
                b"RIFF": "image/webp", b"<svg": "image/svg+xml"}


def _fetch_error(exc: FetchError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


def _invalid(exc: GtinError) -> ApiError:
    return ApiError(400, "validation_error", str(exc), **exc.as_dict())


def _completed(link: str) -> str:
    """The link as read (models/gtin/links.py); a 400 when it is no URL at all."""
    try:
        return complete_link(link)
    except ValueError as exc:
        raise ApiError(400, "bad_link", f"link is not a URL: {exc}", field="link") from None


async def _own_key(request: web.Request, link: object, participant_id: str) -> str | None:
    """The store key of a link the service issued (upload, CDN), checked to exist; None for
    any other link (checked to be http(s)). Own links are read from the store, never fetched."""
    if not isinstance(link, str) or not link.strip():
        raise bad_request("link is required", field="link")
    link = _completed(link)
    try:
        key = own_key(link, participant_id, request.app[SETTINGS].public_url)
        if key is None:
            check_link(link)
            return None
    except FetchError as exc:
        raise _fetch_error(exc) from None
    except ValueError as exc:  # urlsplit: e.g. an unclosed "[" in the host
        raise ApiError(400, "bad_link", f"link is not a URL: {exc}", field="link") from None
    if await request.app[OBJECTS].head(key) is None:
        raise ApiError(422, "upload_missing", "nothing was uploaded to this link yet "
                       "(PUT the file to its upload_url first)")
    return key


@endpoint(auth=current_participant, responses={201: UploadCreated}, errors=(401,))
async def create_upload(request: web.Request):
    """Extension: a presigned PUT for a file to import; give its `link` to preview/import."""
    participant, _ = await current_participant(request)
    upload_id = secrets.token_urlsafe(18)
    key = f"{upload_prefix(participant.id)}/{upload_id}"
    url = await request.app[OBJECTS].presign(key, "PUT", UPLOAD_TTL)
    base = request.app[SETTINGS].public_url.rstrip("/") or str(request.url.origin())
    expires = datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_TTL)
    return 201, UploadCreated(id=upload_id, upload_url=url, method="PUT",
                              link=f"{base}{UPLOAD_PATH}{upload_id}",
                              expires_at=expires.isoformat(timespec="seconds"))


@endpoint(auth=current_participant, responses={302: None}, errors=(401, 422))
async def read_upload(request: web.Request):
    """Redirect to a short-lived GET of the caller's upload."""
    participant, _ = await current_participant(request)
    link = f"{request.app[SETTINGS].public_url}{UPLOAD_PATH}{request.match_info['upload_id']}"
    key = await _own_key(request, link, participant.id)
    raise web.HTTPFound(await request.app[OBJECTS].presign(key, "GET", 600))


@endpoint(responses={200: Media("image/*", "an image an import copied (copy_to_cdn)")},
          errors=(404,), security=[])
async def cdn_object(request: web.Request):
    """An image an import copied into the service (`copy_to_cdn`)."""
    name = request.match_info["name"]
    if "/" in name or name.startswith("."):
        raise not_found(f"no object {name}")
    try:
        data = await request.app[OBJECTS].get(f"cdn/{name}")
    except (KeyError, ValueError):
        raise not_found(f"no object {name}") from None
    ctype = mimetypes.guess_type(name)[0] or next(
        (t for magic, t in _IMAGE_MAGIC.items() if data.startswith(magic)), "application/octet-stream")
    return web.Response(body=data, content_type=ctype,
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})


@endpoint(auth=current_participant, body=PreviewBody, responses={200: Preview},
          errors=(400, 401, 413, 415, 422))
async def import_preview(request: web.Request, body: PreviewBody):
    """Preview the first lines of a CSV (`num_lines` 10 and `has_header` true by default)."""
    participant, _ = await current_participant(request)
    delimiter, has_header, num_lines, quotechar = (body.delimiter, body.has_header,
                                                   body.num_lines, body.quotechar)
    key = await _own_key(request, body.link, participant.id)
    try:
        head = (await read_head(request.app[OBJECTS], key, PREVIEW_BYTES) if key is not None
                else await fetch_head(_completed(body.link), PREVIEW_BYTES,
                                     request.app[SETTINGS].fetch))
        answer = preview(head, delimiter, has_header, num_lines, quotechar=quotechar)
    except FetchError as exc:
        raise _fetch_error(exc) from None
    except GtinError as exc:
        raise _invalid(exc) from None
    return Preview.model_validate(answer).wire()


async def _start(request: web.Request, written: ImportBody, kind: str) -> dict[str, Any]:
    participant, _ = await current_participant(request)
    body = written.written()
    # stored as given: text that is not Unicode was refused with the body (gateway/body_limits)
    if body["link"].strip():
        body["link"] = _completed(body["link"])  # the task reads the link as completed
    try:
        spec = ImportSpec.parse(body)
    except GtinError as exc:
        raise _invalid(exc) from None
    await _own_key(request, spec.link, participant.id)  # fail fast on a malformed/missing link
    task_id = uuid.uuid4().hex
    view = new_task(task_id, participant.id, kind, spec.has_header,
                    limits(max_file_bytes(request.app[SETTINGS].fetch), MAX_LINE_BYTES), now_iso())
    db = request.app[DB]
    message = Message("StartGtinImport", {"task_id": task_id, "participant": participant.id,
                                          "kind": kind, "spec": body})
    item = outbox.entry(COMMANDS, task_id, message)
    # the task and its command in one write; a failed publish is the relay's (infra/outbox.py)
    await repo.create(db, view, body, **outbox.embed({}, item))
    await outbox.publish(db, request.app[BUS].publish,
                         outbox.Place("gtin_import_tasks", task_id, item["id"]), item)
    return view


@endpoint(auth=current_participant, body=ImportBody, responses={200: TaskStarted},
          errors=(400, 401, 422), form=False)
async def start_task(request: web.Request, body: ImportBody):
    """Start a background import task; follow it at `GET …/import/tasks/{id}`."""
    view = await _start(request, body, "task")
    return TaskStarted.model_validate(view)


@endpoint(auth=current_participant, body=ImportBody, responses={200: ParseStarted},
          errors=(400, 401, 422), form=False)
async def parse_file(request: web.Request, body: ImportBody):
    """The legacy parser: starts an import; answers the JSON string "Task in progress"."""
    await _start(request, body, "parse")
    return ParseStarted("Task in progress")


async def _store_task(db, task_id: str) -> dict | None:
    doc = await repo.get(db, task_id)
    return {k: doc.get(k) for k in PUBLIC} if doc else None


@endpoint(auth=current_participant, responses={200: TaskStatus}, errors=(401, 404))
async def read_task(request: web.Request, credential: tuple[Participant, dict]):
    """An import task's status (kept 12 hours after it finishes)."""
    participant = credential[0]
    task_id = request.match_info["task_id"]
    if not task_id.isalnum() or len(task_id) > 64:
        raise not_found(f"no task {task_id}")
    views = request.app[VIEWS]
    response = views.task_held(task_id, participant.id)  # a live view's answer, without awaiting
    if response is MISS:
        response = await views.task_answer(task_id, participant.id,
                                           lambda: _store_task(request.app[DB], task_id))
    if response is None:
        raise not_found(f"no task {task_id}")
    return response


@endpoint(auth=current_participant, responses={200: TaskList}, errors=(401,))
async def list_tasks(request: web.Request):
    """The status of each of the caller's import tasks: `{"tasks": [...]}`."""
    participant, _ = await current_participant(request)
    docs = await repo.for_participant(request.app[DB], participant.id, kind="task")
    return TaskList(tasks=[task_status(d) for d in docs])


@endpoint(auth=current_participant, responses={200: ParseStatus}, errors=(401, 404))
async def parse_status(request: web.Request):
    """The status of the caller's latest legacy parse."""
    participant, _ = await current_participant(request)
    docs = await repo.for_participant(request.app[DB], participant.id, kind="parse", limit=1)
    if not docs:
        raise not_found("no parse task yet")
    doc = docs[0]
    return ParseStatus(message=message_of(doc), status=doc["status"], ts=doc["ts"])


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{BASE}/uploads", create_upload)
    r.add_get(f"{BASE}/uploads/{{upload_id}}", read_upload)
    r.add_get(f"{BASE}/cdn/{{name}}", cdn_object)
    r.add_post(f"{BASE}/import/preview", import_preview)
    r.add_post(f"{BASE}/import/tasks", start_task)
    r.add_get(f"{BASE}/import/tasks", list_tasks)
    r.add_get(f"{BASE}/import/tasks/{{task_id}}", read_task)
    r.add_post(f"{BASE}/parse/file", parse_file)
    r.add_get(f"{BASE}/parse/status", parse_status)
