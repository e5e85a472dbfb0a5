"""agents/gtin_cdn.py: images of a GTIN import (`copy_to_cdn`) copied into the service once,
here from the participant's own uploads, through the import agent."""
from __future__ import annotations

from agents.gtin_cdn import cdn_name
from tests.unit.agents.gtin_helpers import COMMANDS, brand, gtin, upload

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")


def body(link: str) -> dict:
    return {"link": link, "gtin_field": "gtin", "name": ["name"],
            "fields": [{"field": "image", "widget": "image", "action": "copy_to_cdn"}],
            "conditions": {"language": ["en"]}}


async def picture_of(h, code: str) -> dict:
    doc = await h.db.gtins.find_one({"_id": "0" + code})
    [image] = [w for s in doc["sources"] for w in s["data"] if "image" in w]
    return image["image"][0]


async def test_an_uploaded_image_is_copied_once_and_served_by_the_service(h):
    urn = await brand(h)
    image = await upload(h, PNG, participant=urn)
    store = await h.store()
    csv = f"gtin,name,image\n{gtin(11)},Oat drink,{image}\n{gtin(12)},Oat bar,{image}\n"
    await h.send(COMMANDS, "c1", "StartGtinImport", {
        "task_id": "c1", "participant": urn, "spec": body(await upload(h, csv))})
    task = h.events_of("GtinImportTaskChanged")[-1]["task"]
    assert task["status"] == "done" and task["counts"]["created"] == 2, task
    first, second = await picture_of(h, gtin(11)), await picture_of(h, gtin(12))
    expected = f"{h.deps.settings.public_url}/description-service/cdn/{cdn_name(image)}"
    assert first["url"] == second["url"] == expected and first["source_url"] == image
    assert "copy_to_cdn" not in first
    assert await store.get(f"cdn/{cdn_name(image)}") == PNG


async def test_text_or_nothing_behind_an_image_link_makes_the_line_bad(h):
    urn = await brand(h)
    text = await upload(h, "not an image at all\n")
    missing = f"{h.deps.settings.public_url}/description-service/uploads/{'m' * 24}"
    csv = f"gtin,name,image\n{gtin(13)},Text,{text}\n{gtin(14)},Missing,{missing}\n"
    await h.send(COMMANDS, "c2", "StartGtinImport", {
        "task_id": "c2", "participant": urn, "spec": body(await upload(h, csv))})
    task = h.events_of("GtinImportTaskChanged")[-1]["task"]
    assert task["status"] == "done" and task["counts"]["bad_lines"] == 2, task
    reasons = {d["line"]: d["reason"] for d in task["bad_lines"]}
    assert "not an image" in reasons[2] and "nothing was uploaded" in reasons[3]
    assert await h.db.gtins.count_documents({}) == 0
