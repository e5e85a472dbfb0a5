"""infra/fetch: link checks, content sniffing, upload links, and the size limit while streaming."""
import pytest
from aiohttp import web

from infra.config import Fetch
from infra.fetch import FetchError, fetch_head, fetch_to_file, own_key, sniff, upload_key, upload_prefix
from tests.support.http import serving_app


def test_sniff_refuses_what_is_not_text():
    sniff(b"\xef\xbb\xbfgtin,name\r\n1,a\r\n", "text/csv")
    sniff(b"gtin\tname\n", "application/octet-stream")
    for head, ctype, words in [(b"%PDF-1.7", None, "PDF"), (b"PK\x03\x04xx", None, "ZIP"),
                               (b"  <!DOCTYPE html><p>", "text/plain", "HTML"),
                               (b"a,b\n\x00\x01", None, "binary"), (b"a,b", "image/png", "image/png")]:
        with pytest.raises(FetchError, match=words) as err:
            sniff(head, ctype)
        assert err.value.status == 415


def test_upload_links_map_to_the_participants_key():
    base = "http://127.0.0.1:8080"
    link = f"{base}/description-service/uploads/abcdefghijklmnopqrstuvwx"
    assert upload_key(link, "urn:a", base) == f"{upload_prefix('urn:a')}/abcdefghijklmnopqrstuvwx"
    assert upload_key(link, "urn:b", base) != upload_key(link, "urn:a", base)
    assert upload_key("https://files.example/x.csv", "urn:a", base) is None
    assert upload_key(link.replace("127.0.0.1:8080", "elsewhere"), "urn:a", base) is None
    with pytest.raises(FetchError):
        upload_key(f"{base}/description-service/uploads/../../etc", "urn:a", base)


def test_own_links_are_uploads_and_cdn_copies():
    base = "http://127.0.0.1:8080"
    upload = f"{base}/description-service/uploads/abcdefghijklmnopqrstuvwx"
    assert own_key(upload, "urn:a", base) == upload_key(upload, "urn:a", base)
    assert own_key(f"{base}/description-service/cdn/0a1b2c.png", "urn:a", base) == "cdn/0a1b2c.png"
    assert own_key("https://cdn.example/description-service/cdn/x.png", "urn:a", base) is None
    assert own_key("https://files.example/x.csv", "urn:a", base) is None
    with pytest.raises(FetchError):
        own_key(f"{base}/description-service/cdn/../secret", "urn:a", base)


@pytest.fixture
async def server():
    async def chunked(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/csv"})
        await resp.prepare(request)  # no Content-Length: the limit applies while streaming
        for _ in range(64):
            await resp.write(b"4012345000016,name\n" * 100)
        return resp

    app = web.Application()
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/small", lambda r: web.Response(text="a,b\n1,2\n3,4\n"))
    async with serving_app(app) as url:
        yield url


async def test_streaming_size_limit_and_head(server, tmp_path):
    fetch = Fetch(allow="127.0.0.1")  # the test server is on loopback
    path = str(tmp_path / "f")
    assert await fetch_to_file(f"{server}/small", path, fetch, max_bytes=100) == 12
    with pytest.raises(FetchError) as err:
        await fetch_to_file(f"{server}/chunked", path, fetch, max_bytes=50_000)
    assert err.value.status == 413
    head = await fetch_head(f"{server}/chunked", 1000, fetch)
    assert head.endswith(b"\n") and len(head) <= 1000 and head.count(b"\n") == len(head) // 19
    with pytest.raises(FetchError) as err:
        await fetch_head(f"{server}/missing", 10, fetch)
    assert err.value.status == 422
