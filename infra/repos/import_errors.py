"""Every error entry of a GTIN import task (`gtin_import_errors`): the status view lists the
first MAX_LISTED of each list, these documents hold them all for the CSV download.

One document per list and batch, `_id` = "<task>:<list>:<first line, 10 digits>", holding the
batch's entries of that list in line order (`entries`): a batch with 60 bad lines is one write,
not 60 (each a document the embedded store parses, indexes and stores). A batch written again
after a resume has the same first line, so nothing is stored twice; a task's chunks are read in
list and line order through the `_id` index, and a line already given is never given again
(were a resumed run's batches ever cut differently). Documents of one entry each, written by
earlier releases (`_id` ending in the entry's own line, no `entries`), read the same way.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase


def _coll(db: AsyncDatabase):
    return db.gtin_import_errors


def _id(task_id: str, name: str, line: int) -> str:
    return f"{task_id}:{name}:{int(line):010d}"


async def add(db: AsyncDatabase, task_id: str, lists: dict[str, list[dict[str, Any]]]) -> None:
    """Store a batch's entries ({list name: [entry with `line`]}); idempotent."""
    ops = []
    for name, found in lists.items():
        if found:
            found = sorted(found, key=lambda e: int(e["line"]))
            ops.append(UpdateOne({"_id": _id(task_id, name, found[0]["line"])},
                                 {"$setOnInsert": {"task": task_id, "list": name,
                                                   "entries": found}}, upsert=True))
    if ops:
        await _coll(db).bulk_write(ops, ordered=False)


async def entries(db: AsyncDatabase, task_id: str, name: str | None = None
                  ) -> AsyncIterator[dict[str, Any]]:
    """A task's entries ({"list", "line", …}) in list then line order (one list with `name`)."""
    low = f"{task_id}:{name}:" if name else f"{task_id}:"
    high = low[:-1] + ";"  # the character after ':'
    current, last = None, 0
    async for doc in _coll(db).find({"_id": {"$gte": low, "$lt": high}}).sort("_id", 1):
        if doc["list"] != current:
            current, last = doc["list"], 0
        chunk = doc.get("entries")
        if chunk is None:  # one entry per document (earlier releases)
            chunk = [{k: v for k, v in doc.items() if k not in ("_id", "task", "list")}]
        for entry in chunk:
            if int(entry["line"]) > last:
                last = int(entry["line"])
                yield {"list": current, **entry}


async def delete(db: AsyncDatabase, task_id: str) -> int:
    result = await _coll(db).delete_many({"_id": {"$gte": f"{task_id}:", "$lt": f"{task_id};"}})
    return result.deleted_count
