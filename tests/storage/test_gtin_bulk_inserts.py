"""An import batch inserts the GTINs it creates (infra/repos/gtin_bulk.py); one that another
writer created between the batch's read and its write is written over, as before, and the rest
of the batch still lands."""
from __future__ import annotations

import secrets

from pymongo import AsyncMongoClient, InsertOne
from stdnum import ean

from infra.repos.gtin_bulk import prepare_batch, write_batch
from models.gtin import ImportSpec, Participant, map_line

SPEC = {"link": "x", "gtin_field": "gtin", "name": "name", "fields": [{"field": "name", "title": "Name"}],
        "conditions": {"language": ["en"], "country": ["276"]}}


def _gtin(prefix: str, ref: int) -> str:
    body = f"{prefix}{ref:06d}"
    return body + ean.calc_check_digit(body)


async def test_created_gtins_are_inserted_and_a_racing_creation_is_written_over(docstore):
    client = AsyncMongoClient(docstore, directConnection=True)
    db = client["gtin_bulk"]
    prefix = f"030{secrets.randbelow(900) + 100}"  # a GS1 US 6-digit company prefix
    owner = Participant(id="p1", type="brand", prefixes=(prefix,))
    spec = ImportSpec.parse(SPEC)
    codes = [_gtin(prefix, ref) for ref in range(3)]
    oks = [map_line(spec, {"gtin": g, "name": f"Item {i}"}, owner, line=2 + i)
           for i, g in enumerate(codes)]
    try:
        ops, docs, tally = await prepare_batch(db, oks, owner, spec, set(), {})
        assert tally == {"created": 3, "updated": 0, "unchanged": 0}
        assert all(isinstance(op, InsertOne) for op in ops)
        racer = "0" + codes[1]
        await db.gtins.insert_one({"_id": racer, "id": racer, "name": "theirs", "version": 1})
        await write_batch(db, ops)
        stored = {d["_id"]: d async for d in db.gtins.find({"_id": {"$in": list(docs)}})}
        assert sorted(stored) == sorted(docs)
        assert {g: d["name"] for g, d in stored.items()} == {
            "0" + g: f"Item {i}" for i, g in enumerate(codes)}
    finally:
        await db.gtins.delete_many({"_id": {"$in": ["0" + g for g in codes]}})
        await client.close()
