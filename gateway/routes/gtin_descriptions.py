"""Description service, sources: create-or-update / delete the current participant's sources on a
GTIN, and read the whole document. Any participant may contribute sources to an existing GTIN
and read it; only its own sources are ever touched (the system participant replaces them all).
"""
from __future__ import annotations

from aiohttp import web

from gateway.contract import endpoint
from gateway.errors import ApiError, bad_request
from gateway.gtin_auth import current_participant
from gateway.routes.gtin_items import BASE, Doc, change, invalid, load
from gateway.schemas.gtin_items import (
    DescriptionBody,
    DescriptionDeleteBody,
    DescriptionQuery,
    TradeItem,
    trade_item,
)
from infra.repos import gtins
from models.gtin import GtinError, SourceNotFound, delete_source, merge_sources
from models.gtin.codes import split_add_on


def _gtin(body: DescriptionBody | DescriptionDeleteBody | DescriptionQuery) -> str:
    """The GTIN of a description body: `id` (the specification) or `gtin` (extension)."""
    return _base_gtin(body)[0]


def _base_gtin(body: DescriptionBody | DescriptionDeleteBody | DescriptionQuery
               ) -> tuple[str, list[str] | None]:
    """The specification's `id` is the "base gtin": one printed with its 2- or 5-digit add-on
    (as in its own example) names the GTIN's document; the reading is said in `warnings`."""
    value = body.id if body.id is not None else body.gtin
    if value in (None, ""):
        raise bad_request("id (the GTIN) is required", field="id")
    try:
        gtin14, add_on = split_add_on(value)
    except GtinError as exc:
        raise invalid(exc, "invalid_gtin") from None
    if add_on is None:
        return gtin14, None
    return gtin14, [f"id {value} read as GTIN {gtin14} with the add-on {add_on} (a printed "
                    "supplement, no part of the GTIN): the document is the GTIN's"]


def _widget_error(exc: GtinError) -> ApiError:
    types = exc.details.get("types")
    if types and "product360" in exc.reason:
        return ApiError(400, "widget_not_allowed", str(exc), **exc.as_dict())
    return invalid(exc)


@endpoint(auth=current_participant, body=DescriptionBody, responses={200: TradeItem},
          errors=(400, 401, 404, 409), form=False)
async def upsert(request: web.Request, body: DescriptionBody):
    """Create or replace the caller's sources of a GTIN (`sources: []` removes them)."""
    participant, _ = await current_participant(request)
    gtin14, warnings = _base_gtin(body)
    new_sources = body.written()  # as written: widgets and conditions are kept as given

    def edit(doc: Doc) -> Doc:
        try:
            merged = merge_sources(doc.get("sources") or [], participant, new_sources,
                                   system=participant.system)
        except GtinError as exc:
            raise _widget_error(exc) from None
        return {**doc, "sources": merged}

    def announce(before: Doc, after: Doc) -> tuple[str, Doc] | None:
        return ("GtinSourcesChanged", {"participant": participant.id, "action": "update",
                                       "sources": after["sources"]}) \
            if before.get("sources") != after.get("sources") else None

    _, after = await change(request, gtin14, edit, announce)
    return trade_item(after, warnings)


@endpoint(auth=current_participant, body=DescriptionDeleteBody, responses={200: TradeItem},
          errors=(400, 401, 404, 409), form=False)
async def remove(request: web.Request, body: DescriptionDeleteBody):
    """Remove the caller's source with exactly these conditions (the "Outdated" route)."""
    participant, _ = await current_participant(request)
    gtin14 = _gtin(body)
    conditions = body.conditions.model_dump(exclude_unset=True)

    def edit(doc: Doc) -> Doc:
        try:
            kept = delete_source(doc.get("sources") or [], participant.id, conditions)
        except SourceNotFound as exc:
            raise ApiError(404, "source_not_found", f"participant {participant.id} has no source "
                           f"with these conditions on GTIN {gtin14}", **exc.as_dict()) from None
        except GtinError as exc:
            raise invalid(exc) from None
        return {**doc, "sources": kept}

    _, after = await change(request, gtin14, edit, lambda before, after: (
        "GtinSourcesChanged", {"participant": participant.id, "action": "delete",
                               "sources": after["sources"]}))
    return trade_item(after)


@endpoint(auth=current_participant, query=DescriptionQuery, responses={200: TradeItem},
          errors=(400, 401, 404))
async def read(request: web.Request, query: DescriptionQuery):
    """The GTIN document by `?id=` (the specification's "Read gtin document")."""
    if query.id in (None, "") and query.gtin in (None, ""):
        raise bad_request("give the GTIN as ?id=", field="id")
    return trade_item(gtins.public(await load(request, _gtin(query))))


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{BASE}/description", upsert)
    r.add_post(f"{BASE}/description/delete", remove)
    r.add_get(f"{BASE}/description", read)
