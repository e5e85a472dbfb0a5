"""Request metrics (Prometheus) and per-request log context for the gateway.

`metrics_middleware` counts requests and observes latency by method, route (the route's
pattern, so `/api/files/salesfiles/{file_id}/` and not each id) and status, including error
answers; `GET /metrics` exposes them (set up in `gateway/routes/docs.py`).
"""
from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from infra import logs
from infra.metrics import HTTP_LATENCY, HTTP_REQUESTS, exposition


def route_name(request: web.Request) -> str:
    info = request.match_info
    resource = info.route.resource if info is not None and info.route is not None else None
    if resource is None or getattr(info, "http_exception", None) is not None:
        return "(unmatched)"
    return resource.canonical


# (method, route, status) → (request counter, latency histogram) of that label set: looking
# the children up by label values on every request is most of the cost of the metrics
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
MAX_CHILDREN = 10_000  # method × route × status stays small; a bound guards the cache anyway


def _series(method: str, route: str, status: int) -> tuple[Any, Any]:
    key = (method, route, status)
    found = _children.get(key)
    if found is None:
        labels = {"method": method, "route": route, "status": str(status)}
        found = (HTTP_REQUESTS.labels(**labels), HTTP_LATENCY.labels(**labels))
        if len(_children) >= MAX_CHILDREN:
            _children.clear()
        _children[key] = found
    return found


@web.middleware
async def metrics_middleware(request: web.Request, handler):
    started = time.perf_counter()
    status = 500
    token = logs.bind(method=request.method, path=request.path)
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        logs.reset(token)
        requests, latency = _series(request.method, route_name(request), status)
        requests.inc()
        latency.observe(time.perf_counter() - started)


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus metrics of the gateway: requests and latency by route and status."""
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})
