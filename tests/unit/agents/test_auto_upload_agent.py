"""agents/auto_upload.py and agents/auto_upload_jobs.py: automatic uploads from http links (a
loopback server, allowed by TRIBUTARY_FETCH_ALLOW) and the sweep of interrupted ones, without
a broker. Google Drive itself is not reachable here (see tests/e2e/auto_upload)."""
from __future__ import annotations

import pytest
from aiohttp import web

from agents import auto_upload
from infra.repos import files as file_repo
from models.files import object_key
from tests.support.http import serving_app
from tests.unit.agents.sales_files import FILES, SALES, registered

AUTO = "auto_upload.commands"
BANDCAMP = SALES / "layouts" / "bandcamp-sales.csv"


@pytest.fixture
async def server(monkeypatch):
    monkeypatch.setenv("TRIBUTARY_FETCH_ALLOW", "127.0.0.1")
    app = web.Application()
    app.router.add_get("/march.csv", lambda r: web.Response(
        body=BANDCAMP.read_bytes(), content_type="text/csv"))
    app.router.add_get("/empty.csv", lambda r: web.Response(body=b"", content_type="text/csv"))
    async with serving_app(app) as url:
        yield url


def resolve(job_id: str, org: str, url: str) -> dict:
    return {"job_id": job_id, "organisation": org, "url": url}


async def test_an_http_link_becomes_a_sales_file_that_goes_through_the_pipeline(server, h):
    org = await h.org()
    await h.send(AUTO, "au-1", "ResolveAutoUpload", resolve("au-1", org, f"{server}/march.csv"))
    resolved = h.last("AutoUploadResolved")
    [entry] = resolved["files"]
    assert (entry["filename"], entry["filetype"], entry["duplicate"]) == (
        "march.csv", "CSV", False)
    assert [s.type for s in h.sent if s.topic == FILES] == [
        "CreateSalesFile", "StartSalesFileUpload", "ProcessSalesFile"]
    record = {"organisation": org, "id": entry["id"], "filetype": "CSV"}
    stored = await (await h.store()).get(object_key(record))
    assert stored == BANDCAMP.read_bytes()
    job = await h.db.auto_uploads.find_one({"_id": "au-1"})
    assert job["status"] == "RESOLVED" and job["files"][0]["id"] == entry["id"]
    await h.settle()
    final = await file_repo.get(h.db, entry["id"])
    assert (final["status"], final["total_rows"], final["upload_mode"]) == (
        "FINALIZED", 3, "AUTOMATICALLY")
    assert final["source"]["kind"] == "http"


async def test_the_same_link_again_names_the_file_already_imported(server, h):
    org = await h.org()
    await h.send(AUTO, "au-2", "ResolveAutoUpload", resolve("au-2", org, f"{server}/march.csv"))
    first = h.last("AutoUploadResolved")["files"][0]
    h.clear()
    await h.send(AUTO, "au-3", "ResolveAutoUpload", resolve("au-3", org, f"{server}/march.csv"))
    again = h.last("AutoUploadResolved")["files"][0]
    assert (again["id"], again["duplicate"]) == (first["id"], True)
    assert not h.events_of("CreateSalesFile")


async def test_a_redelivered_resolve_answers_again_and_does_nothing_twice(server, h):
    org = await h.org()
    payload = resolve("au-4", org, f"{server}/march.csv")
    await h.send(AUTO, "au-4", "ResolveAutoUpload", payload)
    h.clear()
    await h.send(AUTO, "au-4", "ResolveAutoUpload", payload)  # a new message id: not a duplicate
    assert [s.type for s in h.sent] == ["AutoUploadResolved"]


@pytest.mark.parametrize("url, code", [
    ("ftp://files.example/x.csv", "bad_link"),
    ("http://files.example/batch.zip", "bad_link"),
])
async def test_unusable_links_are_rejected(h, url, code):
    org = await h.org()
    await h.send(AUTO, "au-5", "ResolveAutoUpload", resolve("au-5", org, url))
    rejected = h.last("AutoUploadRejected")
    assert (rejected["job_id"], rejected["code"]) == ("au-5", code)
    assert (await h.db.auto_uploads.find_one({"_id": "au-5"}))["status"] == "REJECTED"


async def test_an_empty_file_and_an_unknown_organisation_are_rejected(server, h):
    org = await h.org()
    await h.send(AUTO, "au-6", "ResolveAutoUpload", resolve("au-6", org, f"{server}/empty.csv"))
    assert h.last("AutoUploadRejected")["code"] == "empty"
    await h.send(AUTO, "au-7", "ResolveAutoUpload", resolve("au-7", "org-404", f"{server}/x.csv"))
    assert h.last("AutoUploadRejected") == {"job_id": "au-7", "code": "unknown_organisation",
                                            "message": "unknown organisation 'org-404'"}
    assert await h.db.files.count_documents({}) == 0


async def test_a_fetch_for_a_file_that_moved_on_is_skipped(h):
    org = await h.org()
    await registered(h, org, 1101, BANDCAMP)
    await h.db.files.update_one({"_id": 1101}, {"$set": {"status": "FINALIZED"}})
    h.clear()
    sent = await h.send("auto_upload.fetch.commands", 1101, "FetchAutoUploadFile",
                        {"job_id": "au-8", "file_id": 1101, "organisation": org,
                         "drive_file_id": "1abc"})
    assert sent == []


async def test_the_sweep_moves_interrupted_automatic_uploads_on(h):
    org = await h.org()
    fetched = await registered(h, org, 1102, BANDCAMP, upload_mode="AUTOMATICALLY")
    await registered(h, org, 1103, BANDCAMP, upload_mode="AUTOMATICALLY")
    await h.put(object_key(fetched), BANDCAMP)
    await h.db.files.update_many({}, {"$set": {"updated_at": "2020-01-01T00:00:00.000+00:00"}})
    h.clear()
    await auto_upload.reconcile(h.deps)
    assert [(s.key, s.type) for s in h.sent if s.topic == FILES] == [("1102", "ProcessSalesFile")]
    failed = h.last("SalesFileStatusChanged")
    assert (failed["file_id"], failed["status"], failed["status_cause"]) == (
        1103, "FAILED", "FETCH_FAILED")


async def test_a_resolve_without_a_url_is_dead_lettered(h):
    await h.send(AUTO, "au-9", "ResolveAutoUpload", {"job_id": "au-9", "organisation": "org-1"},
                 check=False)
    [letter] = h.dead_letters
    assert [e["field"] for e in letter["errors"]] == ["url"]
    assert await h.db.auto_uploads.count_documents({}) == 0
