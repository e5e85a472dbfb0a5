"""Trade items: create, update (long and short form), delete, attachments, and their errors."""
from __future__ import annotations

import pytest
from stdnum import ean

from models.gtin import prefix_of
from tests.support.participants import BASE, gtin_for

GDTI_1 = "urn:epc:id:gdti:0614141.12345.400"
GDTI_2 = "urn:epc:id:gdti:4012345.00001.A%2Fb"


async def test_create_answers_the_document(brand_a):
    gtin = gtin_for(brand_a.prefix)
    status, doc, _ = await brand_a.api.post(f"{BASE}/gtins", json={
        "id": gtin, "name": "Oat drink", "brand_id": "b-1", "gpc_brick": "10000188"})
    assert status == 201, doc
    assert doc == {"id": "0" + gtin, "type": "gtin", "name": "Oat drink", "brand_id": "b-1",
                   "owner": brand_a.urn, "gpc_segment": "50000000", "gpc_family": "50130000",
                   "gpc_class": "50132000", "gpc_brick": "10000188", "gpc_brick_attributes": None,
                   "attachments": [], "sources": []}
    status, again, _ = await brand_a.api.get(f"{BASE}/description?id={gtin}")
    assert status == 200 and again == doc


async def test_existing_gtin_is_409_in_any_written_form(brand_a, item):
    for form in (item["id"], item["id"][1:]):
        status, err, _ = await brand_a.api.post(f"{BASE}/gtins", json={"id": form})
        assert status == 409 and err["code"] == "conflict" and err["owner"] == brand_a.urn


@pytest.mark.parametrize("value, rule", [
    ("95060001343A2", "non-digit"), ("950600013435", "invalid check digit"),
    ("12345670", None), ("1234567", "invalid length"), ("0001234567", "invalid length"),
    ("", "missing"), (None, "missing"),
])
async def test_invalid_gtin_is_400_naming_the_rule(brand_a, value, rule):
    status, err, _ = await brand_a.api.post(f"{BASE}/gtins", json={"id": value})
    if rule is None:  # a valid GTIN-8 outside the participant's prefixes
        assert status == 403
        return
    assert status == 400 and err["code"] == "invalid_gtin", err
    assert err["errors"][0]["field"] == "id" and err["errors"][0]["problem"].startswith(rule)
    assert rule in err["detail"]


async def test_prefix_not_owned_is_403_naming_it(brand_a, brand_b):
    gtin = gtin_for(brand_b.prefix)
    status, err, _ = await brand_a.api.post(f"{BASE}/gtins", json={"id": gtin})
    prefix = prefix_of("0" + gtin)
    assert status == 403 and err["code"] == "prefix_not_owned"
    assert err["prefix"] == prefix and prefix in err["detail"]


async def test_gs1_us_prefix_owns_the_upc_a_form(brand_b):
    gcp = next(p for p in brand_b.doc["company_prefix"] if p.startswith("0"))
    body = gcp[1:] + "1" * (11 - len(gcp[1:]))
    upc = body + ean.calc_check_digit(body)  # 12-digit UPC-A under UPC company prefix gcp[1:]
    status, doc, _ = await brand_b.api.post(f"{BASE}/gtins", json={"id": upc})
    assert status == 201, doc
    assert doc["id"] == "00" + upc and doc["owner"] == brand_b.urn and doc["gpc_brick"] is None


@pytest.mark.parametrize("fields, field", [
    ({"gpc_brick": "12345678"}, "gpc_brick"),
    ({"gpc_brick": "10000188", "gpc_class": "50181700"}, "gpc_class"),
    ({"gpc_brick": "1000018"}, "gpc_brick"),
    ({"gpc_brick": "10000155", "gpc_brick_attributes": {"20000056": "30000252"}},
     "gpc_brick_attributes.20000056"),
    ({"gpc_brick": "10000155", "gpc_brick_attributes": {"20000999": "30002654"}},
     "gpc_brick_attributes.20000999"),
])
async def test_gpc_unknown_or_inconsistent_is_400(brand_a, fields, field):
    gtin = gtin_for(brand_a.prefix)
    status, err, _ = await brand_a.api.post(f"{BASE}/gtins", json={"id": gtin, **fields})
    assert status == 400 and err["code"] == "invalid_gpc" and err["errors"][0]["field"] == field, err
    status, _, _ = await brand_a.api.get(f"{BASE}/description?id={gtin}")
    assert status == 404  # nothing was stored


