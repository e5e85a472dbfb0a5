"""Session fixtures: one embedded stack (real broker, document store, object store, worker and
gateway on free loopback ports) for the whole test session, stopped at the end."""
from __future__ import annotations

import pytest

from tests.support.orgs import api_fixture, org_fixture
from tests.support.stack import RunningStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


org = org_fixture("Session Records")
other_org = org_fixture("Other Label")
api = api_fixture("org")
other_api = api_fixture("other_org")
