"""agents/auto_upload.py by the kit's rules (issue 19 item 4, issue 16): the sweep re-sends a
stuck Drive fetch marking `reissued_at` (never refreshing `updated_at`, which would hide an
expired lease), once per stale period, and leaves a record under a live lease alone; the
RESOLVED job and its fetches are one compare-and-set write that a job already answered
refuses."""
from __future__ import annotations

from agents import auto_upload
from agents.auto_upload_jobs import Outcome
from tests.unit.agents.sales_files import SALES, registered
from topics.envelope import now_iso

AUTO, FETCH = "auto_upload.commands", "auto_upload.fetch.commands"
BANDCAMP = SALES / "layouts" / "bandcamp-sales.csv"
PAST, FUTURE = "2020-01-01T00:00:00.000+00:00", "2999-01-01T00:00:00.000+00:00"


async def from_drive(h, org: str, file_id: int, **fields) -> None:
    await registered(h, org, file_id, BANDCAMP, upload_mode="AUTOMATICALLY")
    await h.db.files.update_one({"_id": file_id}, {"$set": {
        "source": {"kind": "google_drive", "drive_file_id": f"d{file_id}", "md5": None},
        "updated_at": PAST, **fields}})


async def test_a_stuck_drive_fetch_is_resent_once_without_refreshing_updated_at(h):
    org = await h.org()
    await from_drive(h, org, 1201)
    await from_drive(h, org, 1202, lease="w-live", lease_expires=FUTURE)  # worked on
    await from_drive(h, org, 1203, lease="w-dead", lease_expires=PAST)    # its owner died
    h.clear()
    before = now_iso()
    await auto_upload.reconcile(h.deps)
    fetches = sorted((s.key, s.payload["drive_file_id"]) for s in h.sent if s.topic == FETCH)
    assert fetches == [("1201", "d1201"), ("1203", "d1203")], h.sent
    for file_id in (1201, 1203):
        doc = await h.db.files.find_one({"_id": file_id})
        assert doc["updated_at"] == PAST and doc["reissued_at"] >= before, doc
    assert "reissued_at" not in await h.db.files.find_one({"_id": 1202})
    h.clear()
    await auto_upload.reconcile(h.deps)  # re-sent already within this stale period
    assert [s for s in h.sent if s.topic == FETCH] == []


async def test_the_resolved_job_and_its_fetches_are_one_versioned_write(h, monkeypatch):
    org = await h.org()
    await h.db.auto_uploads.insert_one({"_id": "au-21", "organisation": org, "url": "u",
                                        "status": "RESOLVING"})  # as the gateway stores it
    fetch = {"_type": "FetchAutoUploadFile", "job_id": "au-21", "organisation": org,
             "file_id": 1210, "drive_file_id": "d1210", "size": 10, "md5": None}

    async def resolved(*_args):
        return Outcome(files=[{"id": 1210}], fetches=[dict(fetch)])
    monkeypatch.setattr(auto_upload, "resolve_link", resolved)
    h.clear()
    await h.send(AUTO, "au-21", "ResolveAutoUpload", {"job_id": "au-21", "organisation": org,
                                                      "url": "https://drive.example/x"})
    assert [s.type for s in h.sent if s.topic == FETCH] == ["FetchAutoUploadFile"]
    assert h.last("AutoUploadResolved")["files"] == [{"id": 1210}]
    job = await h.db.auto_uploads.find_one({"_id": "au-21"})
    assert job["status"] == "RESOLVED" and job["_version"] == 1, job
    [entry] = [v for v in job["_outbox"].values() if isinstance(v, dict)]
    assert entry["message"]["type"] == "FetchAutoUploadFile"


async def test_a_job_answered_meanwhile_is_not_overwritten_nor_its_fetches_sent(h, monkeypatch):
    org = await h.org()
    await h.db.auto_uploads.insert_one({"_id": "au-22", "organisation": org, "url": "u",
                                        "status": "RESOLVING"})

    async def raced(deps, *_args):  # another delivery answers the job while this one resolves
        await deps.db.auto_uploads.update_one({"_id": "au-22"}, {"$set": {
            "status": "RESOLVED", "files": [{"id": 1}], "skipped": [], "archives": [],
            "_version": 1}})
        return Outcome(files=[{"id": 2}], fetches=[{
            "_type": "FetchAutoUploadFile", "job_id": "au-22", "organisation": org,
            "file_id": 2, "drive_file_id": "d2", "size": 10, "md5": None}])
    monkeypatch.setattr(auto_upload, "resolve_link", raced)
    h.clear()
    await h.send(AUTO, "au-22", "ResolveAutoUpload", {"job_id": "au-22", "organisation": org,
                                                      "url": "https://drive.example/y"})
    assert [s for s in h.sent if s.topic == FETCH] == []
    assert h.last("AutoUploadResolved")["files"] == [{"id": 1}]  # the stored answer
    job = await h.db.auto_uploads.find_one({"_id": "au-22"})
    assert job["files"] == [{"id": 1}] and "_outbox" not in job, job
