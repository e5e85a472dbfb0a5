"""Session fixtures: one embedded stack (real broker, document store, object store, worker and
gateway on free loopback ports) for the whole test session, stopped at the end; one stack whose
objects live in S3 (moto's server on loopback) for the tests of the S3 backend; and one
embedded document store alone for the unit tests that need only it (agents, the lifecycle
store), each test on a database of its own.

The suite runs on two test processes (pytest-xdist, `addopts` in pyproject.toml): each is a
session of its own, with these fixtures started once in it and stopped at its end, and a test
file runs wholly in one of them (`--dist loadfile`), so its module stacks start once too."""
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
def s3_stack(tmp_path_factory):
    """A default stack but for TRIBUTARY_STORAGE_URL: bucket `s3_stack.bucket` on a moto server
    at `s3_stack.moto_endpoint`. Shared by the S3 tests (each uses organisations or
    participants of its own)."""
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint, bucket = f"http://{host}:{port}", "tributary-s3"
    url = (f"s3://{bucket}?endpoint={endpoint}&region=us-east-1"
           "&access_key=test&secret_key=test")
    running = RunningStack(tmp_path_factory.mktemp("s3_stack"),
                           env={"TRIBUTARY_STORAGE_URL": url}).start()
    running.moto_endpoint, running.bucket = endpoint, bucket
    try:
        yield running
    finally:
        running.discard()
        moto.stop()


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
