"""Documents stored before the wire contract, with widgets in the older typed form
(`{"type": "text", …}`), are answered in the specification's form on every read route and
rewritten in that form by their next change, over HTTP or by an import (HTTP → Kafka →
import agent → store)."""
from __future__ import annotations

from infra.config import load_settings
from infra.mongo import connect, database
from tests.e2e.gtin_import.conftest import upload, wait_task
from tests.support.participants import BASE, gtin_for

LEGACY = [{"type": "text", "title": "Name", "value": "Oats"},
          {"type": "image", "url": "https://img.example/legacy.jpg", "title": "front"},
          {"type": "link", "title": "Brand site", "url": "http://www.koalabi.com.au"},
          {"type": "text", "title": "Country of Barcode Registration", "value": "Australia",
           "country": "036", "alpha2": "AU"}]  # an older import's to_country widget
WIRE = [{"text": {"title": "Name", "text": "Oats"}},
        {"image": [{"url": "https://img.example/legacy.jpg"}]},
        {"link": {"text": "Brand site", "url": "http://www.koalabi.com.au"}},
        {"text": {"title": "Country of Barcode Registration", "text": "Australia"}}]


async def test_legacy_typed_widgets_are_read_in_the_specification_form(stack, brand_a, brand_b):
    settings = load_settings(stack.data_dir)
    client = connect(settings)
    db = database(client, settings)
    ids = ["0" + gtin_for(brand_a.prefix) for _ in range(2)]
    legacy_source = {"id": brand_a.urn, "type": "brand", "conditions": {"language": "en"},
                     "data": LEGACY}
    wire_source = {**legacy_source, "data": WIRE}
    try:
        # as an older release stored them: no version, typed widgets
        await db.gtins.insert_many([{"_id": g, "id": g, "type": "gtin", "name": "Old oats",
                                     "owner": brand_a.urn, "sources": [legacy_source]}
                                    for g in ids])
        for path in (f"{BASE}/description?id={ids[0]}", f"{BASE}/gtins/{ids[0]}"):
            status, doc, _ = await brand_b.api.get(path)
            assert status == 200, doc
            assert doc["sources"] == [wire_source], path
        # another participant's change keeps brand_a's source, answered and stored in wire form
        mine = {"conditions": {"language": "fr"}, "data": [{"text": {"text": "Flocons"}}]}
        status, doc, _ = await brand_b.api.post(f"{BASE}/description",
                                                json={"id": ids[0], "sources": [mine]})
        assert status == 200, doc
        assert doc["sources"] == [wire_source, {"id": brand_b.urn, "type": "brand", **mine}]
        stored = await db.gtins.find_one({"_id": ids[0]})
        assert stored["sources"][0]["data"] == WIRE and stored["version"] == 1

        # the import agent reads the other legacy document in wire form and stores it so
        status, answer, _ = await brand_a.api.post(f"{BASE}/import/tasks", json={
            "link": await upload(brand_a, f"gtin,notes\n{ids[1]},Haferflocken\n"),
            "delimiter": ",", "gtin_field": "gtin", "conditions": {"language": "de"},
            "fields": {"notes": {"title": "Notes"}}})
        assert status == 200, answer
        task = await wait_task(brand_a.api, answer["id"])
        assert task["status"] == "done" and task["counts"]["updated"] == 1, task
        stored = await db.gtins.find_one({"_id": ids[1]})
        assert [s["data"] for s in stored["sources"]] == [
            WIRE, [{"text": {"title": "Notes", "text": "Haferflocken"}}]]
    finally:
        await db.gtins.delete_many({"_id": {"$in": ids}})
        await client.close()
