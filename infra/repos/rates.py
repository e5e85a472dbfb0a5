"""Organisation exchange rates in MongoDB (`exchange_rates`, one document per org, month, pair)."""
from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from topics.envelope import now_iso


def _key(organisation: Any, rate: dict) -> str:
    return f"{organisation}|{rate['month']}|{rate['from']}|{rate['to']}"


async def upsert(db: AsyncDatabase, organisation: Any, rates: list[dict]) -> list[dict]:
    """Store rates (a later rate for the same month and pair replaces the earlier one)."""
    ts = now_iso()
    out = []
    for rate in rates:
        doc = {"_id": _key(organisation, rate), "organisation": organisation, **rate, "updated_at": ts}
        await db.exchange_rates.replace_one({"_id": doc["_id"]}, doc, upsert=True)
        doc.pop("_id")
        out.append(doc)
    return out


async def find(db: AsyncDatabase, organisation: Any, *, month: str | None = None,
               currency: str | None = None) -> list[dict]:
    query: dict[str, Any] = {"organisation": organisation}
    if month:
        query["month"] = month
    if currency:
        query["$or"] = [{"from": currency}, {"to": currency}]
    docs = [d async for d in db.exchange_rates.find(query)]
    for doc in docs:
        doc.pop("_id", None)
    return sorted(docs, key=lambda d: (d["month"], d["from"], d["to"]))
