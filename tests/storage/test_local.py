"""LocalStore- and local_http-specific behaviour beyond the shared contract."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from infra.storage import InvalidKey, LocalStore, ObjectNotFound, signing
from infra.storage.local import TMP_DIR
from tests.storage.serving import serving

SECRET = "local-test-secret"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[LocalStore, str]]:
    """A LocalStore behind its routes (max body 1 MiB), plus the base URL."""
    store = LocalStore(tmp_path / "root", secret=SECRET)
    async with serving(store, max_body=1024 * 1024) as base:
        store.public_base_url = base
        await store.start()
        yield store, base


def _url(base: str, key: str, expires: int, signature: str) -> str:
    return f"{base}/_objects/{quote(key)}?expires={expires}&signature={signature}"


async def _json(resp: aiohttp.ClientResponse) -> dict[str, str]:
    assert resp.content_type == "application/problem+json"
    return await resp.json()


def test_signing_verdicts() -> None:
    secret = b"s"
    sig = signing.sign(secret, "GET", "a/b", 1000)
    assert signing.verify(secret, "GET", "a/b", "1000", sig, now=999) is signing.Verdict.OK
    assert signing.verify(secret, "GET", "a/b", "1000", sig, now=1000) is signing.Verdict.EXPIRED
    for method, key, expires, secret2 in [("PUT", "a/b", "1000", secret), ("GET", "a/c", "1000", secret),
                                          ("GET", "a/b", "1001", secret), ("GET", "a/b", "1000", b"t")]:
        verdict = signing.verify(secret2, method, key, expires, sig, now=0)
        assert verdict is signing.Verdict.BAD_SIGNATURE
    assert signing.verify(secret, "GET", "a/b", None, sig) is signing.Verdict.BAD_SIGNATURE
    assert signing.verify(secret, "GET", "a/b", "-5", sig) is signing.Verdict.BAD_SIGNATURE


async def test_keys_stay_inside_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root", secret=SECRET)
    await store.start()
    assert store.path_for("a/b.csv") == tmp_path / "root" / "a" / "b.csv"
    for bad in ["../x", "a/../../x", "/etc/passwd", f"{TMP_DIR}/put-1", "a\x00"]:
        with pytest.raises(InvalidKey):
            store.path_for(bad)
    assert not (tmp_path / "x").exists()
    (tmp_path / "outside.txt").write_bytes(b"not in the store")
    assert await store.list("../") == [] and await store.list("..") == []
    assert await store.delete_prefix("../") == 0
    assert (tmp_path / "outside.txt").exists()


async def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root", secret=SECRET)
    await store.start()
    await store.put("a/b.txt", b"old")
    with pytest.raises(FileNotFoundError):
        await store.put_file("a/b.txt", str(tmp_path / "no-such-source"))
    assert await store.get("a/b.txt") == b"old"  # failed write did not touch the object
    assert list((tmp_path / "root" / TMP_DIR).iterdir()) == []
    assert [i.key for i in await store.list()] == ["a/b.txt"]


async def test_file_and_prefix_conflicts_are_invalid_keys(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root", secret=SECRET)
    await store.start()
    await store.put("a", b"file")
    with pytest.raises(InvalidKey):
        await store.put("a/b", b"under a file")
    await store.put("x/y", b"1")
    with pytest.raises(InvalidKey):
        await store.put("x", b"over a directory")
    with pytest.raises(ObjectNotFound):
        await store.get("x")
    assert await store.head("x") is None


async def test_delete_prunes_empty_directories(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root", secret=SECRET)
    await store.start()
    await store.put("deep/er/still/k.txt", b"1")
    await store.put("deep/keep.txt", b"1")
    await store.delete("deep/er/still/k.txt")
    assert not (tmp_path / "root" / "deep" / "er").exists()
    assert (tmp_path / "root" / "deep" / "keep.txt").exists()


async def test_presign_needs_public_base_url(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root", secret=SECRET)
    with pytest.raises(RuntimeError, match="public_base_url"):
        await store.presign("a.txt")
    store.public_base_url = "http://gw.example:8080/"
    url = await store.presign("dir/a b.txt", "GET", expires_in=60)
    assert url.startswith("http://gw.example:8080/_objects/dir/a%20b.txt?expires=")
    with pytest.raises(ValueError):
        LocalStore(tmp_path, secret="")


async def test_http_errors_are_json(served: tuple[LocalStore, str]) -> None:
    store, base = served
    await store.put("k.txt", b"v")
    future = int(time.time()) + 60
    sig = signing.sign(store.secret, "GET", "k.txt", future)
    async with aiohttp.ClientSession() as http:
        async with http.get(_url(base, "k.txt", future, sig)) as resp:
            assert resp.status == 200 and await resp.read() == b"v"
        async with http.get(_url(base, "k.txt", future + 3600, sig)) as resp:  # stretched expiry
            assert resp.status == 403
            assert (await _json(resp))["code"] == "signature_invalid"
        async with http.get(f"{base}/_objects/k.txt") as resp:  # no signature at all
            assert resp.status == 403 and "detail" in await _json(resp)
        past = int(time.time()) - 5
        expired = _url(base, "k.txt", past, signing.sign(store.secret, "GET", "k.txt", past))
        async with http.get(expired) as resp:
            body = await _json(resp)
            assert resp.status == 403 and body["code"] == "url_expired" and "expired" in body["detail"]
        other = LocalStore(store.root, secret="another-secret", public_base_url=base)
        async with http.get(await other.presign("k.txt", "GET")) as resp:
            assert resp.status == 403
        async with http.delete(await store.presign("k.txt", "GET")) as resp:
            assert resp.status == 405
        async with http.put(await store.presign("big.bin", "PUT"), data=b"x" * (1024 * 1024 + 1)) as resp:
            assert resp.status == 413 and (await _json(resp))["code"] == "body_too_large"
    assert await store.head("big.bin") is None
    assert list((store.root / TMP_DIR).iterdir()) == []


async def test_http_put_and_get_stream_without_buffering(tmp_path: Path) -> None:
    """A 24 MiB upload and download through the routes keeps Python allocations far below 24 MiB."""
    store = LocalStore(tmp_path / "root", secret=SECRET)
    total, chunk = 24 * 1024 * 1024, b"0123456789abcdef" * 16384  # 256 KiB

    async def body() -> AsyncIterator[bytes]:
        for _ in range(total // len(chunk)):
            yield chunk

    async with serving(store) as base, aiohttp.ClientSession() as http:
        store.public_base_url = base
        await store.start()
        tracemalloc.start()
        async with http.put(await store.presign("s/big.bin", "PUT"), data=body()) as resp:
            assert resp.status == 200
        received = 0
        async with http.get(await store.presign("s/big.bin", "GET")) as resp:
            async for part in resp.content.iter_chunked(256 * 1024):
                received += len(part)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert received == total
    assert (await store.head("s/big.bin")).size == total  # type: ignore[union-attr]
    assert peak < 8 * 1024 * 1024, f"peak Python allocation {peak} bytes: body was buffered"


async def test_put_file_and_download_share_the_file_without_copying(tmp_path: Path) -> None:
    """Same filesystem: hard links, not copies; a later put or delete of the key replaces the
    object's inode, so a downloaded file keeps its content."""
    store = LocalStore(tmp_path / "root", secret=SECRET)
    await store.start()
    src = tmp_path / "rows.parquet"
    src.write_bytes(b"x" * 3_000_000)
    await store.put_file("staging/a.parquet", str(src))
    assert store.path_for("staging/a.parquet").stat().st_ino == src.stat().st_ino
    out = tmp_path / "copy.parquet"
    await store.download("staging/a.parquet", str(out))
    assert out.stat().st_ino == src.stat().st_ino
    await store.put("staging/a.parquet", b"new")
    await store.delete("staging/a.parquet")
    assert out.read_bytes() == b"x" * 3_000_000
    assert not any((tmp_path / "root" / TMP_DIR).iterdir())
    with pytest.raises(ObjectNotFound):
        await store.download("staging/a.parquet", str(out))
    assert out.read_bytes() == b"x" * 3_000_000  # a failed download leaves the target alone


async def test_streamed_upload_keeps_its_sha256_until_the_object_is_replaced(tmp_path: Path) -> None:
    import hashlib
    import os

    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.probe", b"1")
    except OSError as exc:
        pytest.skip(f"this filesystem keeps no user attributes ({exc}): checksums are taken later")

    store = LocalStore(tmp_path / "root", secret=SECRET)
    await store.start()
    body = [b"line one\n", b"line two\n" * 1000]

    async def chunks():
        for chunk in body:
            yield chunk

    await store.write_stream("uploads/a.tsv", chunks())
    assert await store.sha256("uploads/a.tsv") == hashlib.sha256(b"".join(body)).hexdigest()
    await store.put("uploads/a.tsv", b"other bytes")  # a new inode: no stale checksum
    assert await store.sha256("uploads/a.tsv") is None
    assert await store.sha256("uploads/missing.tsv") is None
