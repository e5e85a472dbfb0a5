"""Fixtures that run the storage contract suite against every backend.

Backends: ``local`` (LocalStore + the local_http routes on a 127.0.0.1:0 aiohttp server),
``s3-moto`` (S3Store against moto's threaded S3 server on 127.0.0.1:0), and ``s3-external``
when TRIBUTARY_TEST_S3_URL names a real S3/MinIO (e.g.
``s3://tributary-test?endpoint=http://127.0.0.1:9000&access_key=minioadmin&secret_key=minioadmin``).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the repo is not installed; pytest does not add the root by itself
    sys.path.insert(0, str(ROOT))

from infra.storage import LocalStore, ObjectStore, open_store  # noqa: E402
from tests.storage.serving import serving  # noqa: E402

EXTERNAL_S3 = os.environ.get("TRIBUTARY_TEST_S3_URL")
MOTO_SKIP = ("moto does not check presigned-URL signatures or expiry (verified with moto 5.2.5: "
             "tampered and expired URLs get 200), so this case cannot fail there")


@dataclass
class Backend:
    name: str
    store: ObjectStore
    enforces_presign: bool  # the server really checks presigned signatures and expiry

    def require_presign_enforcement(self) -> None:
        if not self.enforces_presign:
            pytest.skip(MOTO_SKIP)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
async def local_backend(tmp_path: Path) -> AsyncIterator[Backend]:
    store = open_store(f"file://{tmp_path / 'objects'}", public_base_url=None,
                       secret="test-secret-0123456789")
    assert isinstance(store, LocalStore)
    async with serving(store) as base:
        store.public_base_url = base
        await store.start()
        try:
            yield Backend("local", store, enforces_presign=True)
        finally:
            await store.close()


def _with_bucket(url: str, bucket: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, bucket, parts.path, parts.query, parts.fragment))


@pytest.fixture
async def moto_backend(moto_endpoint: str) -> AsyncIterator[Backend]:
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    url = (f"s3://{bucket}?endpoint={moto_endpoint}&region=us-east-1"
           "&access_key=testing&secret_key=testing&part_size_mb=5")
    async with open_store(url, secret="") as store:
        yield Backend("s3-moto", store, enforces_presign=False)


@pytest.fixture
async def external_backend() -> AsyncIterator[Backend]:
    if not EXTERNAL_S3:
        pytest.skip("set TRIBUTARY_TEST_S3_URL to run the contract against a real S3/MinIO")
    base = urlsplit(EXTERNAL_S3).netloc
    store = open_store(_with_bucket(EXTERNAL_S3, f"{base}-{uuid.uuid4().hex[:8]}"), secret="")
    async with store:
        try:
            yield Backend("s3-external", store, enforces_presign=True)
        finally:
            for info in await store.list():
                await store.delete(info.key)
            await store._client.delete_bucket(Bucket=store.bucket)  # type: ignore[attr-defined]


BACKENDS = ["local", "s3-moto"] + (["s3-external"] if EXTERNAL_S3 else [])


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    fixture = {"local": "local_backend", "s3-moto": "moto_backend",
               "s3-external": "external_backend"}[request.param]
    return request.getfixturevalue(fixture)


@pytest.fixture
def store(backend: Backend) -> ObjectStore:
    return backend.store


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