async def test_brick_attributes_without_a_brick_are_not_kept_and_say_so(brand_a):
    """The specification's update example answers `gpc_brick_attributes: null` when no brick
    is given; the answer's `warnings` (extension) says why the attributes were not kept."""
    status, doc, _ = await brand_a.api.post(f"{BASE}/gtins", json={
        "id": gtin_for(brand_a.prefix), "gpc_brick_attributes": {"20000056": "30002654"}})
    assert status == 201 and doc["gpc_brick_attributes"] is None, doc
    assert "gpc_brick_attributes" in doc["warnings"][0]
    status, doc, _ = await brand_a.api.post(f"{BASE}/gtins", json={
        "id": gtin_for(brand_a.prefix), "gpc_brick": "10000155",
        "gpc_brick_attributes": [{"20000056": "30002654"}]})  # the specification's "list" form
    assert status == 201 and doc["gpc_brick_attributes"] == {"20000056": "30002654"}, doc
    assert "warnings" not in doc


async def test_gpc_attributes_and_upper_levels(brand_a):
    gtin = gtin_for(brand_a.prefix)
    status, doc, _ = await brand_a.api.post(f"{BASE}/gtins", json={
        "id": gtin, "gpc_brick": 10000155, "gpc_segment": "50000000",
        "gpc_brick_attributes": {"20000056": "30002654"}})
    assert status == 201, doc
    assert (doc["gpc_class"], doc["gpc_family"]) == ("50181700", "50180000")
    assert doc["gpc_brick_attributes"] == {"20000056": "30002654"}
    status, doc, _ = await brand_a.api.post(f"{BASE}/gtins", json={
        "id": gtin_for(brand_a.prefix), "gpc_class": "50132000"})
    assert status == 201 and doc["gpc_family"] == "50130000" and doc["gpc_brick"] is None


async def test_update_by_owner_nulls_missing_gpc_fields(brand_a, item):
    path = f"{BASE}/gtins/{item['id']}"
    status, doc, _ = await brand_a.api.call("PUT", path, json={"name": "Oats, rolled"})
    assert status == 200, doc
    assert doc["name"] == "Oats, rolled" and doc["brand_id"] == "brand-1"
    assert all(doc[f] is None for f in ("gpc_segment", "gpc_family", "gpc_class", "gpc_brick"))
    status, doc, _ = await brand_a.api.call("PUT", f"/gtins/{item['id'][1:]}", json={
        "brand_id": None, "gpc_brick": "10000155"})
    assert status == 200 and doc["brand_id"] is None and doc["name"] == "Oats, rolled"
    assert doc["gpc_class"] == "50181700"
    _, stored, _ = await brand_a.api.get(f"{BASE}/description?id={item['id']}")
    assert stored == doc


async def test_update_errors(brand_a, brand_b, item):
    path = f"{BASE}/gtins/{item['id']}"
    status, err, _ = await brand_b.api.call("PUT", path, json={"name": "mine now"})
    assert status == 403 and err["code"] == "not_owner"
    status, err, _ = await brand_b.api.call("PUT", f"/gtins/{item['id']}", json={"name": "mine"})
    assert status == 403 and err["code"] == "not_owner"
    status, err, _ = await brand_a.api.call("PUT", f"{BASE}/gtins/{gtin_for(brand_a.prefix)}",
                                            json={"name": "x"})
    assert status == 404 and err["code"] == "not_found"
    status, err, _ = await brand_a.api.call("PUT", f"{BASE}/gtins/12345", json={"name": "x"})
    assert status == 400 and err["code"] == "invalid_gtin"
    status, err, _ = await brand_a.api.call("PUT", path, json={"gpc_brick": "12345678"})
    assert status == 400 and err["code"] == "invalid_gpc"
    _, stored, _ = await brand_a.api.get(f"{BASE}/description?id={item['id']}")
    assert stored["name"] == "Test oats" and stored["gpc_brick"] == "10000188"


