"""Organisation layouts: `POST/GET /api/layouts/`, `GET/PUT/DELETE /api/layouts/{id}/`.

A mapping teaches the cleaner a new tabular layout for the caller's organisation (recognised by
its required headers, then mapped column → canonical field); files in it then import with no
other step. Validation names every problem (400 `{"error": "validation_error", "problems": [...]}`)."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.errors import ApiError, conflict, not_found, read_body
from infra.repos import layouts as repo
from models.sales.layouts.validate import validate_mapping


def _layout_id(request: web.Request) -> int:
    raw = request.match_info["layout_id"]
    if not raw.isdigit() or len(raw) > 18:
        raise not_found(f"no layout {raw}")
    return int(raw)


async def _validated(request: web.Request) -> dict:
    mapping, problems = validate_mapping(await read_body(request))
    if problems:
        raise ApiError(400, "validation_error", "the mapping has problems: " +
                       "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems), problems=problems)
    return mapping


async def create(request: web.Request) -> web.Response:
    org = await organisation(request)
    mapping = await _validated(request)
    db = request.app["db"]
    if await repo.find_by_name(db, org, mapping["name"]):
        raise conflict(f"a layout named {mapping['name']!r} exists; PUT /api/layouts/{{id}}/ to change it")
    return web.json_response(await repo.create(db, org, mapping), status=201)


async def listing(request: web.Request) -> web.Response:
    org = await organisation(request)
    docs = await repo.list_for(request.app["db"], org)
    return web.json_response({"count": len(docs), "results": docs})


async def read(request: web.Request) -> web.Response:
    org = await organisation(request)
    doc = await repo.get(request.app["db"], org, _layout_id(request))
    if doc is None:
        raise not_found(f"no layout {request.match_info['layout_id']}")
    return web.json_response(doc)


async def update(request: web.Request) -> web.Response:
    org = await organisation(request)
    layout_id = _layout_id(request)
    db = request.app["db"]
    if await repo.get(db, org, layout_id) is None:
        raise not_found(f"no layout {layout_id}")
    mapping = await _validated(request)
    twin = await repo.find_by_name(db, org, mapping["name"])
    if twin and twin["id"] != layout_id:
        raise conflict(f"another layout is named {mapping['name']!r}")
    return web.json_response(await repo.replace(db, org, layout_id, mapping))


async def delete(request: web.Request) -> web.Response:
    org = await organisation(request)
    if not await repo.delete(request.app["db"], org, _layout_id(request)):
        raise not_found(f"no layout {request.match_info['layout_id']}")
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post("/api/layouts/", create)
    r.add_get("/api/layouts/", listing)
    r.add_get("/api/layouts/{layout_id}/", read)
    r.add_put("/api/layouts/{layout_id}/", update)
    r.add_delete("/api/layouts/{layout_id}/", delete)
