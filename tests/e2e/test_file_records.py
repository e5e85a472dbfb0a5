"""Walking skeleton: HTTP → Kafka → registration agent → MongoDB → event → the gateway's status
view (and the workers' Faust table) → HTTP."""
from __future__ import annotations

import pytest

NEW = {"filename": "spotify-2025-06.tsv", "filetype": "TSV", "filesize": 2048,
       "mongo_db_id": "665f00aa"}


async def test_create_then_read_back_from_the_view(api):
    status, body, _ = await api.post("/api/files/salesfiles/", json=NEW)
    assert status == 201, body
    assert isinstance(body["id"], int) and len(body["uuid"]) == 8
    for field in ("filename", "filetype", "filesize", "mongo_db_id", "status", "total_rows",
                  "total_artists", "status_cause", "error_message", "total_local",
                  "reporting_period", "upload_mode", "response_module", "organisation",
                  "exchange_rate", "module_response"):
        assert field in body
    assert body["status"] == "INITIALIZED" and body["upload_mode"] == "MANUALLY"
    # the 201 came once the gateway saw SalesFileRegistered, which its view folded first: the
    # view answers the very next read (no worker table, no store)
    code, view, headers = await api.get(f"/api/files/salesfiles/{body['id']}/")
    assert code == 200 and headers.get("X-Tributary-Source") == "view"
    assert view["uuid"] == body["uuid"] and view["history"][0]["status"] == "INITIALIZED"
    assert view["filename"] == NEW["filename"]


async def test_form_data_is_accepted(api):
    status, body, _ = await api.post("/api/files/salesfiles/", data={
        **{k: str(v) for k, v in NEW.items()}, "filetype": "csv", "exchange_rate": "1.0850"})
    assert status == 201, body
    assert body["filetype"] == "CSV" and body["exchange_rate"] == "1.0850"


async def test_ids_are_unique(api):
    ids, uuids = set(), set()
    for _ in range(5):
        _, body, _ = await api.post("/api/files/salesfiles/", json=NEW)
        ids.add(body["id"])
        uuids.add(body["uuid"])
    assert len(ids) == 5 and len(uuids) == 5


@pytest.mark.parametrize("payload, bad", [
    ({}, {"filename", "filetype", "filesize", "mongo_db_id"}),
    ({**NEW, "filetype": "PDF"}, {"filetype"}),
    ({**NEW, "filesize": "-3"}, {"filesize"}),
    ({**NEW, "filesize": "big"}, {"filesize"}),
    ({**NEW, "reporting_period": "2025-13"}, {"reporting_period"}),
    ({**NEW, "exchange_rate": "0"}, {"exchange_rate"}),
    ({**NEW, "upload_mode": "SOMETIMES"}, {"upload_mode"}),
])
async def test_bad_fields_answer_400_listing_each(api, payload, bad):
    status, body, _ = await api.post("/api/files/salesfiles/", json=payload)
    assert status == 400
    assert body["code"] == "validation_error" and {e["field"] for e in body["errors"]} == bad


async def test_malformed_json_is_a_json_400(api):
    status, body, _ = await api.post("/api/files/salesfiles/", data=b"{not json",
                                     headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in body["detail"]


async def test_unknown_file_is_a_json_404(api):
    status, body, _ = await api.get("/api/files/salesfiles/987654/")
    assert status == 404 and body["code"] == "not_found"


async def test_tokens_are_required_and_scoped(api, other_api, stack):
    from tests.support.http import Api

    _, body, _ = await api.post("/api/files/salesfiles/", json=NEW)
    status, err, _ = await Api(stack.url).get(f"/api/files/salesfiles/{body['id']}/")
    assert status == 401 and err["code"] == "unauthorized"
    status, err, _ = await Api(stack.url, "trb_wrong").get(f"/api/files/salesfiles/{body['id']}/")
    assert status == 401
    status, err, _ = await other_api.get(f"/api/files/salesfiles/{body['id']}/")
    assert status == 404
    _, listing, _ = await other_api.get("/api/files/salesfiles/")
    assert body["id"] not in [r["id"] for r in listing["results"]]


async def test_listing_filters_and_pages(api):
    _, created, _ = await api.post("/api/files/salesfiles/",
                                   json={**NEW, "reporting_period": "2024-02"})
    status, page, _ = await api.get("/api/files/salesfiles/?reporting_period=2024-02&page_size=1")
    assert status == 200 and page["page_size"] == 1
    assert page["results"][0]["id"] == created["id"]
    status, err, _ = await api.get("/api/files/salesfiles/?status=NOPE")
    assert status == 400
