"""agents/rollups.py at import: each analytics rollup kind stored beside the file's Parquet
under the attempt's key and named on the record; a build that fails never fails the file (the
record names none and the gateway builds them when asked); a reimport writes new keys and
removes the old ones; a void removes them."""
from __future__ import annotations

import pyarrow.parquet as pq

from infra.analytics import build, rollup
from infra.repos import files as file_repo
from tests.unit.agents.sales_files import FILES
from tests.unit.agents.test_importing import IMPORT, cleaned


async def imported(h, org: str, file_id: int) -> dict:
    await cleaned(h, org, file_id)
    await h.send(IMPORT, file_id, "ImportSalesFile", {"file_id": file_id, "attempt": 1})
    record = await file_repo.get(h.db, file_id)
    assert record["status"] == "FINALIZED"
    return record


async def test_import_stores_every_rollup_kind_beside_the_parquet(h):
    record = await imported(h, await h.org(), 751)
    assert set(record["rollups"]) == set(rollup.KINDS)
    store = await h.store()
    for kind, key in record["rollups"].items():
        assert key == build.key(record["parquet_key"], 1, kind)
        await store.download(key, str(h.root / f"{kind}.parquet"))
    few = pq.read_table(h.root / "few.parquet").to_pylist()
    assert sum(r["n"] for r in few) == record["total_rows"] == 3
    assert sum(r["quantity"] for r in few) == sum(
        r["quantity"] for r in pq.read_table(h.root / "track.parquet").to_pylist())


async def test_a_failed_build_leaves_the_import_finalized_without_rollups(h, monkeypatch):
    def broken(source, targets):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "write", broken)
    record = await imported(h, await h.org(), 752)
    assert record["rollups"] is None and record["total_rows"] == 3


async def test_a_reimport_writes_new_keys_and_a_void_removes_them(h):
    org = await h.org()
    first = (await imported(h, org, 753))["rollups"]
    store = await h.store()
    await h.send(FILES, 753, "ReimportSalesFile", {"file_id": 753})
    await h.settle()
    again = await file_repo.get(h.db, 753)
    assert (again["status"], again["attempt"]) == ("FINALIZED", 2)
    assert again["rollups"]["few"] == build.key(again["parquet_key"], 2, "few") != first["few"]
    for key in first.values():
        assert await store.head(key) is None
    await h.send(FILES, 753, "VoidSalesFile", {"file_id": 753})
    voided = await file_repo.get(h.db, 753)
    assert voided["status"] == "VOIDED" and voided["rollups"] is None
    for key in again["rollups"].values():
        assert await store.head(key) is None
