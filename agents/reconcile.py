"""Summary-file reconciliation (see models/sales/reconcile.py): a SoundOn Summary's stated
totals are kept per organisation and period, and compared with the detail files of that period
whenever either side arrives. A mismatch becomes a warning on the detail files' status."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from agents.deps import Deps
from agents.sales_status import set_status
from models.sales import reconcile

LAYOUT = reconcile.LAYOUT


def _key(organisation: str, period: str) -> str:
    return f"{organisation}:{reconcile.LAYOUT}:{period}"


async def on_summary(deps: Deps, record: dict, path: str) -> None:
    """A refused NOT_SALES file: if it is a SoundOn Summary, remember what it states."""
    stated = await asyncio.to_thread(reconcile.read_summary, path)
    if stated is None:
        return
    org = record["organisation"]
    await deps.db.reconciliations.replace_one(
        {"_id": _key(org, stated["period"])},
        {"_id": _key(org, stated["period"]), "organisation": org, "period": stated["period"],
         "totals": stated["totals"], "summary_file": record["id"]}, upsert=True)
    await check(deps, org, stated["period"])


async def check(deps: Deps, organisation: str, period: str | None) -> None:
    """Compare the period's SoundOn detail files with a stored summary, if there is one."""
    if not period:
        return
    stated = await deps.db.reconciliations.find_one({"_id": _key(organisation, period)})
    if stated is None:
        return
    files = [f async for f in deps.db.files.find(
        {"organisation": organisation, "reporting_period": period, "layout": reconcile.LAYOUT,
         "status": {"$in": ["PROCESSED", "FINALIZED"]}})]
    imported: dict[str, Decimal] = {}
    for doc in files:
        kind = reconcile.royalty_type(doc["filename"])
        imported[kind] = imported.get(kind, Decimal(0)) + Decimal(str(doc.get("total_local") or 0))
    if not imported:
        return
    result = reconcile.compare(stated["totals"], imported)
    result["summary_file"] = stated["summary_file"]
    for doc in files:
        doc.pop("_id", None)
        warnings = [w for w in doc.get("warnings") or [] if w.get("source") != "SoundOn Summary"]
        if not result["ok"]:
            warnings.append(result)
        await set_status(deps, doc, doc["status"], reconciliation=result, warnings=warnings)
