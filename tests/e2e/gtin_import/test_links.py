"""Links to other servers: fetched only from public addresses; tests serve files on loopback, so
this module runs on a stack of its own with the allow-list TRIBUTARY_FETCH_ALLOW=127.0.0.1
(the session stack has none, like a new user's)."""
from __future__ import annotations

import aiohttp
import pytest

from infra.stack.processes import free_port
from tests.e2e.gtin_import.conftest import PNG, new_participant, wait_task
from tests.e2e.gtin_import.test_tasks import describe, own_sources, start
from tests.support.participants import BASE, gtin_for
from tests.support.stack import RunningStack


@pytest.fixture(scope="module")
def link_stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("link_stack"),
                           env={"TRIBUTARY_FETCH_ALLOW": "127.0.0.1"}).start()
    yield running
    running.discard()


@pytest.fixture(scope="module")
def link_brand(link_stack):
    return new_participant(link_stack)


async def test_preview_of_a_link_and_its_errors(link_brand, files):
    preview = lambda **body: link_brand.api.post(f"{BASE}/import/preview", json=body)  # noqa: E731
    status, body, _ = await preview(link=files.add("gtin,name\n4012345000016,Oat\n"))
    assert status == 200 and body["records"] == [{"gtin": "4012345000016", "name": "Oat"}]
    status, body, _ = await preview(link=f"http://127.0.0.1:{free_port()}/x.csv")
    assert status == 422 and body["code"] == "link_unreachable"
    status, body, _ = await preview(link=files.url("/status/404"))
    assert status == 422 and "404" in body["detail"]
    status, body, _ = await preview(link=files.url("/huge"))
    assert status == 413 and body["code"] == "file_too_large"
    status, body, _ = await preview(link=files.add("<!DOCTYPE html><html></html>", "text/html"))
    assert status == 415 and body["code"] == "not_csv"


async def test_images_are_copied_to_the_cdn_once(link_brand, files, link_stack):
    g = [gtin_for(link_brand.prefix) for _ in range(3)]
    old = {"link": files.add(f"ean;text\n{g[0]};old\n{g[1]};old\n"), "delimiter": ";",
           "gtin_field": "ean", "fields": [{"field": "text", "title": "Old"}],
           "conditions": {"language": "en", "country": "036"}}
    assert (await wait_task(link_brand.api, (await start(link_brand, old))["id"]))["status"] == "done"
    image = files.add(PNG, "image/png", name="front.png")
    csv = (f"ean;image;title\n{g[0]};{image};Oat drink\n{g[1]};{image};Oat bar\n"
           f"{g[2]};{files.url('/status/404')};Broken image\n")
    body = {"link": files.add(csv), "delimiter": ";", "has_header": True, "gtin_field": "ean",
            "name": "title",
            "fields": [{"field": "image", "widget": "image", "action": "copy_to_cdn", "position": 1},
                       {"field": "ean", "action": "to_country", "title": "Country", "position": 0}],
            "additional_widgets": [{"position": 1, "type": "text", "title": "Note", "value": "Imported"}],
            "conditions": {"language": ["en", "de"], "country": ["036", "276"]},
            "replace_included_conditions": True}
    task = await wait_task(link_brand.api, (await start(link_brand, body))["id"])
    assert task["status"] == "done", task
    assert task["bad_lines"] == [4] and "image" in task["bad_line_details"][0]["reason"]
    doc = await describe(link_brand, "0" + g[0])
    [source] = own_sources(doc, link_brand)  # the en/036 source was included in the new conditions
    assert source["conditions"] == {"language": ["en", "de"], "country": ["036", "276"]}
    country, note, image_widget = source["data"]
    [picture] = image_widget["image"]
    assert country == {"text": {"title": "Country", "text": "Germany"}}
    assert note == {"text": {"title": "Note", "text": "Imported"}}
    assert picture["source_url"] == image
    assert picture["url"].startswith(f"{link_stack.url}{BASE}/cdn/") and "copy_to_cdn" not in picture
    second = (await describe(link_brand, "0" + g[1]))["sources"][0]["data"][2]
    assert second["image"][0]["url"] == picture["url"]
    assert files.hits["front.png"] == 1  # copied once, served by the service from then on
    async with aiohttp.ClientSession() as http, http.get(picture["url"]) as resp:
        assert resp.status == 200 and await resp.read() == PNG
        assert resp.headers["Content-Type"] == "image/png"


