"""Importing again updates what the mapping provides (name, brand, GPC, sources) and counts each
line created, updated or unchanged (before: existing GTINs stayed as they were, yet every line
counted as imported)."""
from __future__ import annotations

from tests.e2e.gtin_import.conftest import upload, wait_task
from tests.support.participants import BASE, gtin_for

SPEC = {"delimiter": ",", "gtin_field": "gtin", "name": ["name"], "brand": "brand",
        "gpc_brick_field": "brick", "fields": [{"field": "notes", "title": "Notes"}],
        "conditions": {"language": ["en"]}}


async def run(who, text: str) -> dict:
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks",
                                           json={"link": await upload(who, text), **SPEC})
    assert status == 200, answer
    task = await wait_task(who.api, answer["id"])
    assert task["status"] == "done", task
    return task


async def doc(who, gtin: str) -> dict:
    status, body, _ = await who.api.get(f"{BASE}/description?id={gtin}")
    assert status == 200, body
    return body


def _csv(gtins: list[str], rows: list[str]) -> str:
    """The import file: one `name,brand,brick,notes` row per GTIN."""
    return "gtin,name,brand,brick,notes\n" + "".join(f"{g},{row}\n" for g, row in zip(gtins, rows, strict=True))


def _counts(task: dict, names: tuple[str, ...] = ("imported", "created", "updated", "unchanged")) -> dict:
    return {k: task["counts"][k] for k in names}


async def test_a_corrected_file_updates_names_brands_gpc_and_sources(brand):
    g = [gtin_for(brand.prefix) for _ in range(3)]
    task = await run(brand, _csv(g, ["Oat drnik,Acme,10000188,old", "Rye bread,Acme,,same", "Spelt,Acme,,same"]))
    assert _counts(task) == {"imported": 3, "created": 3, "updated": 0, "unchanged": 0}
    before = await doc(brand, g[0])
    corrected = _csv(g, ["Oat drink,Acme Oats,10000155,new", "Rye bread,Acme,,same", "Spelt flakes,Acme,,same"])
    task = await run(brand, corrected)
    assert _counts(task) == {"imported": 3, "created": 0, "updated": 2, "unchanged": 1}
    assert task["message"] == "success" and "2 updated, 1 unchanged" in task["detail"]
    after = await doc(brand, g[0])
    assert after["name"] == "Oat drink" and after["brand_id"] != before["brand_id"]
    assert after["gpc_brick"] == "10000155" and after["gpc_brick"] != before["gpc_brick"]
    [source] = [s for s in after["sources"] if s["id"] == brand.urn]
    assert source["data"] == [{"text": {"title": "Notes", "text": "new"}}]
    assert (await doc(brand, g[2]))["name"] == "Spelt flakes"
    task = await run(brand, corrected)  # the same file again: nothing to change
    assert _counts(task, ("created", "updated", "unchanged")) == {"created": 0, "updated": 0, "unchanged": 3}
