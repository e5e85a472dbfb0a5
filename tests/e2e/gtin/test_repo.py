"""infra.repos.gtins against the stack's real document store (the helpers importers use)."""
from __future__ import annotations

from infra.config import load_settings
from infra.mongo import connect, database
from infra.repos import gtins
from tests.support.participants import gtin_for


async def test_repo_round_trip_and_bulk_helpers(stack):
    client = connect(load_settings(stack.data_dir))
    db = database(client, load_settings(stack.data_dir))
    try:
        ids = ["0" + gtin_for("79") for _ in range(3)]
        doc = gtins.new_document(ids[0], "urn:test:owner", {"name": "n"})
        assert await gtins.insert(db, doc) and not await gtins.insert(db, doc)
        stored = await gtins.get(db, ids[0])
        assert stored["version"] == 1 and gtins.public(stored) == doc
        assert await gtins.replace(db, {**doc, "name": "m"}, expected_version=2) is None
        assert (await gtins.replace(db, {**doc, "name": "m"}, expected_version=1))["version"] == 2
        assert await gtins.set_sources(db, ids[0], [{"id": "x"}], expected_version=1) is False
        assert await gtins.set_sources(db, ids[0], [{"id": "x"}], expected_version=2)
        written = await gtins.bulk_replace(db, [gtins.new_document(g, "urn:test:owner") for g in ids[1:]])
        assert written == 2
        assert await gtins.bulk_set_sources(db, [(g, [{"id": g}]) for g in ids]) == 3
        found = await gtins.get_many(db, ids + ["00000000000000"])
        assert sorted(found) == sorted(ids)
        assert found[ids[0]]["name"] == "m" and found[ids[0]]["version"] == 4
        assert all(found[g]["sources"] == [{"id": g}] for g in ids)
        assert await gtins.delete(db, ids[0]) and not await gtins.delete(db, ids[0])
        assert await gtins.get(db, ids[0]) is None
    finally:
        await client.close()
