"""The HTTP contract: every public route of the gateway is documented (internal ones are not),
and every documented operation answers without a 5xx, with an RFC 9457 problem on errors."""
from __future__ import annotations

import asyncio
import re

import pytest

from tests.e2e.contract.conftest import HEADER
from tests.support.http import Api


@pytest.fixture(scope="module")
async def document(stack):
    status, doc, _ = await Api(stack.url).get("/api/openapi.json")
    assert status == 200
    return doc


def _router_operations(stack) -> set[tuple[str, str]]:
    from gateway.app import create_app
    from gateway.openapi import METHODS, is_internal, route_path
    from infra.config import load_settings

    app = create_app(load_settings(stack.data_dir))
    return {(r.method.lower(), route_path(r.resource)) for r in app.router.routes()
            if r.method in METHODS and not is_internal(route_path(r.resource), r.handler)}


async def test_every_route_is_documented(stack, document):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert _router_operations(stack) == documented
    assert not any(p.startswith(("/_objects", "/console/static")) for p in document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["ticketAuth"] == {**schemes["ticketAuth"], "type": "apiKey", "in": "header",
                                     "name": HEADER}
    files = document["paths"]["/api/files/salesfiles/{file_id}/"]["get"]
    assert files["security"] == [{"bearerAuth": []}]
    assert files["parameters"][0]["name"] == "file_id"
    assert files["responses"]["default"]["content"]["application/problem+json"]["schema"] == \
        {"$ref": "#/components/schemas/Problem"}
    create = document["paths"]["/api/files/salesfiles/"]["post"]
    assert {"201", "202", "400", "401"} <= set(create["responses"]) and "200" not in \
        create["responses"]
    listing = document["paths"]["/api/files/salesfiles/"]["get"]
    assert {"page", "page_size", "status", "reporting_period"} <= {
        p["name"] for p in listing["parameters"] if p["in"] == "query"}
    gtin = document["paths"]["/description-service/gtins/{gtin}"]
    assert all(op["security"] == [{"ticketAuth": []}] for op in gtin.values())
    assert document["paths"]["/api/openapi.json"]["get"]["summary"].startswith("The OpenAPI 3")
    assert document["paths"]["/api/openapi.json"]["get"]["security"] == []


async def test_docs_page_lists_every_operation(stack, document):
    api = Api(stack.url)
    status, body, headers = await api.get("/api/docs")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN, nothing remote
    scripts = re.findall(r"<script[^>]*src=['\"]([^'\"]+)", page)
    assert scripts == ["/api/docs/redoc.standalone.js"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, bundle, headers = await api.get(scripts[0])
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"ReDoc" in bundle[:4000] or b"redoc" in bundle[:200_000]
    for path, ops in document["paths"].items():
        for op in ops.values():
            assert f'id="{op["operationId"]}"' in page, path


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000000000", path)


async def test_every_documented_operation_answers_json_without_5xx(stack, org, document,
                                                                   gtin_brand):
    api = Api(stack.url, org["token"], headers={HEADER: gtin_brand["ticket"]})
    skip = {"/metrics"}  # Prometheus text, checked in test_metrics
    calls = [(m.upper(), p) for p, ops in document["paths"].items() for m in ops if p not in skip]
    limit = asyncio.Semaphore(8)

    async def call(method: str, path: str):
        async with limit:
            kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            status, body, headers = await asyncio.wait_for(
                api.call(method, _fill(path), **kw), 30)
            return method, path, status, body, headers

    failures = []
    for method, path, status, body, headers in await asyncio.gather(
            *[call(m, p) for m, p in calls]):
        if status >= 500:
            failures.append((method, path, status, body))
        elif status >= 400 and not (
                headers.get("Content-Type", "").startswith("application/problem+json")
                and isinstance(body, dict) and body.get("status") == status and body.get("code")
                and isinstance(body.get("detail"), str) and isinstance(body.get("errors"), list)):
            failures.append((method, path, status, body))
    assert not failures, failures
    assert len(calls) >= 20
