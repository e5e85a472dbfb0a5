"""POST /api/files/upload_automatically/ end to end: a local Drive-compatible server, the real
broker, agents and stores; every accepted file must reach FINALIZED as an AUTOMATICALLY upload."""
from __future__ import annotations

import os

from tests.contract.examples import load
from tests.e2e.auto_upload.conftest import report, tag
from tests.support.sales import wait_terminal, zip_bytes

PATH = "/api/files/upload_automatically/"
PIPELINE = ["INITIALIZED", "UPLOADING", "UPLOADED", "CLEANING", "CLEANED", "PROCESSING",
            "PROCESSED", "FINALIZED"]


async def submit(api, url: str, expect: int = 202) -> dict:
    status, body, _ = await api.post(PATH, json={"url": url})
    assert status == expect, body
    return body


async def finalized(api, file_id: int) -> dict:
    record = await wait_terminal(api, file_id)
    assert record["status"] == "FINALIZED", record
    assert record["upload_mode"] == "AUTOMATICALLY"
    assert record["module_response"] == "upload_automatically"  # the sales specification's
    assert [h["status"] for h in record["history"]] == PIPELINE
    return record


async def job_done(api, job_id: str) -> dict:
    return await api.wait_for(f"{PATH}{job_id}/", lambda b: b["done"], timeout=90)


async def test_single_drive_file(auto_api, drive):
    t = tag()
    file_id = drive.file(f"june-{t}.csv", report(t))
    spec = load("upload_automatically.json", "sales")  # the specification's table
    body = await submit(auto_api, drive.file_link(file_id))
    assert set(spec["request"]) == {"url"} and set(spec["response_fields"]) <= set(body)
    assert body["status"] == "RESOLVED" and body["skipped"] == []
    [entry] = body["files"]
    assert entry["filename"] == f"june-{t}.csv" and entry["upload_mode"] == "AUTOMATICALLY"
    assert {"id", "uuid", "filename", "status"} <= set(entry) and not entry["duplicate"]
    record = await finalized(auto_api, entry["id"])
    assert record["total_rows"] == 2 and record["filesize"] == len(report(t))
    assert record["source"]["kind"] == "google_drive"
    assert record["source"]["drive_file_id"] == file_id


async def test_folder_with_subfolders_is_walked_across_pages(auto_api, drive):
    t = tag()
    root = drive.folder(f"reports-{t}")
    sub = drive.folder("2025", parent=root)
    deeper = drive.folder("june", parent=sub)
    drive.file("a.csv", report(t + "a"), parent=root)
    drive.file("b.tsv", report(t + "b", "\t"), parent=root)
    drive.file("notes.pdf", b"%PDF-1.4 not sales", parent=root)
    drive.file("Royalties", b"", parent=root, mime="application/vnd.google-apps.spreadsheet")
    drive.file("c.txt", report(t + "c", "\t"), parent=sub)
    drive.file("d.csv", report(t + "d"), parent=deeper)
    before = len(drive.requests)
    body = await submit(auto_api, drive.folder_link(root))
    assert sorted(f["path"] for f in body["files"]) == ["2025/c.txt", "2025/june/d.csv",
                                                        "a.csv", "b.tsv"]
    reasons = {s["path"]: s["reason"] for s in body["skipped"]}
    assert set(reasons) == {"notes.pdf", "Royalties"}
    assert ".pdf" in reasons["notes.pdf"] and "XLSX or CSV" in reasons["Royalties"]
    pages = [q for p, q in drive.requests[before:] if p.endswith("/files") and "pageToken" in q]
    assert pages, "the root folder holds 5 items and pageSize is 2: it must be paged"
    for entry in body["files"]:
        await finalized(auto_api, entry["id"])
    job = await job_done(auto_api, body["job_id"])
    assert {f["status"] for f in job["files"]} == {"FINALIZED"}


async def test_zip_in_folder_is_expanded(auto_api, drive):
    t = tag()
    root = drive.folder(f"bundle-{t}")
    drive.file("loose.csv", report(t + "loose"), parent=root)
    drive.file(f"statement-{t}.zip", zip_bytes({
        "sales/one.csv": report(t + "one"), "sales/two.tsv": report(t + "two", "\t"),
        "cover.jpg": b"\xff\xd8\xff\xe0 jpeg"}), parent=root)
    body = await submit(auto_api, drive.folder_link(root))
    assert [f["filename"] for f in body["files"]] == ["loose.csv"]
    [archive] = body["archives"]
    assert archive["status"] == "PENDING" and archive["path"] == f"statement-{t}.zip"
    job = await job_done(auto_api, body["job_id"])
    assert job["archives"][0]["status"] == "EXPANDED"
    paths = sorted(f["path"] for f in job["files"])
    assert paths == sorted(["loose.csv", f"statement-{t}.zip/sales/one.csv",
                            f"statement-{t}.zip/sales/two.tsv"])
    assert [s["path"] for s in job["skipped"]] == [f"statement-{t}.zip/cover.jpg"]
    for entry in job["files"]:
        record = await finalized(auto_api, entry["id"])
        if "zip" in entry["path"]:
            assert record["source"]["kind"] == "google_drive_zip"


