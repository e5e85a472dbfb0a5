"""Every change of a GTIN document is published, in order, on `gtin.changes` (key = GTIN)."""
from __future__ import annotations

from tests.e2e.gtin.conftest import changes
from tests.support.participants import BASE, gtin_for

GDTI = "urn:epc:id:gdti:0614141.12345.400"


async def test_each_change_is_an_event(stack, brand_a, retailer):
    gtin = gtin_for(brand_a.prefix)
    g14 = "0" + gtin
    api = brand_a.api
    _, created, _ = await api.post(f"{BASE}/gtins", json={"id": gtin, "name": "A"})
    await api.call("PUT", f"{BASE}/gtins/{g14}", json={"name": "B", "gpc_brick": "10000188"})
    await api.call("PUT", f"{BASE}/gtins/{g14}", json={"name": "B", "gpc_brick": "10000188"})  # no-op
    await api.post(f"{BASE}/gtins/{g14}/attachments/add", json={"attachments": [GDTI]})
    await api.post(f"{BASE}/gtins/{g14}/attachments/add", json={"attachments": [GDTI]})  # no-op
    source = {"conditions": {"language": "en"}, "data": [{"text": {"text": "x"}}]}
    await retailer.api.post(f"{BASE}/description", json={"id": g14, "sources": [source]})
    await retailer.api.post(f"{BASE}/description/delete",
                            json={"id": g14, "conditions": {"language": "en"}})
    await api.post(f"{BASE}/gtins/{g14}/attachments/remove", json={"attachments": [GDTI]})
    status, _, _ = await api.call("DELETE", f"{BASE}/gtins/{g14}")
    assert status == 200
    await api.call("DELETE", f"{BASE}/gtins/{g14}")  # 404: no event

    events = await changes(stack, g14)
    assert [e.type for e in events] == [
        "GtinCreated", "GtinUpdated", "GtinAttachmentsChanged", "GtinSourcesChanged",
        "GtinSourcesChanged", "GtinAttachmentsChanged", "GtinDeleted"]
    assert all(e.payload["gtin"] == g14 for e in events)
    created_ev, updated, added, sourced, unsourced, removed, deleted = events
    # the topic carries the stored document (no brick attributes: {}; the HTTP answer: null)
    assert created_ev.payload["document"] == {**created, "gpc_brick_attributes": {}}
    assert created_ev.payload["participant"] == brand_a.urn
    assert updated.payload["changed"] == ["name", "gpc_segment", "gpc_family", "gpc_class", "gpc_brick"]
    assert updated.payload["document"]["name"] == "B"
    assert added.payload == {"gtin": g14, "participant": brand_a.urn, "attachments": [GDTI],
                             "added": [GDTI], "removed": []}
    assert sourced.payload["participant"] == retailer.urn and sourced.payload["action"] == "update"
    assert sourced.payload["sources"][0]["id"] == retailer.urn
    assert unsourced.payload["action"] == "delete" and unsourced.payload["sources"] == []
    assert removed.payload["removed"] == [GDTI] and removed.payload["attachments"] == []
    assert deleted.payload["owner"] == brand_a.urn


async def test_rejected_requests_publish_nothing(stack, brand_a, brand_b):
    gtin = gtin_for(brand_a.prefix)
    g14 = "0" + gtin
    await brand_b.api.post(f"{BASE}/gtins", json={"id": gtin})  # 403
    await brand_a.api.post(f"{BASE}/gtins", json={"id": gtin, "gpc_brick": "12345678"})  # 400
    await brand_a.api.post(f"{BASE}/gtins", json={"id": gtin})
    await brand_a.api.post(f"{BASE}/gtins", json={"id": gtin})  # 409
    await brand_b.api.call("PUT", f"{BASE}/gtins/{g14}", json={"name": "x"})  # 403
    assert [e.type for e in await changes(stack, g14)] == ["GtinCreated"]
