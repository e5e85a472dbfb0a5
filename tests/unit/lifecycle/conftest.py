"""The session's embedded document store (nx-27017, a real server on a free port: `docstore`,
tests/conftest.py) for the kit's store tests: every query form the kit uses is run against it,
on a database of this module's own."""
from __future__ import annotations

import secrets

import pytest
from pymongo import AsyncMongoClient


@pytest.fixture(scope="module")
async def db(docstore):
    client = AsyncMongoClient(docstore, directConnection=True, serverSelectionTimeoutMS=15000)
    name = f"lifecycle_unit_{secrets.token_hex(4)}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()
