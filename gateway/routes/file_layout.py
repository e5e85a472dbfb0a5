"""`POST /api/files/salesfiles/{id}/layout/`: confirm (as is or edited) the layout proposed for a
file — save it as one of the organisation's layouts (the `/api/layouts/` store) and reimport the
file, so it and later files in that layout import by themselves.

The body is the proposal found in the file's status (`layout_proposal` or `inference`, which
hold `{"mapping": {...}, ...}`) or the mapping itself (the `/api/layouts/` shape)."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.errors import ApiError, conflict, read_body
from gateway.routes.files import _owned, _wait_status
from infra.repos import layouts as repo
from models.files import REIMPORTABLE
from models.sales.layouts.validate import validate_mapping


async def confirm(request: web.Request) -> web.Response:
    org = await organisation(request)
    view = await _owned(request, org)
    view.pop("_source", None)
    body = await read_body(request)
    mapping = body.get("mapping") if isinstance(body.get("mapping"), dict) else body
    if view["status"] not in REIMPORTABLE:
        raise conflict(f"the file is {view['status']}; a layout can be confirmed once it has "
                       f"finished ({', '.join(REIMPORTABLE)})", status=view["status"])
    mapping, problems = validate_mapping(mapping)
    if problems:
        raise ApiError(400, "validation_error", "the mapping has problems: " +
                       "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems),
                       problems=problems)
    db = request.app["db"]
    twin = await repo.find_by_name(db, org, mapping["name"])
    if twin:        # confirming the same proposal again (same name): the newer mapping replaces it
        saved, code = await repo.replace(db, org, twin["id"], mapping), 200
    else:
        saved, code = await repo.create(db, org, mapping), 201
    result = await _wait_status(request, "ReimportSalesFile", view, ("REIMPORT",))
    return web.json_response({"layout": saved, "file": result, "replaced": bool(twin)}, status=code)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/files/salesfiles/{file_id}/layout/", confirm)
