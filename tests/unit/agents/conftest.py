"""Agent unit tests: the session's embedded document store alone (`docstore`, tests/conftest.py:
no broker, no worker, no gateway); each test's harness has a database of its own on it."""
from __future__ import annotations

from pathlib import Path

import pytest

import agents
from tests.support.harness import harness

REPO = Path(__file__).resolve().parents[3]
# no __init__.py here: as a package this directory would shadow the `agents` package
assert Path(agents.__file__).parent == REPO / "agents", agents.__file__


@pytest.fixture
async def h(docstore):
    async with harness(docstore) as running:
        yield running
