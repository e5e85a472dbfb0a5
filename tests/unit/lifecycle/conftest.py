"""The embedded document store (nx-27017, a real server on a free port) for the kit's store
tests: every query form the kit uses is run against it."""
from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient

from infra.stack.servers import nx27017


@pytest.fixture(scope="module")
async def db(tmp_path_factory):
    child, url = nx27017(tmp_path_factory.mktemp("nx"))
    child.start()
    client = AsyncMongoClient(url, directConnection=True, serverSelectionTimeoutMS=15000)
    try:
        yield client.lifecycle_unit
    finally:
        await client.close()
        child.proc.terminate()
        child.proc.wait(10)
