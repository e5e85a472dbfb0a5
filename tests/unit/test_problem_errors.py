"""One error shape (RFC 9457 problem+json) and typed bodies, on a bare aiohttp app (no stack)."""
from __future__ import annotations

from typing import Literal

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import Field

from gateway.contract import endpoint
from gateway.errors import ApiError, problem
from gateway.schemas.common import PageQuery, RequestModel, ResponseModel
from gateway.serving import add_unmatched, served


class Order(RequestModel):
    kind: Literal["monthly", "unmatched"]
    count: int = Field(ge=1, le=10)
    note: str | None = Field(None, max_length=5)


class Placed(ResponseModel):
    id: int
    kind: str


async def _who(request):
    if request.headers.get("Authorization") != "Bearer ok":
        raise ApiError(401, "unauthorized", "send a token")


@endpoint(auth=_who, body=Order, responses={201: Placed, 202: Placed}, errors=(400,),
          max_body=200)
async def place(request, body: Order):
    if body.count == 7:
        return 202, {"id": "7", "kind": body.kind}
    if body.count == 9:
        return {"id": "not a number"}
    return 201, Placed(id=1, kind=body.kind)


@endpoint(query=PageQuery, responses={200: ResponseModel})
async def pages(request, query: PageQuery):
    return {"page": query.page, "page_size": query.page_size}


async def conflicted(request):
    raise ApiError(409, "conflict", "not now", status="FAILED", fields={"a": "bad"})


async def crash(request):
    raise RuntimeError("boom")


@pytest.fixture
async def client():
    app = web.Application()  # served as the gateway serves its routes
    app.router.add_post("/orders/", place)
    app.router.add_get("/pages/", pages)
    app.router.add_get("/conflict/", served(conflicted))
    app.router.add_get("/crash/", served(crash))
    add_unmatched(app)
    async with TestClient(TestServer(app)) as client:
        yield client


async def _problem(resp, status: int) -> dict:
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    body = await resp.json(content_type=None)
    assert body["status"] == status and body["type"] == f"urn:tributary:problem:{body['code']}"
    assert body["title"] and isinstance(body["detail"], str) and isinstance(body["errors"], list)
    return body


async def test_body_is_parsed_into_the_model_and_the_answer_checked(client):
    ok = {"Authorization": "Bearer ok"}
    resp = await client.post("/orders/", json={"kind": "monthly", "count": 2}, headers=ok)
    assert resp.status == 201 and await resp.json() == {"id": 1, "kind": "monthly"}
    resp = await client.post("/orders/", data={"kind": "unmatched", "count": "7"}, headers=ok)
    assert resp.status == 202 and await resp.json() == {"id": 7, "kind": "unmatched"}
    body = await _problem(await client.post("/orders/", json={"kind": "m", "count": 9},
                                            headers=ok), 400)
    resp = await client.post("/orders/", json={"kind": "monthly", "count": 9}, headers=ok)
    body = await _problem(resp, 500)
    assert body["code"] == "response_contract"


async def test_every_field_at_fault_is_listed(client):
    resp = await client.post("/orders/", json={"kind": "weekly", "count": "three", "x": 1,
                                                "note": "too long"},
                             headers={"Authorization": "Bearer ok"})
    body = await _problem(resp, 400)
    assert body["code"] == "validation_error" and body["instance"] == "/orders/"
    fields = {e["field"]: e["problem"] for e in body["errors"]}
    assert set(fields) == {"kind", "count", "x", "note"}
    assert "monthly" in fields["kind"] and "unknown field" in fields["x"]
    assert "kind" in body["detail"]


async def test_credentials_before_body_json_errors_and_limits(client):
    body = await _problem(await client.post("/orders/", json={}), 401)
    assert body["code"] == "unauthorized"
    ok = {"Authorization": "Bearer ok", "Content-Type": "application/json"}
    body = await _problem(await client.post("/orders/", data=b"{oops", headers=ok), 400)
    assert body["code"] == "malformed_json" and body["errors"][0]["field"] == "body"
    body = await _problem(await client.post("/orders/", data=b"[1, 2]", headers=ok), 400)
    assert body["errors"][0]["field"] == "body"
    body = await _problem(await client.post("/orders/", data=b" " * 300, headers=ok), 413)


async def test_query_parameters_are_typed(client):
    resp = await client.get("/pages/?page=2&page_size=10&other=x")
    assert await resp.json() == {"page": 2, "page_size": 10}
    body = await _problem(await client.get("/pages/?page=0&page_size=big"), 400)
    assert {e["field"] for e in body["errors"]} == {"page", "page_size"}


async def test_other_errors_take_the_same_shape(client):
    body = await _problem(await client.get("/conflict/"), 409)
    assert body["current_status"] == "FAILED" and body["errors"] == [
        {"field": "a", "problem": "bad"}]
    body = await _problem(await client.get("/crash/"), 500)
    assert body["code"] == "internal_error" and "boom" not in body["detail"]
    body = await _problem(await client.get("/nowhere/"), 404)
    body = await _problem(await client.delete("/pages/"), 405)
    assert body["code"] == "method_not_allowed"


def test_legacy_error_keys_fold_into_errors():
    assert problem(400, "x", "d", problems=[{"field": "a", "problem": "p"}])["errors"] == [
        {"field": "a", "problem": "p"}]
    folded = problem(400, "invalid_gtin", "bad", field="id", reason="check digit")
    assert folded["errors"] == [{"field": "id", "problem": "check digit"}]
    assert "field" not in folded and "reason" not in folded
    nested = problem(400, "x", "d", errors=[{"field": "f", "reason": "r", "line": 3}])
    assert nested["errors"] == [{"field": "f", "problem": "r", "line": 3}]
