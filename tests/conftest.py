"""Session fixtures: one embedded stack (real broker, document store, object store, worker and
gateway on free loopback ports) for the whole test session, stopped at the end."""
from __future__ import annotations

import pytest

from tests.support.http import Api
from tests.support.stack import RunningStack, cli


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def org(stack):
    return cli(stack.data_dir, "org", "create", "Session Records")


@pytest.fixture(scope="session")
def other_org(stack):
    return cli(stack.data_dir, "org", "create", "Other Label")


@pytest.fixture
def api(stack, org) -> Api:
    return Api(stack.url, org["token"])


@pytest.fixture
def other_api(stack, other_org) -> Api:
    return Api(stack.url, other_org["token"])
