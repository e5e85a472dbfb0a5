"""Compare-and-set writes of entity records (every kind declared with models.lifecycle).

A record carries `_version` (missing on old records: read as 0). A write reads the record,
folds the event with the kind's pure fold (refusing an illegal transition) and writes only
where the version is still the one it read; a writer that lost the race reads again and
refolds (at most `TRIES` times), and one whose event a newer state made obsolete (the fold
answers None, or the transition is no longer allowed) is dropped, the record untouched. The
write `$set`s the folded fields and `$unset`s the ones the fold removed, so the fields folds
never see (`models.lifecycle.INTERNAL`: `_outbox`, the lease, `reissued_at`) stay as they are.
With `fence` (a held lease, infra/repos/leases.py) the write also needs that lease: a
taken-over owner gets `LeaseLost`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from infra.repos.leases import LeaseLost
from models.lifecycle import INTERNAL, EntityKind, IllegalTransition, step

log = logging.getLogger("tributary.lifecycle")
TRIES = 8
HIDDEN = {name: 0 for name in INTERNAL if name != "_id"}  # projection: the record alone


class WriteConflict(RuntimeError):
    """Every try lost the race (a runaway writer): nothing was written."""


@dataclass
class Written:
    record: dict[str, Any] | None  # the record now (as folded, or as stored when dropped)
    changed: bool                  # False: the event was dropped


def record_of(kind: EntityKind, doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The record a fold sees in a stored document."""
    if doc is None:
        return None
    if kind.public is not None:
        return {k: doc.get(k) for k in kind.public}
    return {k: v for k, v in doc.items() if k not in INTERNAL}


def holds(doc: dict[str, Any] | None, fence: dict[str, Any]) -> bool:
    return doc is not None and all(doc.get(k) == v for k, v in fence.items())


async def write(db: AsyncDatabase, kind: EntityKind, key: Any, event_type: str,
                payload: dict[str, Any], ts: str, *, fence: dict[str, Any] | None = None,
                also: dict[str, Any] | None = None) -> Written:
    """Fold one event into the stored record of `key` (compare-and-set); `also`: fields of the
    document outside the record written in the same update (a checkpoint, a released lease)."""
    coll = db[kind.collection]
    for _ in range(TRIES):
        doc = await coll.find_one({"_id": key})
        if fence is not None and not holds(doc, fence):
            raise LeaseLost(f"{kind.name} {key} was taken over")
        current = record_of(kind, doc)
        try:
            updated = step(kind, current, event_type, payload, ts)
        except IllegalTransition as exc:
            log.warning("dropped an illegal status change: %s", exc)
            return Written(current, False)
        if updated is None:
            return Written(current, False)
        version = int((doc or {}).get("_version") or 0)
        fields = {k: v for k, v in updated.items() if k not in INTERNAL}
        change: dict[str, Any] = {"$set": {**fields, **(also or {}), "_version": version + 1}}
        gone = {k: "" for k in current or {} if k not in updated}
        if gone:
            change["$unset"] = gone
        where = {"_id": key, **(fence or {}),
                 "_version": version if doc and "_version" in doc else {"$exists": False}}
        try:
            result = await coll.update_one(where, change, upsert=doc is None)
        except DuplicateKeyError:  # created meanwhile: fold into that one
            continue
        if result.matched_count or result.upserted_id is not None:
            return Written(updated, True)
        log.info("%s %s changed under a write; folding again", kind.name, key)
    raise WriteConflict(f"{kind.name} {key}: {TRIES} writes in a row lost the race")


async def insert(db: AsyncDatabase, kind: EntityKind, record: dict[str, Any]) -> bool:
    """Store a new record under its id; False when one is there already (a redelivery)."""
    result = await db[kind.collection].update_one({"_id": record["id"]}, {"$setOnInsert": record},
                                                  upsert=True)
    return result.upserted_id is not None


async def get(db: AsyncDatabase, kind: EntityKind, key: Any) -> dict[str, Any] | None:
    """The stored record of `key` (the store side of the one read strategy: table, then store)."""
    return record_of(kind, await db[kind.collection].find_one({"_id": key}, HIDDEN))


async def stale(db: AsyncDatabase, kind: EntityKind, cutoff: str, now: str, *,
                statuses: tuple[str, ...] | None = None,
                where: dict[str, Any] | None = None) -> list[dict]:
    """Work left in flight: in a status the kind re-issues from (or `statuses`, for a
    re-issuer of its own; `where`: more of the record to match), no write or lease renewal
    since `cutoff`, its lease released or expired, not re-issued since `cutoff` either.
    Filtered here rather than in one `$or` (nx-27017 does not match null inside `$or`)."""
    cursor = db[kind.collection].find({**(where or {}),
                                       "status": {"$in": list(statuses or kind.reissue)},
                                       "updated_at": {"$lt": cutoff}})
    return [doc async for doc in cursor
            if (doc.get("lease") is None or (doc.get("lease_expires") or "") < now)
            and (doc.get("reissued_at") or "") < cutoff]


async def mark_reissued(db: AsyncDatabase, kind: EntityKind, key: Any, now: str) -> None:
    """Remember the re-issue (never `updated_at`: that would hide an expired lease)."""
    await db[kind.collection].update_one({"_id": key}, {"$set": {"reissued_at": now}})


async def mark_unannounced(db: AsyncDatabase, kind: EntityKind, key: Any, now: str) -> None:
    """Note that the record's latest change was not published (agents.lifecycle.write)."""
    await db[kind.collection].update_one({"_id": key}, {"$set": {"unannounced": now}})


async def index_unannounced(db: AsyncDatabase, kind: EntityKind) -> None:
    """A sparse index on the mark: a sweep reads the marked records, not the collection
    (creating an index that exists is a no-op)."""
    await db[kind.collection].create_index("unannounced", sparse=True)


async def unannounced(db: AsyncDatabase, kind: EntityKind) -> list[dict]:
    """Documents whose latest change was not published, with the mark each carries."""
    return [doc async for doc in db[kind.collection].find({"unannounced": {"$gt": ""}})]


async def announced(db: AsyncDatabase, kind: EntityKind, key: Any, mark: str) -> None:
    """Clear the mark `mark` (a newer one, from a later failure, stays)."""
    await db[kind.collection].update_one({"_id": key, "unannounced": mark}, {"$unset": {"unannounced": ""}})
