"""A GTIN import task's error entries are stored one document per list and batch and read back
in list then line order, each line once: a batch written again after a resume, batches cut
differently, and documents of one entry each (earlier releases) (infra/repos/import_errors.py)."""
from __future__ import annotations

import secrets

from pymongo import AsyncMongoClient

from infra.repos import import_errors


def _bad(lines):
    return [{"line": n, "gtin": f"{n:014d}", "reason": "check digit"} for n in lines]


async def _lines(db, task, name=None):
    return [(e["list"], e["line"]) async for e in import_errors.entries(db, task, name)]


async def test_entries_are_chunked_per_batch_and_read_in_order_once(docstore):
    client = AsyncMongoClient(docstore, directConnection=True)
    db = client["import_errors"]
    task = secrets.token_hex(6)
    try:
        await import_errors.add(db, task, {"bad_gtins": _bad([7, 3]), "bad_lines": _bad([5])})
        await import_errors.add(db, task, {"bad_gtins": _bad([1002, 1500])})
        assert await db.gtin_import_errors.count_documents({"task": task}) == 3
        await import_errors.add(db, task, {"bad_gtins": _bad([1002, 1500])})  # resumed: again
        await import_errors.add(db, task, {"bad_gtins": _bad([1500, 1700])})  # cut differently
        await db.gtin_import_errors.insert_one({  # one entry per document, an earlier release
            "_id": f"{task}:bad_prefixes:{42:010d}", "task": task, "list": "bad_prefixes",
            "line": 42, "gtin": "00000000000042", "prefix": "000", "reason": "not yours"})
        assert await _lines(db, task) == [
            ("bad_gtins", 3), ("bad_gtins", 7), ("bad_gtins", 1002), ("bad_gtins", 1500),
            ("bad_gtins", 1700), ("bad_lines", 5), ("bad_prefixes", 42)]
        assert await _lines(db, task, "bad_lines") == [("bad_lines", 5)]
        (old,) = [e async for e in import_errors.entries(db, task, "bad_prefixes")]
        assert old == {"list": "bad_prefixes", "line": 42, "gtin": "00000000000042",
                       "prefix": "000", "reason": "not yours"}
        assert await import_errors.delete(db, task) == 5
        assert await _lines(db, task) == []
    finally:
        await import_errors.delete(db, task)
        await client.close()
