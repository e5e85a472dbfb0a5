"""Every error entry of a GTIN import task (`gtin_import_errors`): the status view lists the
first MAX_LISTED of each list, these documents hold them all for the CSV download.

`_id` = "<task>:<list>:<line, 10 digits>", so a batch written again after a resume stores
nothing twice, and a task's entries are read in list and line order through the `_id` index.
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
    ops = [UpdateOne({"_id": _id(task_id, name, e["line"])},
                     {"$setOnInsert": {"task": task_id, "list": name, **e}}, upsert=True)
           for name, entries in lists.items() for e in entries]
    for start in range(0, len(ops), 1000):
        await _coll(db).bulk_write(ops[start:start + 1000], ordered=False)


async def entries(db: AsyncDatabase, task_id: str, name: str | None = None
                  ) -> AsyncIterator[dict[str, Any]]:
    """A task's entries in list then line order (one list with `name`)."""
    low = f"{task_id}:{name}:" if name else f"{task_id}:"
    high = low[:-1] + ";"  # the character after ':'
    async for doc in _coll(db).find({"_id": {"$gte": low, "$lt": high}}).sort("_id", 1):
        yield doc


async def delete(db: AsyncDatabase, task_id: str) -> int:
    result = await _coll(db).delete_many({"_id": {"$gte": f"{task_id}:", "$lt": f"{task_id};"}})
    return result.deleted_count
