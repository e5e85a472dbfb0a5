"""agents/housekeeping.py: the worker heartbeat and the reconciler that re-issues the next
command for files left in flight, run as the timers they are."""
from __future__ import annotations

from types import SimpleNamespace

from infra import liveness
from infra.repos import files as file_repo
from tests.support.harness import harness
from tests.unit.agents.sales_files import SALES, uploaded

OLD = "2020-01-01T00:00:00.000+00:00"


async def test_the_heartbeat_records_the_worker(h):
    h.deps.progress = 7
    await h.tick("housekeeping.heartbeat")
    doc = await h.db.workers.find_one({"_id": "harness"})
    assert (doc["progress"], doc["ready"], doc["recovering"]) == (7, False, False)
    assert doc["url"] == f"http://127.0.0.1:{h.deps.settings.worker_port}"


async def test_a_worker_with_partitions_and_no_rebalance_is_ready(h):
    h.app.consumer = SimpleNamespace(assignment=lambda: {("sales.files.commands", 0)})
    await h.tick("housekeeping.heartbeat")
    assert (await h.db.workers.find_one({"_id": "harness"}))["ready"] is True
    h.app.rebalancing = True
    await h.tick("housekeeping.heartbeat")
    doc = await h.db.workers.find_one({"_id": "harness"})
    assert (doc["ready"], doc["recovering"]) == (False, True)


async def test_the_beat_file_tells_the_supervisor_what_the_worker_does(docstore, tmp_path,
                                                                      monkeypatch):
    path = tmp_path / "beat.json"
    monkeypatch.setenv(liveness.ENV_FILE, str(path))  # before the worker reads its settings
    async with harness(docstore) as h:
        await _beats(h, path)


async def test_the_first_beat_is_written_as_the_worker_starts(docstore, tmp_path, monkeypatch):
    """A worker stopped before its timer's first tick must already have beaten: the supervisor
    then replaces it once the beats stop, not at the start bound minutes later."""
    path = tmp_path / "beat.json"
    monkeypatch.setenv(liveness.ENV_FILE, str(path))
    async with harness(docstore) as h:
        assert liveness.read(path) is None
        await h.app.tasks["housekeeping.first_beat"]()
        assert liveness.read(path)["worker"] == "harness"


async def _beats(h, path) -> None:
    h.deps.progress = 3
    await h.tick("housekeeping.beat_file")
    beat = liveness.read(path)
    assert (beat["progress"], beat["worker"], beat["stuck_in"]) == (3, "harness", None)
    h.app.tables.recovery.in_recovery = True
    await h.tick("housekeeping.beat_file")
    assert liveness.read(path)["stuck_in"] == "table recovery"


async def test_a_file_left_in_flight_gets_its_next_command_again(h):
    org = await h.org()
    await uploaded(h, org, 1301, SALES / "generic.tsv")           # UPLOADED, attempt 1
    await uploaded(h, org, 1302, SALES / "generic.tsv")           # UPLOADED, recent: left alone
    await h.db.files.update_one({"_id": 1301}, {"$set": {"updated_at": OLD}})
    h.clear()
    await h.tick("status_table.reissue_stale_files")   # the lifecycle kit's re-issuer
    assert [(s.topic, s.key, s.type, s.payload) for s in h.sent] == [
        ("sales.cleaning.commands", "1301", "CleanSalesFile", {"file_id": 1301, "attempt": 1})]
    doc = await h.db.files.find_one({"_id": 1301})  # `updated_at` is not refreshed (issue 19)
    assert doc["updated_at"] == OLD and doc["reissued_at"] > OLD
    await h.settle()
    assert (await file_repo.get(h.db, 1301))["status"] == "FINALIZED"
