"""Sales-file status GETs answered by the gateway's own status view (gateway/views.py), through
the real path: HTTP → Kafka → agents → events → the gateway's fold → HTTP, compared with the
worker's table; a file the gateway never saw events for is read through once, then kept.
(GTIN import tasks and the ticket cache: tests/e2e/gtin_import/test_status_view.py.)"""
from __future__ import annotations

import secrets

import pytest

from models.files import new_record, public_view
from tests.e2e.sales.test_pipeline import GENERIC
from tests.support.sales import ingest
from tests.support.status import SOURCE, store, table_answer


@pytest.fixture
def db(stack):
    with store(stack) as database:
        yield database


async def test_a_processed_file_is_answered_from_the_view_as_the_table_folds_it(stack, api):
    data = GENERIC.replace(b"Lanterns", f"Lanterns {secrets.token_hex(4)}".encode())  # no dup
    final = await ingest(api, "view.tsv", data)
    assert final["status"] == "FINALIZED", final
    code, body, headers = await api.get(f"/api/files/salesfiles/{final['id']}/")
    assert code == 200 and headers[SOURCE] == "view"
    assert body["status"] == "FINALIZED" and body["history"][-1]["status"] == "FINALIZED"
    assert [h["status"] for h in body["history"]][:2] == ["INITIALIZED", "UPLOADING"]
    table = await table_answer(stack, f"/files/{final['id']}/",
                               lambda b: b["status"] == "FINALIZED")
    assert public_view(table) == body  # same events, same fold


async def test_each_action_answer_is_read_back_from_the_view_at_once(api):
    status, created, _ = await api.post("/api/files/salesfiles/", json={
        "filename": "ryw.tsv", "filetype": "TSV", "filesize": len(GENERIC), "mongo_db_id": "x"})
    assert status == 201
    code, body, headers = await api.get(f"/api/files/salesfiles/{created['id']}/")
    assert code == 200 and headers[SOURCE] == "view" and body["status"] == "INITIALIZED"
    status, _, _ = await api.post(f"/api/files/salesfiles/{created['id']}/process/",
                                  json={"action": "upload"})
    assert status == 200
    code, body, headers = await api.get(f"/api/files/salesfiles/{created['id']}/")
    assert headers[SOURCE] == "view" and body["status"] == "UPLOADING"


async def test_a_file_the_gateway_never_saw_is_read_through_then_kept(stack, api, org, db):
    """A record stored without events (e.g. created before this gateway started)."""
    file_id = 10 ** 12 + secrets.randbelow(10 ** 9)
    record = new_record({"filename": "old.tsv", "filetype": "TSV", "filesize": len(GENERIC),
                         "mongo_db_id": "x", "upload_mode": "MANUALLY"},
                        file_id=file_id, uuid=secrets.token_hex(4), organisation=org["id"],
                        ts="2025-01-01T00:00:00.000+00:00")
    db.files.insert_one({**record, "_id": file_id})
    path = f"/api/files/salesfiles/{file_id}/"
    code, first, headers = await api.get(path)
    assert code == 200 and headers[SOURCE] == "store"  # the worker table lacks it too
    code, second, headers = await api.get(path)
    assert code == 200 and headers[SOURCE] == "view" and second == first
    # events now fold into the kept copy
    status, _, _ = await api.post(f"{path}process/", json={"action": "upload"})
    assert status == 200
    code, body, headers = await api.get(path)
    assert headers[SOURCE] == "view" and body["status"] == "UPLOADING"
    assert [h["status"] for h in body["history"]] == ["INITIALIZED", "UPLOADING"]


async def test_another_organisation_never_reads_a_file_from_the_view(api, other_api):
    _, created, _ = await api.post("/api/files/salesfiles/", json={
        "filename": "mine.tsv", "filetype": "TSV", "filesize": 1, "mongo_db_id": "x"})
    code, _, headers = await api.get(f"/api/files/salesfiles/{created['id']}/")
    assert code == 200 and headers[SOURCE] == "view"
    code, err, _ = await other_api.get(f"/api/files/salesfiles/{created['id']}/")
    assert code == 404 and err["code"] == "not_found"