async def test_delete_by_owner_removes_item_and_sources(brand_a, brand_b, retailer, item):
    path = f"{BASE}/gtins/{item['id']}"
    source = {"conditions": {"language": "en"}, "data": [{"type": "text", "value": "hi"}]}
    status, _, _ = await retailer.api.post(f"{BASE}/description",
                                           json={"id": item["id"], "sources": [source]})
    assert status == 200
    status, err, _ = await brand_b.api.call("DELETE", path)
    assert status == 403 and err["code"] == "not_owner"
    status, err, _ = await retailer.api.call("DELETE", path)
    assert status == 403
    status, body, _ = await brand_a.api.call("DELETE", path)
    assert status == 200 and body == {"id": item["id"], "deleted": True, "sources_removed": 1}
    status, err, _ = await brand_a.api.get(f"{BASE}/description?id={item['id']}")
    assert status == 404 and err["code"] == "not_found"
    status, err, _ = await brand_a.api.call("DELETE", path)
    assert status == 404
    # the GTIN can be created again, without the old sources
    status, doc, _ = await brand_a.api.post(f"{BASE}/gtins", json={"id": item["id"]})
    assert status == 201 and doc["sources"] == [] and doc["name"] is None


async def test_attachments_add_remove_idempotent(brand_a, item):
    add = f"{BASE}/gtins/{item['id']}/attachments/add"
    remove = f"{BASE}/gtins/{item['id']}/attachments/remove"
    status, body, _ = await brand_a.api.post(add, json={"attachments": [GDTI_1, GDTI_2, GDTI_1]})
    assert status == 200 and body == [GDTI_1, GDTI_2]  # the specification's bare list
    status, body, _ = await brand_a.api.post(add, json={"attachments": [GDTI_2]})
    assert body == [GDTI_1, GDTI_2]
    status, body, _ = await brand_a.api.post(remove, json={"attachments": [GDTI_1]})
    assert status == 200 and body == [GDTI_2]
    status, body, _ = await brand_a.api.post(remove, json={"attachments": [GDTI_1]})
    assert status == 200 and body == [GDTI_2]
    _, doc, _ = await brand_a.api.get(f"{BASE}/description?id={item['id']}")
    assert doc["attachments"] == [GDTI_2]


@pytest.mark.parametrize("urns, reason", [
    (["urn:epc:id:sgtin:0614141.12345.400"], "must start with"),
    (["urn:epc:id:gdti:0614141.1234.400"], "12 digits"),
    (["urn:epc:id:gdti:0614141.12345."], "serial"),
    ("not a list", "must start with"),
    ({"a": 1}, None),
])
async def test_invalid_gdti_is_400(brand_a, item, urns, reason):
    status, err, _ = await brand_a.api.post(f"{BASE}/gtins/{item['id']}/attachments/add",
                                            json={"attachments": urns})
    assert status == 400, err
    if reason:
        assert err["code"] == "invalid_gdti" and reason in err["errors"][0]["problem"]


async def test_attachments_owner_only_and_404(brand_b, item):
    status, err, _ = await brand_b.api.post(f"{BASE}/gtins/{item['id']}/attachments/add",
                                            json={"attachments": [GDTI_1]})
    assert status == 403 and err["code"] == "not_owner"
    status, err, _ = await brand_b.api.post(
        f"{BASE}/gtins/{gtin_for(brand_b.prefix)}/attachments/add", json={"attachments": [GDTI_1]})
    assert status == 404


async def test_malformed_bodies_are_400(brand_a, item):
    status, err, _ = await brand_a.api.post(f"{BASE}/gtins", data=b"{nope",
                                            headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in err["detail"]
    status, err, _ = await brand_a.api.call("PUT", f"{BASE}/gtins/{item['id']}",
                                            json={"name": ["a"], "gpc_brick": "10000188"})
    assert status == 400 and "name" in {e["field"] for e in err["errors"]}
    status, err, _ = await brand_a.api.call("PUT", f"{BASE}/gtins/{item['id']}",
                                            json={"id": gtin_for(brand_a.prefix)})
    assert status == 400 and "id" in {e["field"] for e in err["errors"]}
