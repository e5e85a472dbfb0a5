"""POST /description-service/import/preview and uploads on the default configuration: files are
uploaded to the service's own links (fetching other servers: test_links.py)."""
from __future__ import annotations

from infra.stack.processes import free_port
from tests.e2e.gtin_import.conftest import PNG, upload
from tests.support.http import put_bytes
from tests.support.participants import BASE

SEED_CSV = ("gtin,name,brand,description\r\n"
            "4012345000016,Oat drink,Acme,\"Made from oats, water\r\nand salt\"\r\n"
            "4012345000023,Rye bread,Acme,Baked daily\r\n"
            "4012345000030,Spelt flakes,Acme,\"Say \"\"hello\"\"\"\r\n")


async def preview(who, **body):
    return await who.api.post(f"{BASE}/import/preview", json=body)


async def test_preview_header_records_quotes_bom_crlf(brand):
    link = await upload(brand, b"\xef\xbb\xbf" + SEED_CSV.encode())
    status, body, _ = await preview(brand, link=link, delimiter=",", has_header=True, num_lines=2)
    assert status == 200, body
    assert body["header"] == ["gtin", "name", "brand", "description"]
    assert body["records"] == [
        {"gtin": "4012345000016", "name": "Oat drink", "brand": "Acme",
         "description": "Made from oats, water\r\nand salt"},
        {"gtin": "4012345000023", "name": "Rye bread", "brand": "Acme", "description": "Baked daily"}]
    status, body, _ = await preview(brand, link=link)  # defaults: ",", header, 10 lines
    assert status == 200 and len(body["records"]) == 3
    assert body["records"][2]["description"] == 'Say "hello"'


async def test_preview_without_header_numbers_the_columns(brand):
    link = await upload(brand, "4012345000016\tOat drink\n4012345000023\tRye bread\tx\n")
    status, body, _ = await preview(brand, link=link, delimiter="\t", has_header=False, num_lines=5)
    assert status == 200, body
    assert body["header"] == ["1", "2", "3"]
    assert body["records"][0] == {"1": "4012345000016", "2": "Oat drink"}
    assert body["records"][1]["3"] == "x"


async def test_preview_errors_are_clear_4xx(brand):
    link = await upload(brand, SEED_CSV)
    status, body, _ = await preview(brand, link=link, delimiter=":")
    assert status == 400 and "delimiter" in {e["field"] for e in body["errors"]}
    status, body, _ = await preview(brand, link=link, num_lines=-1)
    assert status == 400
    status, body, _ = await preview(brand, link=await upload(brand, "<!DOCTYPE html><html></html>"))
    assert status == 415 and body["code"] == "not_csv"
    status, body, _ = await preview(brand, link=await upload(brand, PNG))
    assert status == 415 and "PNG" in body["detail"]
    status, body, _ = await preview(brand, link="ftp://example.org/a.csv")
    assert status == 400 and body["code"] == "bad_link"
    status, body, _ = await preview(brand, link=await upload(brand, "a,a\n1,2\n"))
    assert status == 400 and "duplicate" in body["detail"]


async def test_loopback_links_are_refused_without_an_allow_list(brand):
    """The default configuration fetches links from public servers only (TRIBUTARY_FETCH_ALLOW
    unset); the service's own links are read from its store (test_own_links.py)."""
    status, body, _ = await preview(brand, link=f"http://127.0.0.1:{free_port()}/x.csv")
    assert status == 400 and body["code"] == "refused_address" and "loopback" in body["detail"]


async def test_upload_link_previews_only_for_its_participant(brand, rival):
    status, up, _ = await brand.api.post(f"{BASE}/uploads")
    assert status == 201 and up["method"] == "PUT"
    status, body, _ = await preview(brand, link=up["link"])
    assert status == 422 and body["code"] == "upload_missing"
    assert await put_bytes(up["upload_url"], SEED_CSV.encode()) == 200
    status, body, _ = await preview(brand, link=up["link"], num_lines=1)
    assert status == 200 and body["records"][0]["name"] == "Oat drink"
    status, body, _ = await preview(rival, link=up["link"])
    assert status == 422  # another participant's upload is not found under its own key
    status, _, _ = await rival.api.post(f"{BASE}/import/preview", json={})
    assert status == 400


async def test_tickets_are_required(stack):
    from tests.support.http import Api
    status, body, _ = await Api(stack.url).post(f"{BASE}/import/preview",
                                                json={"link": "https://example.org/a.csv"})
    assert status == 401
