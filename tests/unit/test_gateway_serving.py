"""How the gateway serves a request (gateway/serving.py): a handler's error leaves in the problem
shape and is counted with that status; unmatched routes too; lines logged during a request carry
its method and path; every route of the gateway's app is served so. And the metrics' collector
exposes what a Prometheus Counter and Histogram would."""
from __future__ import annotations

import functools
import io
import json
import logging
import time
import types

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

from gateway import metrics
from gateway.errors import ApiError
from gateway.serving import add_unmatched, served, unwrapped
from infra import logs

log = logging.getLogger("tributary.gateway.test")


async def conflicted(request):
    raise ApiError(409, "conflict", "not now")


async def crash(request):
    logs.bind(organisation="org-7")  # as gateway/auth.py does
    raise RuntimeError("boom")


async def chatty(request):
    logs.bind(organisation="org-7")
    log.warning("inside")
    return web.json_response(logs.current())


async def moved(request):
    raise web.HTTPFound("/elsewhere/")


@pytest.fixture
async def client():
    app = web.Application()
    app.router.add_get("/mw/conflict/{id}/", served(conflicted))
    app.router.add_get("/mw/crash/", served(crash))
    app.router.add_get("/mw/chatty/", served(served(chatty)))  # served once, if wrapped twice
    app.router.add_get("/mw/moved/", served(moved))
    app.router.add_post("/mw/{deep}/posted/", served(moved))
    add_unmatched(app)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
def lines():
    """Lines the JSON formatter writes while the test runs."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("tributary")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def counted(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("tributary_http_requests_total", labels) or 0.0


def observed(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("tributary_http_request_seconds_count", labels) or 0.0


async def _problem(resp, status: int) -> dict:
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    body = await resp.json(content_type=None)
    assert body["status"] == status and body["code"] and isinstance(body["errors"], list)
    return body


async def test_a_handler_error_is_shaped_and_counted_with_its_status(client):
    route = "/mw/conflict/{id}/"
    before = counted("GET", route, 409), observed("GET", route, 409)
    body = await _problem(await client.get("/mw/conflict/5/"), 409)
    assert body["code"] == "conflict" and body["instance"] == "/mw/conflict/5/"
    assert counted("GET", route, 409) == before[0] + 1
    assert observed("GET", route, 409) == before[1] + 1


async def test_an_unexpected_exception_is_a_logged_500_problem(client, lines):
    before = counted("GET", "/mw/crash/", 500)
    body = await _problem(await client.get("/mw/crash/"), 500)
    assert body["code"] == "internal_error"
    assert counted("GET", "/mw/crash/", 500) == before + 1
    [line] = [x for x in lines() if x["message"].startswith("unhandled error")]
    assert (line["method"], line["path"], line["organisation"]) == ("GET", "/mw/crash/", "org-7")
    assert "RuntimeError: boom" in line["exception"]


async def test_unmatched_routes_are_shaped_and_counted(client):
    before = counted("GET", "(unmatched)", 404), counted("POST", "(unmatched)", 405)
    before_put = counted("PUT", "(unmatched)", 405)
    body = await _problem(await client.get("/mw/nowhere/"), 404)
    assert body["code"] == "not_found" and body["instance"] == "/mw/nowhere/"
    await _problem(await client.get("/"), 404)
    await _problem(await client.get("/mw/%0A/x"), 404)  # a decoded newline is a character too
    resp = await client.post("/mw/crash/")
    await _problem(resp, 405)
    assert resp.headers["Allow"] == "GET,HEAD"
    resp = await client.put("/mw/x/posted/")  # a dynamic path: its methods are named too
    await _problem(resp, 405)
    assert resp.headers["Allow"] == "POST"
    assert counted("GET", "(unmatched)", 404) == before[0] + 3
    assert counted("POST", "(unmatched)", 405) == before[1] + 1
    assert counted("PUT", "(unmatched)", 405) == before_put + 1
    assert counted("GET", "/{unmatched_path}", 404) == 0  # never labelled by the catch-all


def test_every_route_of_the_gateway_is_served(tmp_path):
    from gateway.app import create_app
    from infra.config import Settings

    settings = Settings(storage_url=tmp_path.as_uri(), public_url="http://127.0.0.1:1",
                        secret="s" * 32)
    routes = list(create_app(settings).router.routes())
    assert len(routes) > 50
    assert [f"{r.method} {r.resource.canonical}" for r in routes
            if not getattr(unwrapped(r.handler), "served", False)] == []
    last = routes[-1]  # the catch-all is tried last, whatever its place in the index
    assert (last.method, last.resource.name) == ("*", "unmatched")


async def test_a_redirect_leaves_as_it_is_and_is_counted(client):
    before = counted("GET", "/mw/moved/", 302)
    resp = await client.get("/mw/moved/", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/elsewhere/"
    assert counted("GET", "/mw/moved/", 302) == before + 1


async def test_lines_logged_in_a_request_carry_its_method_and_path(client, lines):
    before = logs.current()
    resp = await client.get("/mw/chatty/?x=1")
    assert await resp.json() == {**before, "method": "GET", "path": "/mw/chatty/",
                                 "organisation": "org-7"}
    [line] = [x for x in lines() if x["message"] == "inside"]
    assert (line["method"], line["path"], line["organisation"]) == ("GET", "/mw/chatty/", "org-7")
    assert logs.current() == before  # the request's fields are gone


@functools.cache
def _resource(canonical: str) -> web.AbstractResource:
    return web.UrlDispatcher().add_resource(canonical)


def _request(method: str, canonical: str | None):
    """What `metrics.record` reads of a request: a matched resource, or none (unmatched)."""
    route = types.SimpleNamespace(resource=_resource(canonical) if canonical else None)
    info = types.SimpleNamespace(route=route if canonical else None, http_exception=None)
    return types.SimpleNamespace(method=method, match_info=info)


def _exposed(registry, method: str) -> list[str]:
    """The registry's text exposition lines of one method's series, `_created` values cut off
    (a time), plus the HELP/TYPE lines of the gateway's request metrics."""
    out = []
    for line in generate_latest(registry).decode().splitlines():
        if line.startswith("#") and "tributary_http_request" in line:
            out.append(line)
        elif f'method="{method}"' in line:
            name, _, value = line.rpartition(" ")
            out.append(name if name.split("{")[0].endswith("_created") else line)
    return out


