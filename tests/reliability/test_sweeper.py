"""Issue 19 item 6: storage does not grow without bound. On a private stack whose sweeper runs
every second with tiny TTLs (set only here), a record left INITIALIZED, one left UPLOADING with
its bytes and a catalog import left UPLOADING with its bytes end FAILED with status_cause
EXPIRED (seen through the API, so the status event was folded), their objects go, a stale
partial upload in `objects/.tmp` goes, and a file that went through is left alone."""
from __future__ import annotations

import asyncio
import os
import time

import pytest

from tests.reliability.conftest import record
from tests.support.http import Api, put_bytes
from tests.support.sales import ingest, register
from tests.support.stack import RunningStack, cli

UPLOAD_TTL = 6

DATA = ("sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"
        "2025-05\tQobuz\tBE\tBEABC2500001\tBalai\tPropre\t3\tEUR\t0.30\n").encode()


@pytest.fixture(scope="module")
def swept_stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("sweeper"), env={
        "TRIBUTARY_SWEEP_EVERY": "1", "TRIBUTARY_UPLOAD_TTL": str(UPLOAD_TTL),
        "TRIBUTARY_PARTIAL_UPLOAD_TTL": "30", "TRIBUTARY_REJECTED_TTL": "3600"}).start()
    try:
        yield running
    finally:
        running.discard()


def _objects(stack, file_id: int) -> list:
    return list((stack.data_dir / "objects" / "uploads").glob(f"*/{file_id}/*"))


async def test_sweeper_expires_stuck_records_and_removes_partials(swept_stack):
    org = cli(swept_stack.data_dir, "org", "create", "Swept Records")
    api = Api(swept_stack.url, org["token"])
    done = await ingest(api, "kept.tsv", DATA)  # well within the TTL at every step
    assert done["status"] == "FINALIZED", done
    waiting = await register(api, "never-sent.tsv", DATA.replace(b"Balai", b"Attente"))
    data = DATA.replace(b"Balai", b"Moitie")
    sent = await register(api, "never-processed.tsv", data)
    status, link, _ = await api.post(f"/api/files/salesfiles/{sent['id']}/process/",
                                     json={"action": "upload"})
    assert status == 200, link
    assert await put_bytes(link["presigned_url"], data) == 200
    assert _objects(swept_stack, sent["id"])
    status, catalog, _ = await api.post("/api/catalog/imports/", json={"filename": "c.csv",
                                                                        "filesize": 5})
    assert status == 201 and catalog["status"] == "UPLOADING", catalog
    assert await put_bytes(catalog["presigned_url"], b"isrc\n") in (200, 201)
    catalog_objects = swept_stack.data_dir / "objects" / "catalog-uploads"
    assert list(catalog_objects.rglob("original.csv"))
    tmp = swept_stack.data_dir / "objects" / ".tmp"
    stale, live = tmp / "put-cut-off", tmp / "put-in-progress"
    stale.write_bytes(b"half a statement")
    live.write_bytes(b"still streaming")
    os.utime(stale, (time.time() - 120, time.time() - 120))

    started = asyncio.get_running_loop().time()
    for sample in (waiting, sent):
        view = await api.wait_for(f"/api/files/salesfiles/{sample['id']}/",
                                  lambda b: b["status"] == "FAILED", timeout=UPLOAD_TTL + 30)
        assert view["status_cause"] == "EXPIRED", view
        assert "TRIBUTARY_UPLOAD_TTL" in view["error_message"], view
        assert view["history"][-1] == {"status": "FAILED", "ts": view["history"][-1]["ts"],
                                       "status_cause": "EXPIRED"}, view
    imported = await api.wait_for(f"/api/catalog/imports/{catalog['id']}/",
                                  lambda b: b["status"] == "FAILED", timeout=UPLOAD_TTL + 30)
    assert imported["status_cause"] == "EXPIRED", imported
    assert "TRIBUTARY_UPLOAD_TTL" in imported["error_message"], imported
    expired_after = asyncio.get_running_loop().time() - started
    _, listed, _ = await api.get("/api/files/salesfiles/?status=FAILED")
    assert {r["id"] for r in listed["results"]} == {waiting["id"], sent["id"]}, listed
    for _ in range(50):
        if not _objects(swept_stack, sent["id"]) and not stale.exists():
            break
        await asyncio.sleep(0.2)
    assert not _objects(swept_stack, sent["id"]), "the expired file's object is still stored"
    assert not list(catalog_objects.rglob("original.csv")), "the expired import's upload stayed"
    assert not stale.exists() and live.exists()
    # the expired upload URL is refused like any URL of a file that left UPLOADING
    assert await put_bytes(link["presigned_url"], data) == 409
    # the file that went through keeps its record and its original
    _, kept, _ = await api.get(f"/api/files/salesfiles/{done['id']}/")
    assert kept["status"] == "FINALIZED" and _objects(swept_stack, done["id"]), kept
    logs = "".join(p.read_text(errors="replace")
                   for p in (swept_stack.data_dir / "logs").glob("*.log"))
    assert "swept: " in logs and "expired records" in logs
    record("storage_limits", "sweeper", {
        "upload_ttl_s": UPLOAD_TTL, "sweep_every_s": 1,
        "waited_for_both_expired_s": round(expired_after, 1),
        "result": "INITIALIZED and UPLOADING files and an UPLOADING catalog import FAILED "
                  "EXPIRED, their objects and a stale .tmp removed, FINALIZED file kept"})
