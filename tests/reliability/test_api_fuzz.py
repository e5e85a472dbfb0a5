"""API fuzzing from the OpenAPI document (schemathesis) over every route of the shared stack,
with a valid organisation token and a participant ticket (so validation, not only auth, is
exercised): no 5xx, and every error answer is JSON with a message.
Skipped with a reason when the gateway does not serve /api/openapi.json."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.e2e.gtin_import.conftest import new_participant
from tests.reliability.conftest import record
from tests.support.participants import HEADER
from tests.support.stack import cli

EXAMPLES = 8
# event streams never end, and the gateway's own object route takes raw bodies: not fuzzed here
SKIP = ("/api/events", "/api/files/events", "/_objects/", "/metrics")


@pytest.fixture(scope="module")
def fuzz_auth(stack) -> dict:
    org = cli(stack.data_dir, "org", "create", "Fuzz Label")
    who = new_participant(stack)
    return {"Authorization": f"Bearer {org['token']}", HEADER: who.api.headers[HEADER]}


def _schema(stack):
    try:
        urllib.request.urlopen(stack.url + "/api/openapi.json", timeout=10).read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            pytest.skip("the gateway serves no /api/openapi.json yet (issue 9)")
        raise
    return schemathesis.openapi.from_url(stack.url + "/api/openapi.json")


def test_no_5xx_and_json_errors_on_any_operation(stack, fuzz_auth):
    """Driven programmatically (schemathesis' pytest plugin does not load under pytest 9):
    one hypothesis run of EXAMPLES cases per operation."""
    operations, failures, seen = 0, [], {"cases": 0, "errors_4xx": 0}
    for result in _schema(stack).get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIP):
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(base_url=stack.url, headers=fuzz_auth, timeout=15)
            seen["cases"] += 1
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            assert response.status_code < 500, f"{where}: {response.text[:300]}"
            if response.status_code >= 400:
                seen["errors_4xx"] += 1
                body = json.loads(response.text)
                assert isinstance(body, dict) and isinstance(body.get("detail"), str) \
                    and body["detail"] and body.get("status") == response.status_code, where

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - gather every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:600])
    assert operations >= 40
    assert not failures, "\n".join(failures)
    record("fuzz", "schemathesis", dict(seen, operations=operations,
                                        max_examples_per_operation=EXAMPLES,
                                        version=schemathesis.__version__))
