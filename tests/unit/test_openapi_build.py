"""OpenAPI generation by router introspection, without a running stack."""
from __future__ import annotations

from aiohttp import web

from gateway.openapi import build, openapi


async def _plain(request):
    """Read a widget.

    Longer text about widgets."""
    return web.json_response({})


@openapi(query={"page": {"type": "integer"}}, request={"type": "object", "required": ["name"]},
         responses={201: {"type": "object"}, 409: {"$ref": "#/components/schemas/Error"}})
async def _rich(request):
    return web.json_response({})


def test_routes_docstrings_params_security_and_detail():
    app = web.Application()
    app.router.add_get("/api/widgets/{widget_id}/", _plain)
    app.router.add_post("/api/widgets/", _rich)
    app.router.add_delete("/description-service/gtins/{gtin:\\d+}", _plain)
    app.router.add_get("/healthz", lambda r: web.Response())
    doc = build(app)
    read = doc["paths"]["/api/widgets/{widget_id}/"]["get"]
    assert read["summary"] == "Read a widget."
    assert read["description"].startswith("Longer text about widgets.")
    assert read["parameters"] == [{"name": "widget_id", "in": "path", "required": True,
                                   "schema": {"type": "string"}}]
    assert read["security"] == [{"bearerAuth": []}] and "401" in read["responses"]
    create = doc["paths"]["/api/widgets/"]["post"]
    assert create["parameters"][0]["name"] == "page"
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["name"]
    assert set(create["responses"]) >= {"201", "409", "default"}
    gtin = doc["paths"]["/description-service/gtins/{gtin}"]["delete"]
    assert gtin["security"] == [{"ticketAuth": []}] and gtin["parameters"][0]["name"] == "gtin"
    assert doc["paths"]["/healthz"]["get"]["security"] == []
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    from openapi_spec_validator import validate
    validate(doc)
