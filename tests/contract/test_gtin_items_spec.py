"""The GTIN specification's trade-item and source examples, replayed byte for byte against the
running stack as a system participant, answers compared with the examples' shapes."""
from __future__ import annotations

import json

from stdnum import ean

from tests.contract.examples import assert_shape, load, raw
from tests.support.http import Api
from tests.support.participants import BASE, HEADER
from tests.support.stack import cli

GTIN = "00000026013992"  # the create example's GTIN (a restricted GTIN-8: system participant)
ITEM_EXTENSIONS = {"$.type", "$.attachments", "$.warnings"}
DOCUMENT_EXTENSIONS = {"$.brand_id", "$.gpc_brick", "$.gpc_brick_attributes", "$.gpc_class",
                       "$.gpc_family", "$.gpc_segment", "$.attachments"}
LOOSE = {"$.sources[].conditions", "$.sources[].data"}  # compared by value below


async def _fresh(who, gtin: str) -> None:
    """The session stack is shared: start from no document for this GTIN."""
    status, body, _ = await who.api.call("DELETE", f"{BASE}/gtins/{gtin}")
    assert status in (200, 404), body


async def test_create_update_and_attachments_examples(system):
    await _fresh(system, GTIN)
    status, created = await system.send("POST", f"{BASE}/gtins", raw("gtins_create.request.json"))
    assert status == 201, created
    example = load("gtins_create.response.json")
    assert_shape(created, example, ITEM_EXTENSIONS)
    assert {**created, "owner": None} == {**example, "owner": None, "type": "gtin",
                                          "attachments": []}
    assert created["owner"] == system.urn

    # the update example, at the path the specification writes (PUT /gtins/:id)
    status, updated = await system.send("PUT", f"/gtins/{GTIN}", raw("gtins_update.request.json"))
    assert status == 200, updated
    example = load("gtins_update.response.json")
    assert_shape(updated, example, ITEM_EXTENSIONS)
    assert {k: updated[k] for k in example if k != "owner"} == \
        {k: v for k, v in example.items() if k != "owner"}
    assert "gpc_brick_attributes" in updated["warnings"][0]  # sent without a brick: not kept

    status, added = await system.send("POST", f"{BASE}/gtins/{GTIN}/attachments/add",
                                      raw("attachments_add.request.json"))
    assert status == 200 and added == load("attachments_add.response.json"), added
    status, removed = await system.send("POST", f"{BASE}/gtins/{GTIN}/attachments/remove",
                                        raw("attachments_remove.request.json"))
    assert status == 200 and removed == load("attachments_remove.response.json") == [], removed


async def test_add_and_remove_source_examples(system, contributor):
    body = load("description_add.request.json")
    # the example's id has 16 digits: GTIN-14 09780996791304 printed with its add-on "51"
    gtin = body["id"][:14]
    await _fresh(system, gtin)
    status, _ = await system.send("POST", f"{BASE}/gtins", json.dumps(
        {"id": gtin, "name": "Test product"}).encode())
    assert status == 201
    status, doc = await contributor.send("POST", f"{BASE}/description",
                                         raw("description_add.request.json"))   # as printed
    assert status == 200 and doc["id"] == gtin, doc
    assert "add-on 51" in doc.pop("warnings")[0]                       # the reading is said
    status, bad = await contributor.send("POST", f"{BASE}/description", json.dumps(
        {"id": gtin[:-1] + str((int(gtin[-1]) + 1) % 10) + "51", "sources": []}).encode())
    assert status == 400 and bad["code"] == "invalid_gtin", bad         # no GTIN before the add-on

    status, read, _ = await contributor.api.get(f"{BASE}/description?id={gtin}")
    assert status == 200
    assert_shape(read, load("description_read.response.json"), DOCUMENT_EXTENSIONS, LOOSE)
    assert read == doc
    mine = [s for s in read["sources"] if s["id"] == contributor.urn]
    # stored and answered as written: widgets in the specification's form, conditions as given
    assert [(s["conditions"], s["data"]) for s in mine] == \
        [(s["conditions"], s["data"]) for s in body["sources"]]
    assert {s["type"] for s in mine} == {"contributor"}

    status, doc = await contributor.send("POST", f"{BASE}/description",
                                         raw("description_remove_own.request.json"))
    assert status == 200 and not [s for s in doc["sources"] if s["id"] == contributor.urn], doc


async def test_system_participant_example(system, contributor):
    body = load("description_system.request.json")
    gtin = body["id"]
    await _fresh(system, gtin)
    status, _ = await system.send("POST", f"{BASE}/gtins", json.dumps(
        {"id": gtin, "name": "Company item"}).encode())
    assert status == 201
    status, _ = await contributor.send("POST", f"{BASE}/description", json.dumps({
        "id": gtin, "sources": [{"conditions": {"language": "en"},
                                 "data": [{"text": {"text": "mine"}}]}]}).encode())
    assert status == 200
    status, doc = await system.send("POST", f"{BASE}/description",
                                    raw("description_system.request.json"))
    assert status == 200, doc
    # every source of the document is replaced; the given id and type are kept
    assert doc["sources"] == body["sources"]
    assert_shape(doc, load("description_read.response.json"), DOCUMENT_EXTENSIONS, LOOSE)
    await _fresh(system, gtin)  # 00000000000000: other tests take it as a GTIN nobody holds


async def test_requirements_participant_and_session(stack):
    """The Requirements: the participant document with its company prefixes, a session whose
    `current_participant` names it; a GTIN under the prefix is then the participant's."""
    example = load("participant.json")
    made = cli(stack.data_dir, "participant", "create", "--id", example["_id"], "--type", "brand",
               "--prefix", example["company_prefix"][0])
    assert_shape(made, example, {f"$.{k}" for k in made if k not in example})
    assert made["company_prefix"] == example["company_prefix"]
    session = cli(stack.data_dir, "session", "create", "--participant", example["_id"],
                  "--user", load("session.json")["id"], "--name", load("session.json")["name"])
    assert_shape(session, load("session.json"), {"$.user", "$.created_at"})
    assert session["current_participant"] == example["_id"]
    gtin = example["company_prefix"][0] + "00026"
    gtin += ean.calc_check_digit(gtin)
    api = Api(stack.url, headers={HEADER: session["ticket"]})
    await api.call("DELETE", f"{BASE}/gtins/{gtin}")
    status, created, _ = await api.post(f"{BASE}/gtins", json={"id": gtin, "name": "Item"})
    assert status == 201 and created["owner"] == example["_id"], created
