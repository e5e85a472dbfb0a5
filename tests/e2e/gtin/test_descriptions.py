"""Sources: per-participant create/replace/remove, widgets and product360, the system
participant, delete by exact conditions, and reading the whole document."""
from __future__ import annotations

import asyncio

import pytest

from tests.support.participants import BASE, gtin_for

TEXT = [{"text": {"text": "Rolled oats"}}]
EN_AU = {"language": "en", "country": "036"}


async def describe(who, gtin, sources):
    return await who.api.post(f"{BASE}/description", json={"id": gtin, "sources": sources})


async def test_sources_are_created_replaced_and_kept_apart(brand_a, retailer, item):
    gtin = item["id"]
    status, doc, _ = await describe(brand_a, gtin, [{"conditions": EN_AU, "data": TEXT}])
    assert status == 200, doc
    assert doc["sources"] == [{"id": brand_a.urn, "type": "brand", "conditions": EN_AU,
                               "data": TEXT}]  # conditions as given
    retail = [{"conditions": {"language": ["fr", "en"]},
               "data": [{"image": [{"url": "https://img.example/1.jpg"}]}]}]
    status, doc, _ = await describe(retailer, gtin, retail)
    assert status == 200 and [s["id"] for s in doc["sources"]] == [brand_a.urn, retailer.urn]
    assert doc["sources"][1]["type"] == "retailer"
    assert doc["sources"][1]["conditions"] == {"language": ["fr", "en"]}
    # same conditions (other spelling) replace brand_a's source; a new condition adds one
    new_text = [{"text": {"title": "Oats", "text": "Whole rolled oats", "lines": 2}}]
    status, doc, _ = await describe(brand_a, gtin, [
        {"conditions": {"country": ["036"], "language": ["EN"]}, "data": new_text},
        {"conditions": {"language": "de"}, "data": TEXT}])
    assert status == 200
    mine = [s for s in doc["sources"] if s["id"] == brand_a.urn]
    assert [s["data"] for s in mine] == [new_text, TEXT] and len(doc["sources"]) == 3
    # [] removes only brand_a's own sources
    status, doc, _ = await describe(brand_a, gtin, [])
    assert status == 200 and [s["id"] for s in doc["sources"]] == [retailer.urn]
    _, read, _ = await retailer.api.get(f"{BASE}/description?id={gtin}")
    assert read == doc and read["owner"] == brand_a.urn and read["type"] == "gtin"


async def test_older_typed_widgets_are_stored_in_the_specification_form(brand_a, item):
    """Extension: `{"type": "text", "value": …}` is accepted and converted; a client of the
    specification only ever sees `{"text": {…}}`."""
    status, doc, _ = await describe(brand_a, item["id"], [{"conditions": {"language": "en"}, "data": [
        {"type": "text", "title": "Name", "value": "Oats"},
        {"type": "image", "url": "https://img.example/2.jpg"}]}])
    assert status == 200, doc
    assert doc["sources"][0]["data"] == [{"text": {"title": "Name", "text": "Oats"}},
                                         {"image": [{"url": "https://img.example/2.jpg"}]}]


async def test_participants_cannot_touch_each_others_sources(brand_a, brand_b, item):
    gtin = item["id"]
    await describe(brand_a, gtin, [{"conditions": EN_AU, "data": TEXT}])
    status, err, _ = await describe(brand_b, gtin, [{"id": brand_a.urn, "type": "brand",
                                                     "conditions": EN_AU, "data": []}])
    assert status == 400 and "own sources" in err["detail"]
    status, err, _ = await brand_b.api.post(f"{BASE}/description/delete",
                                            json={"id": gtin, "conditions": EN_AU})
    assert status == 404 and err["code"] == "source_not_found"
    status, doc, _ = await describe(brand_b, gtin, [])
    assert status == 200 and doc["sources"][0]["id"] == brand_a.urn
    status, doc, _ = await describe(brand_b, gtin, [{"conditions": EN_AU, "data": TEXT}])
    assert [s["id"] for s in doc["sources"]] == [brand_a.urn, brand_b.urn]


async def test_widgets_need_product360(brand_a, brand_b, item):
    data = TEXT + [{"video": {"url": "https://v.example/1"}},
                   {"link": {"text": "Site", "url": "https://example.org"}},
                   {"nutrition_info": {"per": "100g"}}]
    status, err, _ = await describe(brand_a, item["id"], [{"conditions": EN_AU, "data": data}])
    assert status == 400 and err["code"] == "widget_not_allowed"
    assert err["types"] == ["link", "video"] and "link, video" in err["detail"]
    status, doc, _ = await describe(brand_b, item["id"], [{"conditions": EN_AU, "data": data}])
    assert status == 200 and doc["sources"][0]["data"] == data
    status, err, _ = await describe(brand_b, item["id"], [{"data": [{"hologram": {}}]}])
    assert status == 400 and err["code"] == "validation_error" and "hologram" in err["detail"]


