"""Leases on in-flight work (GTIN import tasks, and any document driven by one worker at a time).

A lease is three fields on the work's own document: `lease` (the owner, a worker id),
`lease_expires` (ISO time; the owner renews it while it works) and `lease_token` (a fencing
token, incremented by every take). A lease is taken when it is free, already ours (a worker
restarted under the same id) or expired; the take is one atomic update, so of several workers
racing for an expired lease exactly one wins. The owner's writes filter on its token
(`fence`), so a paused owner that wakes up after a takeover cannot write over the new one.
Nobody refreshes an expired lease except by taking it (the old reconciler refreshed
`updated_at` before re-issuing, so nobody could ever take a stale lease over).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import ReturnDocument

from topics.envelope import now_iso


class LeaseLost(Exception):
    """The lease was taken over: this owner must stop writing."""


def at(seconds: float) -> str:
    """ISO time `seconds` from now (negative: in the past), sortable as text."""
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat(
        timespec="milliseconds")


async def take(coll, doc_id: Any, owner: str, ttl: float,
               match: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Take the lease on `doc_id` (matching `match`) for `owner`; the document, or None.
    `match` must not use $in/$nin: nx-27017 then matches but leaves the document unchanged."""
    base = {"_id": doc_id, **(match or {})}
    update = {"$set": {"lease": owner, "lease_expires": at(ttl), "updated_at": now_iso()},
              "$inc": {"lease_token": 1}}
    # plain filters one after another rather than one $or: nx-27017 does not match null in $or
    for extra in ({"lease": None}, {"lease": owner}, {"lease_expires": {"$lt": at(0)}},
                  {"lease_expires": {"$exists": False}, "updated_at": {"$lt": at(-ttl)}}):
        doc = await coll.find_one_and_update({**base, **extra}, update,
                                             return_document=ReturnDocument.AFTER)
        if doc is not None:
            return doc
    return None


def fence(doc: dict[str, Any]) -> dict[str, Any]:
    """The filter that matches the document only while this taker still holds its lease."""
    return {"lease": doc.get("lease"), "lease_token": doc.get("lease_token")}


async def renew(coll, doc_id: Any, held: dict[str, Any], ttl: float) -> bool:
    """Extend a held lease; False when it was taken over (or released)."""
    result = await coll.update_one({"_id": doc_id, **held},
                                   {"$set": {"lease_expires": at(ttl), "updated_at": now_iso()}})
    return result.matched_count == 1


async def release(coll, doc_id: Any, held: dict[str, Any]) -> bool:
    """Give a held lease up (the next step's worker takes it at once); False when it was
    taken over meanwhile (nothing is changed then)."""
    result = await coll.update_one({"_id": doc_id, **held}, {"$set": {"lease": None}})
    return result.matched_count == 1
