"""Declared security against behaviour: every operation of the served OpenAPI document is called
without any credential. An operation that declares a scheme must answer 401 (problem+json);
one declared public (`security: []`) must not ask for a credential (no 401/403). Path
parameters get values that name nothing, so a public route answers 200 or 404."""
from __future__ import annotations

import asyncio
import re

from tests.support.http import Api

VALUES = {"gtin": "00000000000000", "stream": "files", "action": "add", "name": "nothing.png"}


def _fill(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: VALUES.get(m.group(1), "999999"), path)


async def test_declared_security_matches_a_request_without_credentials(stack):
    api = Api(stack.url)
    status, document, _ = await api.get("/api/openapi.json")
    assert status == 200
    schemes = document["components"]["securitySchemes"]
    operations = [(m.upper(), p, op) for p, ops in document["paths"].items()
                  for m, op in ops.items()]
    limit = asyncio.Semaphore(8)

    async def call(method: str, path: str):
        async with limit:
            kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            return await asyncio.wait_for(api.call(method, _fill(path), **kw), 30)

    answers = await asyncio.gather(*[call(m, p) for m, p, _ in operations])
    wrong = []
    for (method, path, op), (status, body, headers) in zip(operations, answers):
        declared = op["security"]
        assert all(name in schemes for need in declared for name in need), (path, declared)
        if declared:
            problem = headers.get("Content-Type", "").startswith("application/problem+json")
            if status != 401 or not problem or "401" not in op["responses"]:
                wrong.append((method, path, declared, status, body))
        elif status in (401, 403):
            wrong.append((method, path, "public", status, body))
    assert not wrong, wrong
    public = {(m, p) for m, p, op in operations if not op["security"]}
    assert ("GET", "/healthz") in public and ("GET", "/description-service/cdn/{name}") in public
    assert len(operations) - len(public) >= 40  # most routes take a credential
