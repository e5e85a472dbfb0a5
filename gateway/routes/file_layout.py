"""`POST /api/files/salesfiles/{id}/layout/`: confirm (as is or edited) the layout proposed for a
file — save it as one of the organisation's layouts (the `/api/layouts/` store) and reimport the
file, so it and later files in that layout import by themselves.

The body is the proposal found in the file's status (`layout_proposal` or `inference`, which
hold `{"mapping": {...}, ...}`) or the mapping itself (the `/api/layouts/` shape)."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint, validation_error
from gateway.errors import conflict
from gateway.keys import DB
from gateway.routes.files import _owned, _wait_status
from gateway.schemas.layouts import LayoutConfirm, LayoutConfirmed
from infra.repos import layouts as repo
from models.files import REIMPORTABLE
from models.sales.layouts.validate import validate_mapping


@endpoint(auth=organisation, body=LayoutConfirm, form=False, errors=(400, 401, 404, 409),
          responses={200: LayoutConfirmed, 201: LayoutConfirmed})
async def confirm(request: web.Request, body: LayoutConfirm):
    """Save the file's proposed (or edited) layout for the organisation and reimport the file.

    201 when the layout is new, 200 when it replaced one of the same name."""
    org = await organisation(request)
    view = await _owned(request, org)
    view.pop("_source", None)
    mapping = body.mapping.model_dump(exclude_unset=True) if body.mapping is not None \
        else body.model_dump(exclude_unset=True, exclude={"mapping"})
    if view["status"] not in REIMPORTABLE:
        raise conflict(f"the file is {view['status']}; a layout can be confirmed once it has "
                       f"finished ({', '.join(REIMPORTABLE)})", status=view["status"])
    mapping, problems = validate_mapping(mapping)
    if problems:
        raise validation_error([{**p, "field": p["field"] or "body"} for p in problems],
                               "mapping")
    db = request.app[DB]
    twin = await repo.find_by_name(db, org, mapping["name"])
    if twin:        # confirming the same proposal again (same name): the newer mapping replaces it
        saved, code = await repo.replace(db, org, twin["id"], mapping), 200
    else:
        saved, code = await repo.create(db, org, mapping), 201
    result = await _wait_status(request, "ReimportSalesFile", view, ("REIMPORT",))
    return code, {"layout": saved, "file": result, "replaced": bool(twin)}


def setup(app: web.Application) -> None:
    app.router.add_post("/api/files/salesfiles/{file_id}/layout/", confirm)