@pytest.mark.parametrize("body, field", [
    ({"sources": [{"conditions": {"language": "english"}, "data": TEXT}]}, "conditions.language"),
    ({"sources": [{"conditions": {"country": "AU"}, "data": TEXT}]}, "conditions.country"),
    ({"sources": [{"conditions": {"colour": "red"}, "data": TEXT}]}, "sources.0.conditions.colour"),
    ({"sources": [{"conditions": EN_AU, "data": [{"text": {}}]}]}, "sources[0].data[0].text"),
    ({"sources": [{"conditions": EN_AU, "data": [{"type": "text"}]}]}, "sources[0].data[0].text"),
    ({"sources": "all"}, "sources"),
    ({"sources": [{"conditions": EN_AU, "data": TEXT}] * 2}, "sources[1].conditions"),
])
async def test_bad_sources_are_400(brand_a, item, body, field):
    status, err, _ = await brand_a.api.post(f"{BASE}/description", json={"id": item["id"], **body})
    assert status == 400 and field in {e["field"] for e in err["errors"]}, err
    _, doc, _ = await brand_a.api.get(f"{BASE}/description?id={item['id']}")
    assert doc["sources"] == []


async def test_description_of_unknown_or_invalid_gtin(brand_a):
    unknown = gtin_for(brand_a.prefix)
    status, err, _ = await describe(brand_a, unknown, [])
    assert status == 404 and err["code"] == "not_found"
    status, err, _ = await describe(brand_a, "950600013435", [])
    assert status == 400 and err["code"] == "invalid_gtin" and "check digit" in err["detail"]
    status, err, _ = await brand_a.api.get(f"{BASE}/description?id={unknown}")
    assert status == 404
    status, err, _ = await brand_a.api.get(f"{BASE}/description?id=abc")
    assert status == 400 and err["code"] == "invalid_gtin"
    status, err, _ = await brand_a.api.get(f"{BASE}/description")
    assert status == 400 and "id" in {e["field"] for e in err["errors"]}
    status, err, _ = await brand_a.api.post(f"{BASE}/description/delete",
                                            json={"id": unknown, "conditions": EN_AU})
    assert status == 404 and err["code"] == "not_found"


async def test_delete_source_by_exact_conditions(brand_a, retailer, item):
    gtin = item["id"]
    await describe(brand_a, gtin, [{"conditions": EN_AU, "data": TEXT},
                                   {"conditions": {"language": "en"}, "data": TEXT}])
    await describe(retailer, gtin, [{"conditions": EN_AU, "data": TEXT}])
    delete = f"{BASE}/description/delete"
    status, err, _ = await brand_a.api.post(delete, json={"id": gtin, "conditions": {"country": "036"}})
    assert status == 404 and err["code"] == "source_not_found"
    status, doc, _ = await brand_a.api.post(delete, json={"id": gtin, "conditions": EN_AU})
    assert status == 200
    assert [(s["id"], s["conditions"]) for s in doc["sources"]] == [
        (brand_a.urn, {"language": "en"}), (retailer.urn, EN_AU)]
    status, _, _ = await brand_a.api.post(delete, json={"id": gtin, "conditions": EN_AU})
    assert status == 404
    status, err, _ = await brand_a.api.post(delete, json={"id": gtin})
    assert status == 400 and "conditions" in {e["field"] for e in err["errors"]}


async def test_system_participant_replaces_all_sources(brand_a, retailer, system, item):
    gtin = item["id"]
    await describe(brand_a, gtin, [{"conditions": EN_AU, "data": TEXT}])
    await describe(retailer, gtin, [{"conditions": {"language": "fr"}, "data": TEXT}])
    video = [{"video": {"url": "https://v.example/gs1"}}]
    status, doc, _ = await describe(system, gtin, [
        {"conditions": {"language": "en"}, "data": video},
        {"id": "urn:gs1:registry", "type": "registry", "conditions": {}, "data": TEXT}])
    assert status == 200, doc
    assert [(s["id"], s["type"]) for s in doc["sources"]] == [(system.urn, "gs1"),
                                                              ("urn:gs1:registry", "registry")]
    assert doc["owner"] == brand_a.urn  # the item itself stays the owner's
    # other participants then add and remove only their own again
    status, doc, _ = await describe(retailer, gtin, [{"conditions": {"language": "fr"}, "data": TEXT}])
    assert [s["id"] for s in doc["sources"]] == [system.urn, "urn:gs1:registry", retailer.urn]
    status, doc, _ = await system.api.post(f"{BASE}/description/delete",
                                           json={"id": gtin, "conditions": {"language": "en"}})
    assert status == 200 and [s["id"] for s in doc["sources"]] == ["urn:gs1:registry", retailer.urn]
    status, doc, _ = await describe(system, gtin, [])
    assert status == 200 and doc["sources"] == []


async def test_system_participant_cannot_change_items_it_does_not_own(system, item):
    status, err, _ = await system.api.call("PUT", f"{BASE}/gtins/{item['id']}", json={"name": "x"})
    assert status == 403 and err["code"] == "not_owner"


async def test_concurrent_writers_lose_nothing(brand_a, brand_b, retailer, item):
    """Read-modify-write is guarded by the document version: no contributor overwrites another."""
    writes = [describe(who, item["id"], [{"conditions": {"language": lang}, "data": TEXT}])
              for who in (brand_a, brand_b, retailer) for lang in ("en", "fr", "de")]
    answers = await asyncio.gather(*writes)
    assert all(status == 200 for status, _, _ in answers)
    _, doc, _ = await brand_a.api.get(f"{BASE}/description?id={item['id']}")
    got = sorted((s["id"], s["conditions"]["language"]) for s in doc["sources"])
    assert got == sorted((who.urn, lang) for who in (brand_a, brand_b, retailer)
                         for lang in ("en", "fr", "de"))
