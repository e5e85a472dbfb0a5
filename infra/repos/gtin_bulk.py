"""Bulk writes of an import batch into `gtins` (document shape: infra/repos/gtins.py) and
`brands`. Re-applying a batch gives the same documents: a participant's source is merged by
its conditions, so a line written twice still leaves one source."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from infra.repos import gtins
from models.gtin import Ok, Participant, merge_sources, replace_included
from models.gtin.import_spec import ImportSpec
from topics.envelope import now_iso


def brand_id(owner: str, name: str) -> str:
    """Deterministic brand id per owner and (case-folded) brand name."""
    digest = hashlib.sha256(f"{owner}\n{name.strip().casefold()}".encode()).hexdigest()[:16]
    return f"brand-{digest}"


async def ensure_brands(db: AsyncDatabase, owner: str, names: set[str]) -> dict[str, str]:
    """{brand name: brand id}, creating the brand documents that do not exist yet."""
    ids = {name: brand_id(owner, name) for name in names}
    if ids:
        now = now_iso()
        await db.brands.bulk_write([
            UpdateOne({"_id": bid}, {"$setOnInsert": {"_id": bid, "id": bid, "name": name,
                                                      "owner": owner, "type": "brand",
                                                      "created_at": now}}, upsert=True)
            for name, bid in ids.items()], ordered=False)
    return ids


async def apply_batch(db: AsyncDatabase, oks: Sequence[Ok], participant: Participant,
                      spec: ImportSpec) -> int:
    """Create new GTINs owned by the participant, merge its source into existing ones.

    Returns how many lines were written (lines of one GTIN in a batch apply in file order)."""
    if not oks:
        return 0
    existing = await gtins.get_many(db, list(dict.fromkeys(o.gtin for o in oks)))
    brands = await ensure_brands(db, participant.id, {o.brand for o in oks if o.brand})
    created: dict[str, dict[str, Any]] = {}
    changed: dict[str, list[dict]] = {}
    for ok in oks:
        doc = existing.get(ok.gtin) or created.get(ok.gtin)
        if doc is None:
            fields = {"name": ok.name, "brand_id": brands.get(ok.brand) if ok.brand else None,
                      **ok.gpc}
            doc = created[ok.gtin] = gtins.new_document(ok.gtin, participant.id, fields)
        sources = list(doc.get("sources") or [])
        if spec.replace_included_conditions and not participant.system:
            sources = replace_included(sources, participant.id, spec.conditions)
        sources = merge_sources(sources, participant, [ok.source], system=participant.system)
        doc["sources"] = sources
        if ok.gtin not in created:
            changed[ok.gtin] = sources
    await gtins.bulk_replace(db, created.values())
    await gtins.bulk_set_sources(db, changed.items())
    return len(oks)
