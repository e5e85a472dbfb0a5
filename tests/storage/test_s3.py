"""S3Store-specific behaviour (against moto): URL shape, regions, multipart, public endpoint."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from infra.storage import S3Store, open_store


def _url(endpoint: str, *, bucket: str | None = None, **params: str) -> str:
    query = {"endpoint": endpoint, "access_key": "testing", "secret_key": "testing", **params}
    return f"s3://{bucket or 'b-' + uuid.uuid4().hex[:12]}?" + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.fixture
async def s3(moto_endpoint: str) -> AsyncIterator[S3Store]:
    async with open_store(_url(moto_endpoint, part_size_mb="5"), secret="") as store:
        assert isinstance(store, S3Store)
        yield store


async def test_presigned_url_shape_is_sigv4_path_style(s3: S3Store, moto_endpoint: str) -> None:
    url = await s3.presign("dir/a b.csv", "PUT", expires_in=900)
    parts, endpoint = urlsplit(url), urlsplit(moto_endpoint)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.netloc == endpoint.netloc  # path style: the bucket is not in the host name
    assert parts.path == f"/{s3.bucket}/dir/a%20b.csv"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Credential"].startswith("testing/")
    assert query["X-Amz-Credential"].endswith("/us-east-1/s3/aws4_request")
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-SignedHeaders"] == "host"
    assert len(query["X-Amz-Signature"]) == 64
    assert "AWSAccessKeyId" not in query and "Signature" not in query  # not SigV2


async def test_other_region_bucket_and_presign(moto_endpoint: str) -> None:
    async with open_store(_url(moto_endpoint, region="eu-central-1"), secret="") as store:
        url = await store.presign("k.txt", "PUT")
        assert "/eu-central-1/s3/aws4_request" in parse_qs(urlsplit(url).query)["X-Amz-Credential"][0]
        async with aiohttp.ClientSession() as http, http.put(url, data=b"eu") as resp:
            assert resp.status == 200
        assert await store.get("k.txt") == b"eu"


async def test_public_endpoint_is_used_for_presigning_only(moto_endpoint: str) -> None:
    url = _url(moto_endpoint, public_endpoint="https://files.example.com")
    async with open_store(url, secret="") as store:
        await store.put("k.txt", b"v")  # operations still go to the internal endpoint
        presigned = urlsplit(await store.presign("k.txt", "GET"))
        assert (presigned.scheme, presigned.netloc) == ("https", "files.example.com")
        assert presigned.path == f"/{store.bucket}/k.txt"  # type: ignore[attr-defined]


async def test_start_is_idempotent_for_existing_bucket(s3: S3Store, moto_endpoint: str) -> None:
    await s3.put("k", b"1")
    async with open_store(_url(moto_endpoint, bucket=s3.bucket), secret="") as again:
        assert await again.get("k") == b"1"


async def test_big_files_use_multipart_small_files_do_not(s3: S3Store, tmp_path: Path) -> None:
    big, small = tmp_path / "big.bin", tmp_path / "small.csv"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    small.write_bytes(b"a,b\n1,2\n")
    await s3.put_file("big.bin", str(big))
    await s3.put_file("small.csv", str(small))
    big_info, small_info = await s3.head("big.bin"), await s3.head("small.csv")
    assert big_info is not None and big_info.etag.endswith("-3")  # 5 + 5 + 1 MiB parts
    assert small_info is not None and "-" not in small_info.etag


async def test_content_type_is_kept(s3: S3Store, tmp_path: Path) -> None:
    await s3.put("explicit.bin", b"x", content_type="application/x-tributary")
    (tmp_path / "r.csv").write_bytes(b"a\n")
    await s3.put_file("guessed.csv", str(tmp_path / "r.csv"))
    async with aiohttp.ClientSession() as http:
        for key, expected in [("explicit.bin", "application/x-tributary"), ("guessed.csv", "text/csv")]:
            async with http.get(await s3.presign(key, "GET")) as resp:
                assert resp.status == 200 and resp.headers["Content-Type"] == expected


async def test_credentials_come_from_environment(moto_endpoint: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "envkeyid")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    async with open_store(f"s3://b-{uuid.uuid4().hex[:12]}?endpoint={moto_endpoint}", secret="") as store:
        url = await store.presign("k", "GET")
        assert parse_qs(urlsplit(url).query)["X-Amz-Credential"][0].startswith("envkeyid/")


async def test_ping_is_false_when_endpoint_is_down() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = S3Store("down-bucket", endpoint_url=f"http://127.0.0.1:{port}", access_key="a",
                    secret_key="b", create_bucket=False, ping_timeout=1.0)
    async with store:
        started = time.monotonic()
        assert await store.ping() is False
        assert time.monotonic() - started < 3
