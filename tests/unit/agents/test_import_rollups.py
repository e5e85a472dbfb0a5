"""agents/rollups.py at import, once the file is FINALIZED: each analytics rollup kind stored
beside the file's Parquet under the attempt's key and named on the stored record (a field
internal to the store: no status event, not in the record a client reads); a build that fails never fails the file (the record
names none and the gateway builds them when asked); a file voided meanwhile is not written; a
reimport writes new keys and removes the old ones; a void removes them."""
from __future__ import annotations

import pyarrow.parquet as pq

from agents import rollups as agent
from infra.analytics import build, rollup
from infra.repos import files as file_repo
from tests.unit.agents.sales_files import FILES
from tests.unit.agents.test_importing import IMPORT, cleaned


async def stored_record(h, file_id: int) -> dict:
    """The record as clients read it, with the rollups the store names beside it."""
    record = await file_repo.get(h.db, file_id)
    assert "rollups" not in record              # internal to the store
    return {**record, "rollups": await file_repo.rollup_keys(h.db, file_id) or None}


async def imported(h, org: str, file_id: int) -> dict:
    await cleaned(h, org, file_id)
    await h.send(IMPORT, file_id, "ImportSalesFile", {"file_id": file_id, "attempt": 1})
    await agent.drain()
    record = await stored_record(h, file_id)
    assert record["status"] == "FINALIZED"
    return record


async def test_import_stores_every_rollup_kind_beside_the_parquet(h):
    record = await imported(h, await h.org(), 751)
    assert set(record["rollups"]) == set(rollup.KINDS)
    assert [e["status"] for e in record["history"]][-2:] == ["PROCESSED", "FINALIZED"]
    assert h.statuses(key=751).count("FINALIZED") == 1           # no status event for them
    store = await h.store()
    for kind, key in record["rollups"].items():
        assert key == build.key(record["parquet_key"], 1, kind)
        await store.download(key, str(h.root / f"{kind}.parquet"))
    few = pq.read_table(h.root / "few.parquet").to_pylist()
    assert sum(r["n"] for r in few) == record["total_rows"] == 3
    assert sum(r["quantity"] for r in few) == sum(
        r["quantity"] for r in pq.read_table(h.root / "track.parquet").to_pylist())


async def test_a_failed_build_leaves_the_import_finalized_without_rollups(h, monkeypatch):
    def broken(source, targets, threads=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "write", broken)
    record = await imported(h, await h.org(), 752)
    assert record.get("rollups") is None and record["total_rows"] == 3


async def test_a_file_voided_while_its_rollups_are_built_is_left_alone(h, monkeypatch):
    org = await h.org()
    real = agent.store_rollups
    stored: list[dict] = []

    async def void_meanwhile(store, record, work_dir):
        keys = await real(store, record, work_dir)
        stored.append(keys)
        await h.db.files.update_one({"_id": record["id"]}, {"$set": {"status": "VOIDED"}})
        return keys

    monkeypatch.setattr(agent, "store_rollups", void_meanwhile)
    await cleaned(h, org, 754)
    await h.send(IMPORT, 754, "ImportSalesFile", {"file_id": 754, "attempt": 1})
    await agent.drain()
    record = await stored_record(h, 754)
    assert record.get("rollups") is None and stored and stored[0]
    for key in stored[0].values():           # its objects removed again
        assert await (await h.store()).head(key) is None


async def test_a_reimport_writes_new_keys_and_a_void_removes_them(h):
    org = await h.org()
    first = (await imported(h, org, 753))["rollups"]
    assert first
    store = await h.store()
    await h.send(FILES, 753, "ReimportSalesFile", {"file_id": 753})
    await h.settle()
    await agent.drain()
    again = await stored_record(h, 753)
    assert (again["status"], again["attempt"]) == ("FINALIZED", 2)
    assert again["rollups"]["few"] == build.key(again["parquet_key"], 2, "few") != first["few"]
    for key in first.values():
        assert await store.head(key) is None
    await h.send(FILES, 753, "VoidSalesFile", {"file_id": 753})
    voided = await stored_record(h, 753)
    assert voided["status"] == "VOIDED" and voided["rollups"] is None
    for key in again["rollups"].values():
        assert await store.head(key) is None
