"""OpenAPI generation from typed routes (gateway.contract.endpoint), without a running stack."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from gateway.contract import endpoint
from gateway.openapi import build
from gateway.schemas.common import PageQuery, RequestModel, ResponseModel


class Widget(RequestModel):
    name: str = Field(max_length=20)
    colour: Literal["red", "blue"] = "red"


class WidgetOut(ResponseModel):
    """A stored widget."""
    id: int
    name: str


class WidgetQuery(PageQuery):
    colour: Literal["red", "blue"] | None = None


async def _plain(request):
    """Read a widget.

    Longer text about widgets."""
    return web.json_response({})


@endpoint(body=Widget, responses={201: WidgetOut}, errors=(400, 409),
          examples={"small": {"name": "w"}})
async def _create(request, body: Widget):
    return WidgetOut(id=1, name=body.name)


@endpoint(query=WidgetQuery, responses={200: WidgetOut})
async def _list(request, query: WidgetQuery):
    return {"id": 1, "name": "w"}


def test_routes_docstrings_params_security_and_models():
    app = web.Application()
    app.router.add_get("/api/widgets/{widget_id}/", _plain)
    app.router.add_post("/api/widgets/", _create)
    app.router.add_get("/api/widgets/", _list)
    app.router.add_delete("/description-service/gtins/{gtin:\\d+}", _plain)
    app.router.add_get("/healthz", lambda r: web.Response())
    app.router.add_get("/_objects/{key}", _plain)
    doc = build(app)
    assert doc["openapi"] == "3.1.0" and "/_objects/{key}" not in doc["paths"]
    read = doc["paths"]["/api/widgets/{widget_id}/"]["get"]
    assert read["summary"] == "Read a widget."
    assert read["description"].startswith("Longer text about widgets.")
    assert read["parameters"] == [{"name": "widget_id", "in": "path", "required": True,
                                   "schema": {"type": "string"}}]
    assert read["security"] == [{"bearerAuth": []}] and "401" in read["responses"]
    create = doc["paths"]["/api/widgets/"]["post"]
    body = create["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Widget"}
    assert body["examples"]["small"]["value"] == {"name": "w"}
    assert set(create["responses"]) == {"201", "400", "401", "409", "default"}
    assert create["responses"]["201"]["description"] == "A stored widget."
    assert create["responses"]["409"]["content"]["application/problem+json"]["schema"] == \
        {"$ref": "#/components/schemas/Problem"}
    widget = doc["components"]["schemas"]["Widget"]
    assert widget["required"] == ["name"] and widget["additionalProperties"] is False
    assert widget["properties"]["colour"]["enum"] == ["red", "blue"]
    listing = doc["paths"]["/api/widgets/"]["get"]
    assert [p["name"] for p in listing["parameters"]] == ["page", "page_size", "colour"]
    assert listing["parameters"][1]["schema"]["maximum"] == 500
    gtin = doc["paths"]["/description-service/gtins/{gtin}"]["delete"]
    assert gtin["security"] == [{"ticketAuth": []}] and gtin["parameters"][0]["name"] == "gtin"
    assert doc["paths"]["/healthz"]["get"]["security"] == []
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    from openapi_spec_validator import validate
    validate(doc)
