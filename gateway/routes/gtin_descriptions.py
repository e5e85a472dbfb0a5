"""Description service, sources: create-or-update / delete the current participant's sources on a
GTIN, and read the whole document. Any participant may contribute sources to an existing GTIN
and read it; only its own sources are ever touched (the system participant replaces them all).
"""
from __future__ import annotations

from aiohttp import web

from gateway.errors import ApiError, bad_request, read_body
from gateway.gtin_auth import current_participant
from gateway.routes.gtin_items import BASE, Doc, change, gtin14_of, invalid, load, publish
from infra.repos import gtins
from models.gtin import GtinError, SourceNotFound, delete_source, merge_sources


def _gtin(body: Doc) -> str:
    """The GTIN of a description body: `id` (as in the seed) or `gtin`."""
    value = body.get("id", body.get("gtin"))
    if value in (None, ""):
        raise bad_request("id (the GTIN) is required", field="id")
    return gtin14_of(value)


def _widget_error(exc: GtinError) -> ApiError:
    types = exc.details.get("types")
    if types and "product360" in exc.reason:
        return ApiError(400, "widget_not_allowed", str(exc), **exc.as_dict())
    return invalid(exc)


async def upsert(request: web.Request) -> web.Response:
    participant, _ = await current_participant(request)
    body = await read_body(request)
    gtin14 = _gtin(body)
    new_sources = body.get("sources")
    if not isinstance(new_sources, list):
        raise bad_request("sources must be a list (`[]` removes your sources)", field="sources")

    def edit(doc: Doc) -> Doc:
        try:
            merged = merge_sources(doc.get("sources") or [], participant, new_sources,
                                   system=participant.system)
        except GtinError as exc:
            raise _widget_error(exc) from None
        return {**doc, "sources": merged}

    before, after = await change(request, gtin14, edit)
    if before.get("sources") != after.get("sources"):
        await publish(request, gtin14, "GtinSourcesChanged", {
            "participant": participant.id, "action": "update", "sources": after["sources"]})
    return web.json_response(after)


async def remove(request: web.Request) -> web.Response:
    participant, _ = await current_participant(request)
    body = await read_body(request)
    gtin14 = _gtin(body)
    if not isinstance(body.get("conditions"), dict):
        raise bad_request("conditions must be an object with language and/or country",
                          field="conditions")

    def edit(doc: Doc) -> Doc:
        try:
            kept = delete_source(doc.get("sources") or [], participant.id, body["conditions"])
        except SourceNotFound as exc:
            raise ApiError(404, "source_not_found", f"participant {participant.id} has no source "
                           f"with these conditions on GTIN {gtin14}", **exc.as_dict()) from None
        except GtinError as exc:
            raise invalid(exc) from None
        return {**doc, "sources": kept}

    _, after = await change(request, gtin14, edit)
    await publish(request, gtin14, "GtinSourcesChanged", {
        "participant": participant.id, "action": "delete", "sources": after["sources"]})
    return web.json_response(after)


async def read(request: web.Request) -> web.Response:
    await current_participant(request)
    value = request.query.get("id") or request.query.get("gtin")
    if not value:
        raise bad_request("give the GTIN as ?id=", field="id")
    return web.json_response(gtins.public(await load(request, gtin14_of(value))))


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{BASE}/description", upsert)
    r.add_post(f"{BASE}/description/delete", remove)
    r.add_get(f"{BASE}/description", read)