async def test_zip_bomb_fails_alone(auto_api, drive):
    t = tag()
    root = drive.folder(f"bomb-{t}")
    drive.file("fine.csv", report(t + "fine"), parent=root)
    bomb = zip_bytes({"huge.csv": b"0" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000
    drive.file("bomb.zip", bomb, parent=root)
    body = await submit(auto_api, drive.folder_link(root))
    job = await job_done(auto_api, body["job_id"])
    [archive] = job["archives"]
    assert archive["status"] == "FAILED" and archive["status_cause"] == "CORRUPTED"
    assert "zip bomb" in archive["error_message"] and "bomb.zip" in archive["error_message"]
    [entry] = job["files"]
    await finalized(auto_api, entry["id"])


async def test_direct_zip_link_is_refused(auto_api, drive):
    zip_id = drive.file("bundle.zip", zip_bytes({"a.csv": report(tag())}))
    body = await submit(auto_api, drive.file_link(zip_id), expect=400)
    assert body["code"] == "direct_zip"
    assert "direct link to a zip archive is not supported" in body["detail"]
    plain = await submit(auto_api, f"{drive.origin}/plain/bundle.zip", expect=400)
    assert plain["code"] == "direct_zip" and "zip archive is not supported" in plain["detail"]


async def test_private_file_and_folder_are_refused(auto_api, drive):
    secret = drive.file("secret.csv", report(tag()), public=False)
    body = await submit(auto_api, drive.file_link(secret), expect=400)
    assert body["code"] == "private" and "Anyone with the link" in body["detail"]
    hidden = drive.folder("hidden", public=False)
    body = await submit(auto_api, drive.folder_link(hidden), expect=400)
    assert body["code"] == "private"
    status, job, _ = await auto_api.get(f"{PATH}{body['job_id']}/")
    assert status == 200 and job["status"] == "REJECTED" and job["done"]


async def test_duplicate_submission_returns_the_existing_record(auto_api, drive):
    t = tag()
    file_id = drive.file(f"dup-{t}.csv", report(t))
    first = await submit(auto_api, drive.file_link(file_id))
    again = await submit(auto_api, f"https://drive.google.com/open?id={file_id}")
    assert [f["id"] for f in again["files"]] == [first["files"][0]["id"]]
    assert again["files"][0]["duplicate"] is True
    await finalized(auto_api, first["files"][0]["id"])
    third = await submit(auto_api, drive.file_link(file_id))
    assert third["files"][0]["id"] == first["files"][0]["id"]
    assert third["files"][0]["status"] == "FINALIZED"
    _, listing, _ = await auto_api.get("/api/files/salesfiles/?page_size=500")
    same = [r for r in listing["results"] if (r.get("source") or {}).get("drive_file_id")
            == file_id]
    assert len(same) == 1


async def test_plain_http_url(auto_api, drive):
    t = tag()
    url = drive.serve(f"export-{t}.csv", report(t))
    body = await submit(auto_api, url + "?X-Amz-Signature=abc")
    [entry] = body["files"]
    assert entry["filename"] == f"export-{t}.csv"
    record = await finalized(auto_api, entry["id"])
    assert record["source"] == {"kind": "http", "url": url, "sha256": record["source"]["sha256"]}
    missing = await submit(auto_api, f"{drive.origin}/plain/nothing-{t}.csv", expect=400)
    assert missing["code"] == "http_error" and "404" in missing["detail"]


async def test_bad_links_unsupported_files_and_job_scoping(auto_api, other_auto_api, drive):
    body = await submit(auto_api, "ftp://example.com/a.csv", expect=400)
    assert "http(s)" in body["detail"]
    body = await submit(auto_api, "https://drive.google.com/drive/my-drive", expect=400)
    assert "names no file or folder" in body["detail"]
    pdf = drive.file("statement.pdf", b"%PDF-1.4")
    body = await submit(auto_api, drive.file_link(pdf), expect=400)
    assert body["code"] == "unsupported_type" and "CSV" in body["detail"]
    url = drive.serve(f"page-{tag()}", b"<html></html>", "text/html")
    body = await submit(auto_api, url, expect=400)
    assert body["code"] == "unsupported_type"
    status, _, _ = await auto_api.get(f"{PATH}au-0000000000000000/")
    assert status == 404
    mine = await submit(auto_api, drive.file_link(drive.file("x.csv", report(tag()))))
    status, _, _ = await other_auto_api.get(f"{PATH}{mine['job_id']}/")
    assert status == 404
    status, job, _ = await auto_api.get(f"{PATH}{mine['job_id']}/")
    assert status == 200 and job["files"][0]["id"] == mine["files"][0]["id"]


async def test_missing_api_key_is_explained(api):
    """The session stack runs without TRIBUTARY_GOOGLE_API_KEY: the gateway answers 400."""
    if os.environ.get("TRIBUTARY_GOOGLE_API_KEY"):
        import pytest
        pytest.skip("the test environment sets TRIBUTARY_GOOGLE_API_KEY")
    status, body, _ = await api.post(PATH, json={
        "url": "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOpQrSt"})
    assert status == 400 and body["code"] == "drive_not_configured"
    assert "TRIBUTARY_GOOGLE_API_KEY" in body["detail"] and "API key" in body["detail"]
