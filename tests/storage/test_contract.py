"""One contract, every backend: see conftest.py for the parametrised ``backend`` fixture."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

from infra.storage import InvalidKey, ObjectNotFound, ObjectStore

if TYPE_CHECKING:
    from .conftest import Backend

UNICODE_KEY = "reports/2024 Q1/ünïcode & spaces+plus.csv"
BAD_KEYS = ["", "/abs/key", "../escape", "a/../b", "a/./b", "a//b", "trailing/", "nul\x00byte",
            "back\\slash", "x" * 1025]


async def test_put_get_roundtrip(store: ObjectStore) -> None:
    await store.put("a.txt", b"alpha", content_type="text/plain")
    await store.put(UNICODE_KEY, b"u")
    await store.put("empty.bin", b"")
    assert await store.get("a.txt") == b"alpha"
    assert await store.get(UNICODE_KEY) == b"u"
    assert await store.get("empty.bin") == b""


async def test_read_head_reads_the_first_bytes(store: ObjectStore) -> None:
    """Previews of an upload read its head from the store, never the whole object."""
    await store.put("head/data.csv", b"gtin,name\n" * 1000)
    await store.put("head/empty.csv", b"")
    assert await store.read_head("head/data.csv", 15) == b"gtin,name\ngtin,"
    assert await store.read_head("head/data.csv", 1 << 20) == b"gtin,name\n" * 1000
    assert await store.read_head("head/empty.csv", 10) == b""
    with pytest.raises(ObjectNotFound):
        await store.read_head("head/missing.csv", 10)


async def test_read_range_reads_the_bytes_asked_for(store: ObjectStore) -> None:
    """A snapshot's page is read from its pages object by offset and length, alone."""
    await store.put("range/pages.bin", bytes(range(256)) * 4)
    assert await store.read_range("range/pages.bin", 250, 10) == bytes(range(250, 256)) + bytes(range(4))
    assert await store.read_range("range/pages.bin", 1020, 100) == bytes(range(252, 256))
    assert await store.read_range("range/pages.bin", 2000, 10) == b""
    assert await store.read_range("range/pages.bin", 5, 0) == b""
    with pytest.raises(ObjectNotFound):
        await store.read_range("range/missing.bin", 0, 10)


async def test_put_overwrites_and_changes_etag(store: ObjectStore) -> None:
    await store.put("k/v.json", b'{"v": 1}')
    first = await store.head("k/v.json")
    await store.put("k/v.json", b'{"v": 22}')
    second = await store.head("k/v.json")
    assert await store.get("k/v.json") == b'{"v": 22}'
    assert first is not None and second is not None
    assert (first.size, second.size) == (8, 9)
    assert first.etag and second.etag and first.etag != second.etag


async def test_head(store: ObjectStore) -> None:
    assert await store.head("nope/missing.txt") is None
    await store.put("dir/file.bin", b"12345")
    info = await store.head("dir/file.bin")
    assert info is not None
    assert (info.key, info.size) == ("dir/file.bin", 5)
    assert info.last_modified.tzinfo is not None
    assert abs(datetime.now(UTC) - info.last_modified) < timedelta(minutes=5)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"  # tmp_path also holds the LocalStore root
    path.mkdir()
    return path


async def test_missing_object_raises(store: ObjectStore, workdir: Path) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        await store.get("no/such/key")
    assert caught.value.key == "no/such/key"
    with pytest.raises(KeyError):  # ObjectNotFound is also a KeyError
        await store.get("missing")
    target = workdir / "out.bin"
    with pytest.raises(ObjectNotFound):
        await store.download("no/such/key", str(target))
    assert list(workdir.iterdir()) == []  # no partial or temp file left behind


async def test_delete_is_idempotent(store: ObjectStore) -> None:
    await store.put("gone.txt", b"x")
    await store.delete("gone.txt")
    assert await store.head("gone.txt") is None
    await store.delete("gone.txt")
    await store.delete("never/existed.txt")
    with pytest.raises(ObjectNotFound):
        await store.get("gone.txt")


async def test_list_is_sorted_string_prefix(store: ObjectStore) -> None:
    keys = ["r/2024/b.csv", "r/2024/a.csv", "r/2024b.csv", "r/2025/x.csv", "other.txt"]
    await asyncio.gather(*(store.put(k, k.encode()) for k in keys))
    assert [i.key for i in await store.list()] == sorted(keys)
    assert [i.key for i in await store.list("r/2024")] == ["r/2024/a.csv", "r/2024/b.csv",
                                                            "r/2024b.csv"]
    assert [i.key for i in await store.list("r/2024/")] == ["r/2024/a.csv", "r/2024/b.csv"]
    assert await store.list("nothing-here/") == []
    for odd in ["../", "/r", "r//", "./r", "r/../r/"]:  # never match, never escape a local root
        assert await store.list(odd) == []
        assert await store.delete_prefix(odd) == 0
    sizes = {i.key: i.size for i in await store.list("r/")}
    assert sizes["r/2025/x.csv"] == len("r/2025/x.csv")


