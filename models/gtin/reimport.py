"""What importing a line again changes in an existing GTIN document: the item fields the
mapping provides (name, brand, GPC) and the participant's source. Pure: the import agent counts
a line `created`, `updated` or `unchanged` from this and writes only what changed."""
from __future__ import annotations

from typing import Any

from models.gtin.gpc import GPC_FIELDS
from models.gtin.sources import Participant

Doc = dict[str, Any]


def item_changes(doc: Doc, participant: Participant, name: str | None, brand_id: str | None,
                 gpc: dict[str, str]) -> Doc:
    """{field: new value} for the item fields a line provides and that differ from `doc`.

    Only the GTIN's owner (or the system participant) edits them, as `PUT /gtins/:id` allows;
    another participant's line only adds its source. A GPC given by the line replaces the whole
    classification (levels below the most specific one given become null; brick attributes
    belong to a brick, so a new brick drops them)."""
    if doc.get("owner") != participant.id and not participant.system:
        return {}
    wanted: Doc = {}
    if name is not None:
        wanted["name"] = name
    if brand_id is not None:
        wanted["brand_id"] = brand_id
    if gpc:
        wanted.update({level: gpc.get(level) for level in GPC_FIELDS})
        if gpc.get("gpc_brick") != doc.get("gpc_brick"):
            wanted["gpc_brick_attributes"] = {}
    return {k: v for k, v in wanted.items() if doc.get(k) != v}
