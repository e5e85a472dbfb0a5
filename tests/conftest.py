"""Session fixtures: one embedded stack (real broker, document store, object store, worker and
gateway on free loopback ports) for the whole test session, stopped at the end; and one
embedded document store alone for the unit tests that need only it (agents, the lifecycle
store), each test on a database of its own."""
from __future__ import annotations

import pytest

from infra.stack.processes import wait_port
from infra.stack.servers import nx27017
from tests.support.orgs import api_fixture, org_fixture
from tests.support.stack import RunningStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.discard()


@pytest.fixture(scope="session")
def docstore(tmp_path_factory) -> str:
    """The URL of an embedded document store (nx-27017) of the session, without a broker."""
    child, url = nx27017(tmp_path_factory.mktemp("docstore"))
    child.start()
    try:
        wait_port(int(url.rsplit(":", 1)[1].strip("/")), proc=child.proc)
        yield url
    finally:
        child.stop()


org = org_fixture("Session Records")
other_org = org_fixture("Other Label")
api = api_fixture("org")
other_api = api_fixture("other_org")
