"""GTIN catalogue events: every change the description service makes to a GTIN document.

The gateway answers description-service CRUD synchronously from the document store and then
publishes one event per change here, keyed by the 14-digit GTIN, so other systems can follow the
catalogue in order per GTIN. `document` payloads are the whole document as the API shows it.
"""
from typing import Any, Literal

from pydantic import Field

from topics.envelope import MessageType
from topics.payload import Payload
from topics.registry import TopicSpec, register

Gtin14 = Field(pattern=r"^\d{14}$", description="the 14-digit GTIN")


class GtinEvent(Payload):
    gtin: str = Gtin14
    participant: str | None = Field(None, description="participant URN that made the change")


class DocumentEvent(GtinEvent):
    document: dict[str, Any]
    changed: list[str] | None = None


class DeletedEvent(GtinEvent):
    owner: str | None = None


class SourcesEvent(GtinEvent):
    sources: list[dict[str, Any]]
    action: Literal["update", "delete"] | None = None


class AttachmentsEvent(GtinEvent):
    attachments: list[str]
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)

_GTIN = "09506000134352"
_OWNER = "urn:example:participant:brand-a"
_DOC = {"id": _GTIN, "type": "gtin", "name": "Oat drink 1 l", "brand_id": "brand-7",
        "owner": _OWNER, "gpc_segment": "50000000", "gpc_family": "50130000",
        "gpc_class": "50132000", "gpc_brick": "10000188", "gpc_brick_attributes": {},
        "attachments": [], "sources": []}
_SOURCE = {"id": _OWNER, "type": "brand", "conditions": {"language": ["en"], "country": ["036"]},
           "data": [{"type": "text", "value": "Made from Australian oats"}]}

CREATED = MessageType(
    "GtinCreated", "event", 1, required=("gtin", "document"),
    doc="A participant created a GTIN it owns; `document` is the new document.",
    example={"gtin": _GTIN, "participant": _OWNER, "document": _DOC}, model=DocumentEvent)
UPDATED = MessageType(
    "GtinUpdated", "event", 1, required=("gtin", "document"),
    doc="The owner changed name, brand_id or GPC fields; `changed` lists the fields whose value "
        "changed; `document` is the document after the change.",
    example={"gtin": _GTIN, "participant": _OWNER, "changed": ["name"],
             "document": {**_DOC, "name": "Oat drink 1 litre"}}, model=DocumentEvent)
DELETED = MessageType(
    "GtinDeleted", "event", 1, required=("gtin",),
    doc="The owner deleted the GTIN and all its sources.",
    example={"gtin": _GTIN, "participant": _OWNER, "owner": _OWNER}, model=DeletedEvent)
SOURCES_CHANGED = MessageType(
    "GtinSourcesChanged", "event", 1, required=("gtin", "sources"),
    doc="A participant created, replaced or removed its sources (the system participant may "
        "replace them all); `sources` is the document's full list after the change and "
        "`action` is `update` or `delete`.",
    example={"gtin": _GTIN, "participant": _OWNER, "action": "update", "sources": [_SOURCE]},
    model=SourcesEvent)
ATTACHMENTS_CHANGED = MessageType(
    "GtinAttachmentsChanged", "event", 1, required=("gtin", "attachments"),
    doc="Attachments (GDTI URNs) were added or removed; `added`/`removed` hold what actually "
        "changed, `attachments` the full list after it.",
    example={"gtin": _GTIN, "participant": _OWNER,
             "added": ["urn:epc:id:gdti:0614141.12345.400"], "removed": [],
             "attachments": ["urn:epc:id:gdti:0614141.12345.400"]}, model=AttachmentsEvent)

CHANGES = register(TopicSpec(
    "gtin.changes", "events", key="gtin", consumer="(followers: other systems)",
    doc="Every change to a GTIN document of the description service, keyed by the 14-digit GTIN.",
    follow=False), CREATED, UPDATED, DELETED, SOURCES_CHANGED, ATTACHMENTS_CHANGED)
