"""The transactional outbox: a message the gateway acknowledges is stored in MongoDB before it is
published, in the same write as the record it concerns, so a 202 means durable.

An entry lives either inside its record (`_outbox.<message id>` of a file, GTIN import task,
automatic-upload job, catalog import, report or GTIN document: the record and its first command or change
event are one write) or, for a command on a record that exists already or has none yet, as its
own document in `outbox`. The relay (agents/outbox.py)
republishes entries that no worker has handled (`handled`, written by agents/deps.dispatch) and
drops them once one has. A republished command keeps its message id: handlers are idempotent
by it (at-least-once). Events (no handler to wait for) are done once the broker acknowledged
them.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Awaitable, Callable

from pymongo.asynchronous.database import AsyncDatabase

from infra.config import Outbox
from topics.envelope import Message, decode
from topics.registry import topic

log = logging.getLogger("tributary.outbox")
# this process's timing: settings.outbox (TRIBUTARY_OUTBOX_DELAY, _TRIES), installed once at its
# start by configure() (tributary/boot.py): entries are written from many places of the gateway
# and the agents, which need not each carry it
DELAY = Outbox.model_fields["delay"].default  # s before the first republish
TRIES = Outbox.model_fields["tries"].default  # then UNDELIVERED
MAX_BACKOFF = 60.0
VERSION = "_v"  # in `_outbox`: changed by every write that adds entries (see Place.done)
# collections whose records may carry `_outbox`; "outbox" holds entries of their own
EMBEDDED = ("files", "gtin_import_tasks", "gtins", "auto_uploads", "catalog_imports", "reports")
# the records that carry entries: every write adding one sets VERSION (embed, pending), and that
# field is indexed (ensure_index), so a relay turn reads those records, not a whole collection
# (a scan of `_outbox`: 282 ms a turn over 200 k GTINs on nx-27017, growing with the table)
CARRIERS = {f"_outbox.{VERSION}": {"$gt": ""}}
Publish = Callable[[str, Any, Message], Awaitable[None]]


def configure(policy: Outbox) -> None:
    global DELAY, TRIES
    DELAY, TRIES = policy.delay, policy.tries


def at(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat(
        timespec="milliseconds")


def entry(topic_name: str, key: Any, message: Message, **about: Any) -> dict[str, Any]:
    """An outbox entry for `message`; `about` names what the relay needs besides (e.g. the
    collection and id of a record a record-less command concerns)."""
    return {"id": message.message_id, "topic": topic_name, "key": str(key),
            "message": message.to_json(), "tries": 0, "next_at": at(DELAY), **about}


def embed(doc: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    """`doc` with `entries` added to its `_outbox` (pending ones it carries are kept)."""
    return {**doc, "_outbox": {**(doc.get("_outbox") or {}), **{e["id"]: e for e in entries},
                               VERSION: secrets.token_hex(8)}}


def pending(*entries: dict[str, Any]) -> dict[str, Any]:
    """`$set` fields adding `entries` to a record's `_outbox` (in the update that writes it)."""
    return {**{f"_outbox.{e['id']}": e for e in entries}, f"_outbox.{VERSION}": secrets.token_hex(8)}


def tries(item: dict[str, Any]) -> int:
    """Tries before an entry is given up: its own `patience` (a command that may wait long in
    a queue, e.g. one fetch among a folder's thousands) or TRIES."""
    return int(item.get("patience") or TRIES)


def message_of(item: dict[str, Any]) -> Message:
    return decode(item["message"], topic(item["topic"]).types)


async def add(db: AsyncDatabase, item: dict[str, Any]) -> None:
    """Store an entry of its own (a command for which no record is written)."""
    await db.outbox.insert_one({"_id": item["id"], **item})


