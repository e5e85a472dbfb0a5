"""The embedded document store keeps booleans as booleans through the update forms the
project uses ($set, $push) (infra/stack/nx_bools): a top-level `$set` of False had been stored as 0."""
from __future__ import annotations

import secrets

from pymongo import AsyncMongoClient


async def test_updates_keep_booleans(docstore):
    client = AsyncMongoClient(docstore, directConnection=True)
    db = client[f"bools_{secrets.token_hex(4)}"]
    try:
        await db.x.insert_one({"_id": 1, "a": False, "n": 0})
        await db.x.update_one({"_id": 1}, {"$set": {"a": True, "b": False, "c": {"d": False},
                                                    "n": 1, "s": "x", "z": None}})
        await db.x.update_one({"_id": 1}, {"$set": {"b": True, "e": False},
                                           "$push": {"flags": False}})
        await db.x.update_one({"_id": 1}, {"$push": {"flags": {"$each": [True, 2]}}})
        doc = await db.x.find_one({"_id": 1})
        assert doc == {"_id": 1, "a": True, "n": 1, "b": True, "c": {"d": False}, "s": "x",
                       "z": None, "e": False, "flags": [False, True, 2]}
        assert all(type(doc[k]) is bool for k in ("a", "b", "e"))
        assert type(doc["n"]) is int
        assert await db.x.count_documents({"e": False}) == 1
        assert await db.x.count_documents({"b": True}) == 1
    finally:
        await client.drop_database(db.name)
        await client.close()
