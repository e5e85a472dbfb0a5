"""Description service, trade items: create, update (owner only), delete, GDTI attachments.

Answers come synchronously from the document store (`infra.repos.gtins`); each change is then
published as an event on `gtin.changes` (topics/gtin.py). The helpers at the top are shared with
gateway/routes/gtin_descriptions.py.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from gateway.errors import ApiError, bad_request, conflict, not_found, read_body
from gateway.gtin_auth import current_participant
from infra.repos import gtins
from models.gtin import (GtinError, Participant, default_hierarchy, normalise_gtin,
                         parse_gdti, refusal, resolve_gpc)
from topics.envelope import Message

log = logging.getLogger("tributary.gateway.gtin")
TOPIC = "gtin.changes"
BASE = "/description-service"
GPC_FIELDS = ("gpc_segment", "gpc_family", "gpc_class", "gpc_brick")
Doc = dict[str, Any]


def invalid(exc: GtinError, error: str = "validation_error") -> ApiError:
    """A 400 naming the field and the rule that failed."""
    return ApiError(400, error, str(exc), **exc.as_dict())


def gtin14_of(value: object, field: str = "id") -> str:
    try:
        return normalise_gtin(value, field)
    except GtinError as exc:
        raise invalid(exc, "invalid_gtin") from None


async def publish(request: web.Request, gtin14: str, event: str, payload: Doc) -> None:
    """Publish one change event; the write is already durable, so a broker failure is logged."""
    try:
        await request.app["bus"].publish(TOPIC, gtin14, Message(event, {"gtin": gtin14, **payload}))
    except Exception:  # noqa: BLE001 - the document store is the truth; keep answering
        log.exception("could not publish %s for %s", event, gtin14)


async def load(request: web.Request, gtin14: str) -> Doc:
    doc = await gtins.get(request.app["db"], gtin14)
    if doc is None:
        raise not_found(f"no GTIN {gtin14}")
    return doc


def require_owner(doc: Doc, participant: Participant) -> None:
    if doc.get("owner") != participant.id:
        raise ApiError(403, "not_owner", f"GTIN {doc['id']} belongs to another participant; "
                       "only its owner may change it", id=doc["id"])


async def change(request: web.Request, gtin14: str, edit: Callable[[Doc], Doc | None],
                 attempts: int = 10) -> tuple[Doc, Doc]:
    """Read-modify-write with an optimistic version check: (before, after) public documents.

    `edit` gets a copy of the stored document and returns the new one, or None for no change;
    it may raise ApiError (404/403/400) which is passed on.
    """
    db = request.app["db"]
    for _ in range(attempts):
        current = await load(request, gtin14)
        before = gtins.public(current)
        new = edit(dict(before))
        if new is None or new == before:
            return before, before
        stored = await gtins.replace(db, {**new, "created_at": current.get("created_at")},
                                     expected_version=current.get("version") or 0)
        if stored is not None:
            return before, gtins.public(stored)
    raise conflict(f"GTIN {gtin14} is being changed concurrently; try again")


def _text(body: Doc, name: str) -> str | None:
    value = body.get(name)
    if value is None or isinstance(value, str):
        return value
    if name == "brand_id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise bad_request(f"{name} must be a string or null", field=name)


def item_fields(body: Doc) -> Doc:
    """name, brand_id and the GPC fields of a create/update body (GPC left out → null)."""
    try:
        chain = resolve_gpc({f: body.get(f) for f in GPC_FIELDS})
    except GtinError as exc:
        raise invalid(exc, "invalid_gpc") from None
    try:
        attributes = default_hierarchy().check_brick_attributes(
            chain.get("gpc_brick"), body.get("gpc_brick_attributes"))
    except GtinError as exc:
        raise invalid(exc, "invalid_gpc") from None
    fields = {f: chain.get(f) for f in GPC_FIELDS}
    return {"name": _text(body, "name"), "brand_id": _text(body, "brand_id"), **fields,
            "gpc_brick_attributes": attributes}


def gdti_list(body: Doc) -> list[str]:
    raw = body.get("attachments")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise bad_request("attachments must be a list of GDTIs (urn:epc:id:gdti:… or (253)…)",
                          field="attachments")
    for i, urn in enumerate(raw):
        try:
            parse_gdti(urn, f"attachments[{i}]")
        except GtinError as exc:
            raise invalid(exc, "invalid_gdti") from None
    return list(dict.fromkeys(raw))


async def create(request: web.Request) -> web.Response:
    participant, _ = await current_participant(request)
    body = await read_body(request)
    gtin14 = gtin14_of(body.get("id"))
    refused = refusal(gtin14, participant.prefixes, participant.gtin8, system=participant.system)
    if refused is not None and refused.closed is not None:
        raise ApiError(400, "restricted_range", refused.message, field="id", id=gtin14,
                       range=refused.closed.describe(), prefix=refused.prefix)
    if refused is not None:
        raise ApiError(403, "prefix_not_owned", f"{refused.message} ({participant.id})",
                       prefix=refused.prefix, id=gtin14)
    fields = item_fields(body)
    if body.get("attachments") is not None:
        fields["attachments"] = gdti_list(body)
    doc = gtins.new_document(gtin14, participant.id, fields)
    if not await gtins.insert(request.app["db"], doc):
        existing = await gtins.get(request.app["db"], gtin14) or {}
        raise conflict(f"GTIN {gtin14} already exists", id=gtin14, owner=existing.get("owner"))
    await publish(request, gtin14, "GtinCreated", {"participant": participant.id, "document": doc})
    return web.json_response(doc, status=201)


async def update(request: web.Request) -> web.Response:
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(request.match_info["gtin"])
    body = await read_body(request)
    if body.get("id") not in (None, "") and gtin14_of(body["id"]) != gtin14:
        raise bad_request("id in the body differs from the GTIN in the path", field="id")
    fields = item_fields(body)
    for name in ("name", "brand_id"):
        if name not in body:
            fields.pop(name)

    def edit(doc: Doc) -> Doc:
        require_owner(doc, participant)
        return {**doc, **fields}

    before, after = await change(request, gtin14, edit)
    changed = [k for k in after if before.get(k) != after.get(k)]
    if changed:
        await publish(request, gtin14, "GtinUpdated", {"participant": participant.id,
                                                       "changed": changed, "document": after})
    return web.json_response(after)


async def delete(request: web.Request) -> web.Response:
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(request.match_info["gtin"])
    doc = gtins.public(await load(request, gtin14))
    require_owner(doc, participant)
    if not await gtins.delete(request.app["db"], gtin14):
        raise not_found(f"no GTIN {gtin14}")
    await publish(request, gtin14, "GtinDeleted", {"participant": participant.id,
                                                   "owner": doc["owner"]})
    return web.json_response({"id": gtin14, "deleted": True,
                              "sources_removed": len(doc.get("sources") or [])})


async def read(request: web.Request) -> web.Response:
    await current_participant(request)
    return web.json_response(gtins.public(await load(request, gtin14_of(request.match_info["gtin"]))))


async def attachments(request: web.Request) -> web.Response:
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(request.match_info["gtin"])
    action = request.match_info["action"]
    urns = gdti_list(await read_body(request))

    def edit(doc: Doc) -> Doc:
        require_owner(doc, participant)
        current = list(doc.get("attachments") or [])
        if action == "add":
            return {**doc, "attachments": current + [u for u in urns if u not in current]}
        return {**doc, "attachments": [u for u in current if u not in urns]}

    before, after = await change(request, gtin14, edit)
    old, new = before.get("attachments") or [], after["attachments"]
    if old != new:
        await publish(request, gtin14, "GtinAttachmentsChanged", {
            "participant": participant.id, "attachments": new,
            "added": [u for u in new if u not in old], "removed": [u for u in old if u not in new]})
    return web.json_response({"id": gtin14, "attachments": new})


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{BASE}/gtins", create)
    r.add_get(f"{BASE}/gtins/{{gtin}}", read)
    r.add_put(f"{BASE}/gtins/{{gtin}}", update)
    r.add_put("/gtins/{gtin}", update)
    r.add_delete(f"{BASE}/gtins/{{gtin}}", delete)
    r.add_post(f"{BASE}/gtins/{{gtin}}/attachments/{{action:add|remove}}", attachments)
