"""Automatic uploads never lose what the job answered (issue 19, failure 2): the records a job
lists are stored with their creates, and the fetches, zip expansions and pipeline commands the
worker sends for them are stored before they are published (the outbox), so the relay delivers
what the broker refused — not a reconciler, which this stack turns off.

The worker refuses the first publishes of each such command (TRIBUTARY_WORKER_PUBLISH_FAULTS,
read by agents/deps.py only when set: this test sets it), as a broker outage would."""
from __future__ import annotations

import asyncio

from pymongo import MongoClient

from tests.e2e.auto_upload.conftest import report, tag
from tests.e2e.auto_upload.test_auto_upload import PATH, finalized, zip_bytes
from tests.reliability.conftest import record
from tests.support.drive import drive_fixtures
from tests.support.http import Api
from tests.support.stack import cli

# resolve: two creates, two fetches, one expansion; then a pipeline command of a fetched file
REFUSED = {"CreateSalesFile": 2, "FetchAutoUploadFile": 2, "ExpandAutoUploadArchive": 1,
           "StartSalesFileUpload": 1, "ProcessSalesFile": 1}


drive, astack = drive_fixtures(
    "module", "astack", TRIBUTARY_OUTBOX_DELAY="1",
    # the automatic-upload reconciler would re-drive a lost fetch after this: not here
    TRIBUTARY_AUTO_UPLOAD_STALE_AFTER="3600",
    TRIBUTARY_WORKER_PUBLISH_FAULTS=",".join(f"{k}:{n}" for k, n in REFUSED.items()))


async def _no_entries_left(db, timeout: float = 30.0) -> None:
    left = None
    for _ in range(int(timeout / 0.5)):
        left = {name: db[name].count_documents({"_outbox": {"$exists": True}})
                for name in ("auto_uploads", "files")}
        left["outbox"] = db.outbox.count_documents({})
        if not any(left.values()):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"outbox entries left: {left}")


async def test_refused_fetches_and_expansions_are_relayed(astack, drive):
    api = Api(astack.url, cli(astack.data_dir, "org", "create", "Relayed Uploads")["token"])
    t = tag()
    root = drive.folder(f"relayed-{t}")
    drive.file("a.csv", report(t + "a"), parent=root)
    drive.file("b.csv", report(t + "b"), parent=root)
    drive.file(f"bundle-{t}.zip", zip_bytes({"one.csv": report(t + "one"),
                                             "two.tsv": report(t + "two", "\t")}), parent=root)
    status, body, _ = await api.post(PATH, json={"url": drive.folder_link(root)})
    assert status == 202 and body["status"] == "RESOLVED", body
    assert sorted(f["filename"] for f in body["files"]) == ["a.csv", "b.csv"]
    assert [a["status"] for a in body["archives"]] == ["PENDING"]
    for entry in body["files"]:  # their creates were refused: stored, readable at once
        status, stored, _ = await api.get(f"/api/files/salesfiles/{entry['id']}/")
        assert status == 200 and stored["status"] == "INITIALIZED", stored

    job = await api.wait_for(f"{PATH}{body['job_id']}/", lambda b: b["done"], timeout=120)
    assert [a["status"] for a in job["archives"]] == ["EXPANDED"], job
    assert sorted(f["path"].rsplit("/", 1)[-1] for f in job["files"]) == [
        "a.csv", "b.csv", "one.csv", "two.tsv"], job
    for entry in job["files"]:
        done = await finalized(api, entry["id"])
        assert done["total_rows"] == 2, done

    client = MongoClient(astack.state["mongo_url"], directConnection=True)
    try:
        await _no_entries_left(client[astack.state["mongo_db"]])
    finally:
        client.close()
    logs = "".join(p.read_text(errors="replace")
                   for p in (astack.data_dir / "logs").glob("worker-*.log"))
    assert logs.count("injected publish failure") >= sum(REFUSED.values()), "all refused"
    for kind in REFUSED:
        assert f"relayed {kind}" in logs, f"{kind} came back through the relay"
    record("outbox", "auto_upload_refused", f"{sum(REFUSED.values())} worker publishes refused "
           f"({', '.join(f'{n} {k}' for k, n in REFUSED.items())}), the reconciler off: each "
           "relayed; listed files readable at once; 4 files FINALIZED, zip EXPANDED")