async def test_delete_prefix(store: ObjectStore) -> None:
    keys = [f"batch/{n:03d}.csv" for n in range(25)] + ["batch-other.csv", "keep/me.csv"]
    await asyncio.gather(*(store.put(k, b"x") for k in keys))
    assert await store.delete_prefix("batch/") == 25
    assert [i.key for i in await store.list()] == ["batch-other.csv", "keep/me.csv"]
    assert await store.delete_prefix("batch/") == 0
    with pytest.raises(ValueError):
        await store.delete_prefix("")


@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda k: repr(k)[:20])
async def test_invalid_keys_rejected(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        await store.put(key, b"x")
    with pytest.raises(InvalidKey):
        await store.presign(key, "GET")


async def test_put_file_and_download_multi_mb(store: ObjectStore, workdir: Path) -> None:
    src = workdir / "big.bin"
    data = os.urandom(12 * 1024 * 1024 + 123)  # > part size: multipart on S3
    src.write_bytes(data)
    await store.put_file("big/file.bin", str(src))
    info = await store.head("big/file.bin")
    assert info is not None and info.size == len(data)
    out = workdir / "copy.bin"
    await store.download("big/file.bin", str(out))
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert sorted(p.name for p in workdir.iterdir()) == ["big.bin", "copy.bin"]


async def test_presigned_put_then_get(store: ObjectStore, http: aiohttp.ClientSession) -> None:
    key = "uploads/2024 report ü.tsv"
    put_url = await store.presign(key, "PUT", expires_in=300)
    assert put_url.startswith("http://127.0.0.1:") or put_url.startswith("http")
    async with http.put(put_url, data=b"col\tval\n1\t2\n") as resp:
        assert resp.status == 200, await resp.text()
    assert await store.get(key) == b"col\tval\n1\t2\n"
    get_url = await store.presign(key, "get", expires_in=300)
    async with http.get(get_url) as resp:
        assert resp.status == 200
        assert await resp.read() == b"col\tval\n1\t2\n"


async def test_presigned_get_of_missing_key_is_404(store: ObjectStore,
                                                   http: aiohttp.ClientSession) -> None:
    async with http.get(await store.presign("missing/thing.csv", "GET")) as resp:
        assert resp.status == 404


async def test_presign_argument_checks(store: ObjectStore) -> None:
    with pytest.raises(ValueError):
        await store.presign("a.txt", "DELETE")
    with pytest.raises(ValueError):
        await store.presign("a.txt", "GET", expires_in=0)
    with pytest.raises(ValueError):
        await store.presign("a.txt", "GET", expires_in=8 * 24 * 3600)


async def test_presigned_url_rejects_tampering(backend: Backend,
                                               http: aiohttp.ClientSession) -> None:
    backend.require_presign_enforcement()
    store = backend.store
    await store.put("tamper/a.txt", b"secret-a")
    await store.put("tamper/b.txt", b"secret-b")
    get_a = await store.presign("tamper/a.txt", "GET")
    async with http.get(get_a.replace("tamper/a.txt", "tamper/b.txt")) as resp:
        assert resp.status == 403  # other key, same signature
    async with http.put(get_a, data=b"overwritten") as resp:
        assert resp.status == 403  # GET signature used for PUT
    put_a = await store.presign("tamper/a.txt", "PUT")
    async with http.get(put_a) as resp:
        assert resp.status == 403  # PUT signature used for GET
    async with http.put(put_a.replace("tamper/a.txt", "tamper/b.txt"), data=b"evil") as resp:
        assert resp.status == 403
    assert await store.get("tamper/a.txt") == b"secret-a"
    assert await store.get("tamper/b.txt") == b"secret-b"


async def test_presigned_url_expires(backend: Backend, http: aiohttp.ClientSession) -> None:
    backend.require_presign_enforcement()
    store = backend.store
    await store.put("exp/a.txt", b"old")
    get_url = await store.presign("exp/a.txt", "GET", expires_in=1)
    put_url = await store.presign("exp/a.txt", "PUT", expires_in=1)
    async with http.get(get_url) as resp:  # still valid right after signing
        assert resp.status == 200
    await asyncio.sleep(2.1)
    async with http.get(get_url) as resp:
        assert resp.status == 403
    async with http.put(put_url, data=b"new") as resp:
        assert resp.status == 403
    assert await store.get("exp/a.txt") == b"old"


async def test_ping(store: ObjectStore) -> None:
    assert await store.ping() is True
