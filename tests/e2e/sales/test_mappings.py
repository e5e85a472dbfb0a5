"""Organisation mappings over HTTP: validation (400 naming each problem), CRUD scoped to the
caller's organisation, and a file in a taught layout importing with no other step."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.support.http import Api
from tests.support.sales import ingest, wait_terminal
from tests.support.stack import cli

MAPPING = {
    "name": "acme-monthly",
    "required_headers": ["Monat", "Shop", "Land", "Titel", "Künstler", "Stück", "Saldo (EUR)"],
    "header_row": 3, "skip_top": 2, "skip_bottom": 1,
    "columns": {"Monat": "sale_period", "Shop": "dsp", "Land": "territory", "Titel": "track_title",
                "Künstler": "artist", "Stück": "quantity", "Saldo (EUR)": "revenue"},
    "date_format": "%d.%m.%Y", "decimal_separator": ",", "thousands_separator": ".", "default_currency": "EUR",
}


def acme_file(first_amount: str) -> bytes:
    return ("Acme Musikvertrieb GmbH - Abrechnung\nZeitraum: 01.06.2025 - 30.06.2025\n"
            "Monat;Shop;Land;Titel;Künstler;Stück;Saldo (EUR)\n"
            f"15.06.2025;Spotify;DE;Nordlicht;Aurora Vale;1.200;{first_amount}\n"
            "20.06.2025;Deezer;AT;Südwind;Aurora Vale;3;0,000001\n"
            "30.06.2025;Apple Music;CH;Nordlicht;Aurora Vale;12;8,91\n"
            "Summe;;;;;1.215;-\n").encode()


@pytest.fixture(scope="module")
def acme(stack) -> Api:
    """An organisation of its own, so its mapping cannot change other tests' detection."""
    return Api(stack.url, cli(stack.data_dir, "org", "create", "Acme Mapping Label")["token"])


async def test_invalid_mapping_names_each_problem(acme):
    bad = dict(MAPPING, columns={**MAPPING["columns"], "Payout": "money", "Extra": "dsp"},
               decimal_separator=";", default_currency="XXZ")
    status, body, _ = await acme.post("/api/layouts/", json=bad)
    assert status == 400 and body["code"] == "validation_error"
    problems = {(p["field"], p["problem"].split(" ")[0]) for p in body["errors"]}
    assert ("columns.Payout", "unknown") in problems                 # unknown canonical field
    assert ("columns.Payout", "column") in problems                  # not in required_headers
    assert ("columns.Extra", "column") in problems
    assert {"decimal_separator", "default_currency"} <= {p["field"] for p in body["errors"]}
    assert "money" in body["detail"] and "Extra" in body["detail"]
    status, body, _ = await acme.post("/api/layouts/", json={"name": "x"})
    assert status == 400 and {p["field"] for p in body["errors"]} >= {"columns"}
    status, body, _ = await acme.get("/api/layouts/")
    assert body["count"] == 0


async def test_unknown_file_then_mapping_then_it_imports(acme, other_api):
    failed = await ingest(acme, "acme-june.csv", acme_file("1.234,567891"))
    assert failed["status"] == "FAILED" and failed["status_cause"] == "UNKNOWN_LAYOUT"
    msg = failed["error_message"]
    assert "Monat" in msg and "Saldo (EUR)" in msg and "closest layouts tried" in msg

    status, created, _ = await acme.post("/api/layouts/", json=MAPPING)
    assert status == 201, created
    assert created["name"] == "acme-monthly" and "_id" not in created and "organisation" in created
    status, again, _ = await acme.post("/api/layouts/", json=MAPPING)
    assert status == 409
    _, listed, _ = await acme.get("/api/layouts/")
    assert [x["id"] for x in listed["results"]] == [created["id"]]
    status, _, _ = await other_api.get(f"/api/layouts/{created['id']}/")
    assert status == 404                                               # another organisation's mapping

    final = await ingest(acme, "acme-june-v2.csv", acme_file("1.234,567892"))
    assert final["status"] == "FINALIZED", final
    assert final["layout"] == "org:acme-monthly" and final["currency"] == "EUR"
    assert final["reporting_period"] == "2025-06"
    _, snap, _ = await acme.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    assert D(snap["totals"]["revenue"]) == D("1234.567892") + D("0.000001") + D("8.91")
    assert snap["totals"]["quantity"] == str(1200 + 3 + 12) and snap["totals"]["rows"] == 3

    status, body, _ = await acme.post(f"/api/files/salesfiles/{failed['id']}/process/", json={"action": "reimport"})
    assert status == 202, body
    redone = await wait_terminal(acme, failed["id"])
    assert redone["status"] == "FINALIZED" and redone["layout"] == "org:acme-monthly"
    assert D(redone["total_local"]) == D("1234.567891") + D("0.000001") + D("8.91")


async def test_update_and_delete_mapping(acme):
    status, created, _ = await acme.post("/api/layouts/", json=dict(MAPPING, name="temporary"))
    assert status == 201
    path = f"/api/layouts/{created['id']}/"
    status, body, _ = await acme.call("PUT", path, json=dict(MAPPING, name="temporary", default_currency="CHF"))
    assert status == 200 and body["default_currency"] == "CHF"
    status, body, _ = await acme.get(path)
    assert body["default_currency"] == "CHF" and body["created_at"] == created["created_at"]
    status, body, _ = await acme.call("PUT", path, json=dict(MAPPING, columns={"Monat": "nope"}))
    assert status == 400 and body["errors"]
    status, _, _ = await acme.call("DELETE", path)
    assert status == 204
    status, _, _ = await acme.get(path)
    assert status == 404
    status, _, _ = await acme.call("DELETE", path)
    assert status == 404
