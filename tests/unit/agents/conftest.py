"""Agent unit tests: the embedded document store alone (no broker, no worker, no gateway), one
for the session; each test's harness has a database of its own on it."""
from __future__ import annotations

from pathlib import Path

import pytest

from infra.stack.processes import wait_port
from infra.stack.servers import nx27017
from tests.support.harness import harness

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="session")
def docstore(tmp_path_factory) -> str:
    child, url = nx27017(tmp_path_factory.mktemp("docstore"))
    child.start()
    try:
        wait_port(int(url.rsplit(":", 1)[1].strip("/")), proc=child.proc)
        yield url
    finally:
        child.stop()


@pytest.fixture
async def h(docstore):
    async with harness(docstore) as running:
        yield running
