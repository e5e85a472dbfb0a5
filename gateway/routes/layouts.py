"""Organisation layouts: `POST/GET /api/layouts/`, `GET/PUT/DELETE /api/layouts/{id}/`.

A mapping teaches the cleaner a new tabular layout for the caller's organisation (recognised by
its required headers, then mapped column → canonical field); files in it then import with no
other step. Validation names every problem (400 `validation_error`, each in `errors`)."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint, validation_error
from gateway.errors import conflict, not_found, path_id
from gateway.keys import DB
from gateway.schemas.layouts import EXAMPLE, Layout, LayoutList, LayoutMapping
from infra.repos import layouts as repo
from models.sales.layouts.validate import validate_mapping

routes = web.RouteTableDef()


def _layout_id(request: web.Request) -> int:
    return path_id(request, "layout_id", "layout")


async def _owned(request: web.Request) -> dict:
    """The caller's layout named by the path (404 before the body is read: another
    organisation's layout is answered as missing whatever the body says)."""
    org = await organisation(request)
    doc = await repo.get(request.app[DB], org, _layout_id(request))
    if doc is None:
        raise not_found(f"no layout {request.match_info['layout_id']}")
    return doc


def _validated(body: LayoutMapping) -> dict:
    mapping, problems = validate_mapping(body.model_dump(exclude_unset=True))
    if problems:
        raise validation_error([{**p, "field": p["field"] or "body"} for p in problems],
                               "mapping")
    return mapping


WRITE = dict(auth=organisation, body=LayoutMapping, examples={"acme": EXAMPLE}, form=False)


@routes.post("/api/layouts/")
@endpoint(**WRITE, responses={201: Layout}, errors=(400, 401, 409))
async def create(request: web.Request, body: LayoutMapping):
    """Teach the cleaner a layout of this organisation's files."""
    org = await organisation(request)
    mapping = _validated(body)
    db = request.app[DB]
    if await repo.find_by_name(db, org, mapping["name"]):
        raise conflict(f"a layout named {mapping['name']!r} exists; "
                       "PUT /api/layouts/{id}/ to change it")
    return 201, await repo.create(db, org, mapping)


@routes.get("/api/layouts/")
@endpoint(auth=organisation, responses={200: LayoutList}, errors=(401,))
async def listing(request: web.Request):
    """The organisation's layouts."""
    org = await organisation(request)
    docs = await repo.list_for(request.app[DB], org)
    return {"count": len(docs), "results": docs}


@routes.get("/api/layouts/{layout_id}/")
@endpoint(auth=organisation, find=_owned, responses={200: Layout}, errors=(401, 404))
async def read(request: web.Request, found: dict):
    """One layout of the organisation."""
    return found


@routes.put("/api/layouts/{layout_id}/")
@endpoint(**WRITE, find=_owned, responses={200: Layout}, errors=(400, 401, 404, 409))
async def update(request: web.Request, body: LayoutMapping, found: dict):
    """Replace a layout (files already imported keep what they were imported with)."""
    org = await organisation(request)
    layout_id = found["id"]
    db = request.app[DB]
    mapping = _validated(body)
    twin = await repo.find_by_name(db, org, mapping["name"])
    if twin and twin["id"] != layout_id:
        raise conflict(f"another layout is named {mapping['name']!r}")
    return await repo.replace(db, org, layout_id, mapping)


@routes.delete("/api/layouts/{layout_id}/")
@endpoint(auth=organisation, responses={204: None}, errors=(401, 404))
async def delete(request: web.Request):
    """Delete a layout."""
    org = await organisation(request)
    if not await repo.delete(request.app[DB], org, _layout_id(request)):
        raise not_found(f"no layout {request.match_info['layout_id']}")
    return 204, None


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
