"""Agent unit tests: the embedded document store alone (no broker, no worker, no gateway), one
for the session; each test's harness has a database of its own on it."""
from __future__ import annotations

from pathlib import Path

import pytest

import agents
from infra.stack.processes import wait_port
from infra.stack.servers import nx27017
from tests.support.harness import harness

REPO = Path(__file__).resolve().parents[3]
# no __init__.py here: as a package this directory would shadow the `agents` package
assert Path(agents.__file__).parent == REPO / "agents", agents.__file__


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
