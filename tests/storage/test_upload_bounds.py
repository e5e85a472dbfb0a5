"""Upload bounds in the store layer: a PUT URL carries its size (signed), bodies stream into
either backend through the gateway's route with that bound, and partial uploads are swept."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import aiohttp
import pytest

from infra.storage import S3Store, open_store
from infra.storage.base import BodyTooLarge
from infra.storage.local import TMP_DIR
from tests.storage.serving import serving

SECRET = "upload-bounds-secret"


async def _chunks(*parts: bytes):
    for part in parts:
        yield part


@pytest.fixture
async def s3(moto_endpoint: str) -> AsyncIterator[S3Store]:
    url = (f"s3://b-{uuid.uuid4().hex[:12]}?endpoint={moto_endpoint}&access_key=testing"
           "&secret_key=testing&part_size_mb=5")
    async with open_store(url, secret="") as store:
        yield store


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_local_put_url_is_bounded_by_its_signed_size(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}", secret=SECRET)
    await store.start()
    async with serving(store) as base:
        store.public_base_url = base
        url = await store.presign("u/f.tsv", "PUT", 60, max_bytes=10)
        assert parse_qs(urlsplit(url).query)["size"] == ["10"]
        async with aiohttp.ClientSession() as http:
            async with http.put(url, data=b"x" * 11) as resp:  # Content-Length known: refused at once
                body = await resp.json(content_type=None)
                assert resp.status == 413 and body["code"] == "body_too_large", body
                assert resp.content_type == "application/problem+json" and body["max_bytes"] == 10

            async def stream():  # no Content-Length: cut off while it streams
                yield b"x" * 8
                yield b"x" * 8
            async with http.put(url, data=stream()) as resp:
                assert resp.status == 413
            async with http.put(_with_query(url, size="1000"), data=b"x" * 11) as resp:
                assert resp.status == 403  # the size is signed: raising it breaks the URL
            async with http.put(url, data=b"x" * 10) as resp:
                assert resp.status == 200
        assert await store.get("u/f.tsv") == b"x" * 10
        assert list((tmp_path / TMP_DIR).iterdir()) == []


async def test_s3_body_streams_through_the_route_with_the_bound(s3: S3Store) -> None:
    """On S3 the gateway's route writes into the bucket: one PUT for a small body, multipart
    for a large one; a body past the bound leaves neither an object nor an open upload."""
    async with serving(s3, secret=SECRET, gets=False) as base:
        from infra.storage import signing

        small = signing.url(base, SECRET.encode(), "PUT", "u/s.tsv", 60, 5)
        async with aiohttp.ClientSession() as http:
            async with http.put(small, data=b"12345") as resp:
                assert resp.status == 200
            async with http.put(small, data=b"123456") as resp:
                assert resp.status == 413
            async with http.get(small) as resp:
                assert resp.status == 405  # no GET route on S3: reads are S3's own URLs
        assert await s3.get("u/s.tsv") == b"12345"
        big = os.urandom(11 * 1024 * 1024)
        info = await s3.write_stream("u/big.bin", _chunks(big[:7 << 20], big[7 << 20:]))
        assert info.size == len(big) and info.etag.endswith("-3")  # 5 MiB parts
        assert await s3.get("u/big.bin") == big
        with pytest.raises(BodyTooLarge):
            await s3.write_stream("u/over.bin", _chunks(big[:6 << 20], big[6 << 20:]), 7 << 20)
        assert await s3.head("u/over.bin") is None
        uploads = await s3._client.list_multipart_uploads(Bucket=s3.bucket)
        assert uploads.get("Uploads", []) == []


async def test_s3_presigned_put_pins_the_content_length(s3: S3Store) -> None:
    url = await s3.presign("u/direct.tsv", "PUT", 60, max_bytes=42)
    signed = parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")
    assert "content-length" in signed  # a real S3 refuses any other length (403)


async def test_partial_uploads_are_swept(tmp_path: Path, s3: S3Store) -> None:
    local = open_store(f"file://{tmp_path}", secret=SECRET)
    await local.start()
    old, fresh = tmp_path / TMP_DIR / "put-old", tmp_path / TMP_DIR / "put-fresh"
    old.write_bytes(b"half")
    fresh.write_bytes(b"writing")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    cutoff = datetime.now(UTC) - timedelta(hours=1)
    assert await local.sweep_partials(cutoff) == 1
    assert not old.exists() and fresh.exists()

    # moto lists every multipart upload as initiated on 2010-11-10 (moto 5.2.5,
    # s3/responses.py), so only "begun before a cutoff" can be checked here, not "fresh kept"
    upload = await s3._client.create_multipart_upload(Bucket=s3.bucket, Key="u/partial.bin")
    assert await s3.sweep_partials(datetime.now(UTC) + timedelta(seconds=5)) == 1
    left = await s3._client.list_multipart_uploads(Bucket=s3.bucket)
    assert upload["UploadId"] not in [u["UploadId"] for u in left.get("Uploads", [])]
