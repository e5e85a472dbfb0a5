"""Description service, trade items: create, update (owner only), delete, GDTI attachments.

Answers come synchronously from the document store (`infra.repos.gtins`); each change's event
on `gtin.changes` (topics/gtin.py) is stored in the same write (`_outbox`, infra/outbox.py; a
delete's before the delete) and then published; one the broker refused is published by the
relay (agents/outbox.py). The helpers at the top are shared with gateway/routes/gtin_descriptions.py.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from gateway.contract import endpoint
from gateway.errors import ApiError, bad_request, conflict, not_found
from gateway.gtin_auth import current_participant
from gateway.keys import BUS, DB
from gateway.schemas.gtin_items import Attachments, AttachmentsBody, Deleted, ItemBody, TradeItem, trade_item
from infra import outbox
from infra.repos import gtins
from models.gtin import (
    GtinError,
    Participant,
    default_hierarchy,
    normalise_gtin,
    parse_gdti,
    refusal,
    resolve_gpc,
)
from topics.envelope import Message

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


def event(gtin14: str, kind: str, payload: Doc) -> tuple[Message, Doc]:
    """A change event and its outbox entry, to be stored with the write it describes."""
    message = Message(kind, {"gtin": gtin14, **payload})
    return message, outbox.entry(TOPIC, gtin14, message)


async def publish(request: web.Request, collection: str, doc_id: str, item: Doc) -> None:
    """Publish a stored event; if the broker refuses, the relay publishes it later."""
    await outbox.publish(request.app[DB], request.app[BUS].publish,
                         outbox.Place(collection, doc_id, item["id"]), item)


async def load(request: web.Request, gtin14: str) -> Doc:
    doc = await gtins.get(request.app[DB], gtin14)
    if doc is None:
        raise not_found(f"no GTIN {gtin14}")
    return doc


def require_owner(doc: Doc, participant: Participant) -> None:
    if doc.get("owner") != participant.id:
        raise ApiError(403, "not_owner", f"GTIN {doc['id']} belongs to another participant; "
                       "only its owner may change it", id=doc["id"])


async def change(request: web.Request, gtin14: str, edit: Callable[[Doc], Doc | None],
                 announce: Callable[[Doc, Doc], tuple[str, Doc] | None] = lambda b, a: None,
                 attempts: int = 10) -> tuple[Doc, Doc]:
    """Read-modify-write with an optimistic version check: (before, after) public documents.

    `edit` gets a copy of the stored document and returns the new one, or None for no change;
    it may raise ApiError (404/403/400) which is passed on. `announce(before, after)` names the
    change event (type, payload), stored with the write and then published.
    """
    db = request.app[DB]
    for _ in range(attempts):
        current = await load(request, gtin14)
        before = gtins.public(current)
        new = edit(dict(before))
        if new is None or new == before:
            return before, before
        after = gtins.public(new)
        said = announce(before, after)
        item = event(gtin14, *said)[1] if said else None
        pending = outbox.embed(current, item)["_outbox"] if item else current.get("_outbox")
        stored = await gtins.replace(db, {**new, "created_at": current.get("created_at"),
                                          **({"_outbox": pending} if pending else {})},
                                     expected_version=current.get("version") or 0)
        if stored is not None:
            if item:
                await publish(request, "gtins", gtin14, item)
            return before, gtins.public(stored)
    raise conflict(f"GTIN {gtin14} is being changed concurrently; try again")


def item_fields(body: ItemBody) -> tuple[Doc, list[str]]:
    """name, brand_id and the GPC fields of a create/update body (GPC left out → null), and
    warnings about input accepted but not kept (brick attributes without a brick)."""
    try:
        chain = resolve_gpc({f: getattr(body, f) for f in GPC_FIELDS})
    except GtinError as exc:
        raise invalid(exc, "invalid_gpc") from None
    warnings = []
    raw_attributes = body.gpc_brick_attributes
    if raw_attributes and chain.get("gpc_brick") is None:
        # the specification's update example: attributes qualify a brick; without one → null
        warnings.append("gpc_brick_attributes not kept: they qualify a brick and no gpc_brick "
                        "was given")
        raw_attributes = None
    try:
        attributes = default_hierarchy().check_brick_attributes(chain.get("gpc_brick"),
                                                                raw_attributes)
    except GtinError as exc:
        raise invalid(exc, "invalid_gpc") from None
    fields = {f: chain.get(f) for f in GPC_FIELDS}
    return {"name": body.name, "brand_id": body.brand_id, **fields,
            "gpc_brick_attributes": attributes}, warnings


def gdti_list(raw: list[str]) -> list[str]:
    for i, urn in enumerate(raw):
        try:
            parse_gdti(urn, f"attachments[{i}]")
        except GtinError as exc:
            raise invalid(exc, "invalid_gdti") from None
    return list(dict.fromkeys(raw))


@endpoint(auth=current_participant, body=ItemBody, responses={201: TradeItem},
          errors=(400, 401, 403, 409))
async def create(request: web.Request, body: ItemBody):
    """Create a trade item (the specification's "Create New Trade Item")."""
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(body.id)
    refused = refusal(gtin14, participant.prefixes, participant.gtin8, system=participant.system)
    if refused is not None and refused.closed is not None:
        raise ApiError(400, "restricted_range", refused.message, field="id", id=gtin14,
                       range=refused.closed.describe(), prefix=refused.prefix)
    if refused is not None:
        raise ApiError(403, "prefix_not_owned", f"{refused.message} ({participant.id})",
                       prefix=refused.prefix, id=gtin14)
    fields, warnings = item_fields(body)
    if body.attachments is not None:
        fields["attachments"] = gdti_list(body.attachments)
    doc = gtins.new_document(gtin14, participant.id, fields)
    _, item = event(gtin14, "GtinCreated", {"participant": participant.id, "document": doc})
    if not await gtins.insert(request.app[DB], outbox.embed(doc, item)):
        existing = await gtins.get(request.app[DB], gtin14) or {}
        raise conflict(f"GTIN {gtin14} already exists", id=gtin14, owner=existing.get("owner"))
    await publish(request, "gtins", gtin14, item)
    return 201, trade_item(doc, warnings)


@endpoint(auth=current_participant, body=ItemBody, responses={200: TradeItem},
          errors=(400, 401, 403, 404, 409))
async def update(request: web.Request, body: ItemBody):
    """Update a trade item (owner only): name, brand and GPC; GPC fields not given → null."""
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(request.match_info["gtin"])
    if body.id not in (None, "") and gtin14_of(body.id) != gtin14:
        raise bad_request("id in the body differs from the GTIN in the path", field="id")
    fields, warnings = item_fields(body)
    for name in ("name", "brand_id"):
        if name not in body.model_fields_set:
            fields.pop(name)

    def edit(doc: Doc) -> Doc:
        require_owner(doc, participant)
        return {**doc, **fields}

    def announce(before: Doc, after: Doc) -> tuple[str, Doc] | None:
        changed = [k for k in after if before.get(k) != after.get(k)]
        return ("GtinUpdated", {"participant": participant.id, "changed": changed,
                                "document": after}) if changed else None

    before, after = await change(request, gtin14, edit, announce)
    return trade_item(after, warnings)


@endpoint(auth=current_participant, responses={200: Deleted}, errors=(400, 401, 403, 404))
async def delete(request: web.Request):
    """Delete a trade item and all its sources (owner only)."""
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(request.match_info["gtin"])
    doc = gtins.public(await load(request, gtin14))
    require_owner(doc, participant)
    # the event is stored first (the document goes): the relay drops it if the delete never was
    db = request.app[DB]
    _, item = event(gtin14, "GtinDeleted", {"participant": participant.id, "owner": doc["owner"]})
    await outbox.add(db, {**item, "collection": "gtins", "doc_id": gtin14})
    if not await gtins.delete(db, gtin14):
        await db.outbox.delete_one({"_id": item["id"]})
        raise not_found(f"no GTIN {gtin14}")
    await publish(request, "outbox", item["id"], item)
    return Deleted(id=gtin14, deleted=True, sources_removed=len(doc.get("sources") or []))


@endpoint(auth=current_participant, responses={200: TradeItem}, errors=(400, 401, 404))
async def read(request: web.Request):
    """A trade item (the whole GTIN document)."""
    return trade_item(gtins.public(await load(request, gtin14_of(request.match_info["gtin"]))))


@endpoint(auth=current_participant, body=AttachmentsBody, responses={200: Attachments},
          errors=(400, 401, 403, 404, 409))
async def attachments(request: web.Request, body: AttachmentsBody):
    """Attach (`add`) or detach (`remove`) GDTIs; answers the item's attachments (bare list)."""
    participant, _ = await current_participant(request)
    gtin14 = gtin14_of(request.match_info["gtin"])
    action = request.match_info["action"]
    urns = gdti_list(body.attachments)

    def edit(doc: Doc) -> Doc:
        require_owner(doc, participant)
        current = list(doc.get("attachments") or [])
        if action == "add":
            return {**doc, "attachments": current + [u for u in urns if u not in current]}
        return {**doc, "attachments": [u for u in current if u not in urns]}

    def announce(before: Doc, after: Doc) -> tuple[str, Doc] | None:
        old, new = before.get("attachments") or [], after["attachments"]
        return ("GtinAttachmentsChanged", {
            "participant": participant.id, "attachments": new,
            "added": [u for u in new if u not in old],
            "removed": [u for u in old if u not in new]}) if old != new else None

    _, after = await change(request, gtin14, edit, announce)
    return after["attachments"]  # the specification's bare list


def setup(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{BASE}/gtins", create)
    r.add_get(f"{BASE}/gtins/{{gtin}}", read)
    r.add_put(f"{BASE}/gtins/{{gtin}}", update)
    r.add_put("/gtins/{gtin}", update)
    r.add_delete(f"{BASE}/gtins/{{gtin}}", delete)
    r.add_post(f"{BASE}/gtins/{{gtin}}/attachments/{{action:add|remove}}", attachments)