def test_the_collector_exposes_what_a_counter_and_histogram_would():
    values = [0.0, 0.004, 0.005, 0.0051, 0.3, 2.5, 31.0, 0.07, 0.005, 30.0, 1e-9]
    answers = [("/tally/{id}/", 200), ("/tally/{id}/", 404), (None, 404)]
    registry = CollectorRegistry()
    requests = Counter("tributary_http_requests", "HTTP requests answered by the gateway",
                       ["method", "route", "status"], registry=registry)
    latency = Histogram("tributary_http_request_seconds", "HTTP request latency",
                        ["method", "route", "status"], registry=registry,
                        buckets=metrics.BUCKETS)
    for i, seconds in enumerate(values):
        canonical, status = answers[i % len(answers)]
        metrics.record(_request("TALLY", canonical), status, seconds)
        labels = {"method": "TALLY", "route": canonical or "(unmatched)", "status": str(status)}
        requests.labels(**labels).inc()
        latency.labels(**labels).observe(seconds)

    exposed = _exposed(REGISTRY, "TALLY")
    assert exposed == _exposed(registry, "TALLY")
    assert sum(1 for line in exposed if line.startswith("tributary_http_request_seconds_bucket")) \
        == 3 * len(metrics.BUCKETS)
    assert sum(1 for line in exposed if "_created{" in line) == 2 * 3


def test_a_label_set_is_created_with_its_first_request():
    before = time.time()
    metrics.record(_request("CREATED", "/created/"), 200, 0.01)
    labels = {"method": "CREATED", "route": "/created/", "status": "200"}
    created = REGISTRY.get_sample_value("tributary_http_requests_created", labels)
    assert before <= created <= time.time()
    assert REGISTRY.get_sample_value("tributary_http_request_seconds_created", labels) == created
    metrics.record(_request("CREATED", "/created/"), 200, 0.01)
    assert REGISTRY.get_sample_value("tributary_http_requests_created", labels) == created
    assert REGISTRY.get_sample_value("tributary_http_requests_total", labels) == 2
