"""Documents stored before the wire contract, with widgets in the older typed form
(`{"type": "text", …}`), are answered in the specification's form on every read route and
rewritten in that form by their next change."""
from __future__ import annotations

from infra.config import load_settings
from infra.mongo import connect, database
from tests.e2e.gtin.conftest import BASE, gtin_for

LEGACY = [{"type": "text", "title": "Name", "value": "Oats"},
          {"type": "image", "url": "https://img.example/legacy.jpg", "title": "front"},
          {"type": "link", "title": "Brand site", "url": "http://www.koalabi.com.au"}]
WIRE = [{"text": {"title": "Name", "text": "Oats"}},
        {"image": [{"url": "https://img.example/legacy.jpg"}]},
        {"link": {"text": "Brand site", "url": "http://www.koalabi.com.au"}}]


async def test_legacy_typed_widgets_are_read_in_the_specification_form(stack, brand_a, brand_b):
    settings = load_settings(stack.data_dir)
    client = connect(settings)
    db = database(client, settings)
    gtin14 = "0" + gtin_for(brand_a.prefix)
    legacy_source = {"id": brand_a.urn, "type": "brand", "conditions": {"language": "en"},
                     "data": LEGACY}
    try:
        # as an older release stored it: no version, typed widgets
        await db.gtins.insert_one({"_id": gtin14, "id": gtin14, "type": "gtin", "name": "Old oats",
                                   "owner": brand_a.urn, "sources": [legacy_source]})
        wire_source = {**legacy_source, "data": WIRE}
        for path in (f"{BASE}/description?id={gtin14}", f"{BASE}/gtins/{gtin14}"):
            status, doc, _ = await brand_b.api.get(path)
            assert status == 200, doc
            assert doc["sources"] == [wire_source], path
        # another participant's change keeps brand_a's source, answered and stored in wire form
        mine = {"conditions": {"language": "fr"}, "data": [{"text": {"text": "Flocons"}}]}
        status, doc, _ = await brand_b.api.post(f"{BASE}/description",
                                                json={"id": gtin14, "sources": [mine]})
        assert status == 200, doc
        assert doc["sources"] == [wire_source, {"id": brand_b.urn, "type": "brand", **mine}]
        stored = await db.gtins.find_one({"_id": gtin14})
        assert stored["sources"][0]["data"] == WIRE and stored["version"] == 1
    finally:
        await db.gtins.delete_one({"_id": gtin14})
        await client.close()