class Place:
    """Where one entry is stored: its collection, the document's id, the field prefix."""

    def __init__(self, collection: str, doc_id: Any, message_id: str) -> None:
        self.collection, self.doc_id = collection, doc_id
        self.prefix = "" if collection == "outbox" else f"_outbox.{message_id}."

    async def done(self, db: AsyncDatabase) -> None:
        coll = db[self.collection]
        if not self.prefix:
            await coll.delete_one({"_id": self.doc_id})
            return
        await coll.update_one({"_id": self.doc_id}, {"$unset": {self.prefix[:-1]: ""}})
        doc = await coll.find_one({"_id": self.doc_id}, {"_outbox": 1})
        box = (doc or {}).get("_outbox")
        if isinstance(box, dict) and not any(isinstance(v, dict) for v in box.values()):
            # emptied: drop it unless an entry was added since (that write changed VERSION);
            # never by `{"_outbox": {}}`, which the embedded store matches for any document
            await coll.update_one({"_id": self.doc_id, f"_outbox.{VERSION}": box.get(VERSION)},
                                  {"$unset": {"_outbox": ""}})

    async def dead(self, db: AsyncDatabase) -> None:
        """Given up on (an event after its last try): kept for an operator, no more tries."""
        await db[self.collection].update_one({"_id": self.doc_id},
                                             {"$set": {f"{self.prefix}dead": True}})

    async def claim(self, db: AsyncDatabase, item: dict[str, Any]) -> bool:
        """Take this try (True) unless another relay took it first; the next is due later."""
        tries = int(item.get("tries") or 0)
        wait = min(DELAY * 2 ** (tries + 1), MAX_BACKOFF)
        result = await db[self.collection].update_one(
            {"_id": self.doc_id, f"{self.prefix}tries": tries},
            {"$inc": {f"{self.prefix}tries": 1}, "$set": {f"{self.prefix}next_at": at(wait)}})
        return result.modified_count == 1


async def publish(db: AsyncDatabase, send: Publish, place: Place, item: dict[str, Any]) -> bool:
    """Publish an entry just written (the request's own try). An event is done once sent; a
    command stays until a worker handled it. A failure is left to the relay: the entry is
    stored, so the caller answers as if it went out."""
    try:
        await send(item["topic"], item["key"], message_of(item))
    except Exception as exc:  # noqa: BLE001 - durable already; the relay retries
        log.warning("publish of %s %s failed (the relay retries): %s",
                    item["message"]["type"], item["id"], exc)
        return False
    if topic(item["topic"]).kind == "events":
        try:
            await place.done(db)
        except Exception as exc:  # noqa: BLE001 - sent; the relay drops it (at-least-once)
            log.warning("sent %s but could not drop its entry: %s", item["id"], exc)
    return True


async def ensure_index(db: AsyncDatabase) -> None:
    """Index CARRIERS' field in every EMBEDDED collection (sparse: only carriers hold it;
    creating an index that exists is a no-op)."""
    for name in EMBEDDED:
        await db[name].create_index(f"_outbox.{VERSION}", sparse=True)


async def due(db: AsyncDatabase, scan: bool = False) -> AsyncIterator[tuple[Place, dict[str, Any]]]:
    """Every entry whose next try is due, in the records CARRIERS finds by the index; `scan`:
    in every record that has `_outbox` (a relay's first turn: a record written without the
    version, by an older release or by hand, is still found once)."""
    now = at(0)
    carriers = {"_outbox": {"$exists": True}} if scan else CARRIERS
    for name in EMBEDDED:
        async for doc in db[name].find(carriers, {"_outbox": 1}):
            for mid, item in (doc.get("_outbox") or {}).items():
                if isinstance(item, dict) and not item.get("dead") and item.get("next_at", "") <= now:
                    yield Place(name, doc["_id"], mid), item
    # filtered here: the embedded store's find misses documents under `$lte` and `$ne` together
    async for doc in db.outbox.find({"next_at": {"$lte": now}}):
        if not doc.get("dead"):
            yield Place("outbox", doc["_id"], doc["_id"]), doc


async def handled(db: AsyncDatabase, message_id: str) -> bool:
    return await db.handled.find_one({"_id": message_id}, {"_id": 1}) is not None
