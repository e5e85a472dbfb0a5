"""Fixture factories for organisations and the clients signed in as them, so a conftest declares
each organisation it needs in one line (its name, the stack fixture it lives on, the scope)."""
from __future__ import annotations

import pytest

from tests.support.http import Api
from tests.support.stack import cli


def org_fixture(name: str, *, stack: str = "stack", scope: str = "session"):
    """A fixture creating the organisation `name` once per `scope` on the stack fixture `stack`;
    its value is the CLI's record (id, token, ...)."""
    @pytest.fixture(scope=scope)
    def organisation(request: pytest.FixtureRequest) -> dict:
        return cli(request.getfixturevalue(stack).data_dir, "org", "create", name)
    return organisation


def api_fixture(org: str, *, stack: str = "stack"):
    """A fixture: an `Api` on the stack fixture `stack` signed in as the organisation fixture `org`."""
    @pytest.fixture
    def client(request: pytest.FixtureRequest) -> Api:
        return Api(request.getfixturevalue(stack).url, request.getfixturevalue(org)["token"])
    return client
