"""Request metrics (Prometheus) of the gateway.

Every request is counted, and its latency observed, by method, route (the route's pattern, so
`/api/files/salesfiles/{file_id}/` and not each id; `(unmatched)` for aiohttp's 404/405) and
status, error answers included (`record`, called by gateway/middleware.py); `GET /metrics`
exposes them (set up in `gateway/routes/docs.py`).

Why tallies: a Prometheus child's `inc` and `observe` take a lock and several calls each, a
large share of a status GET's cost (issue 21). A request adds to the plain counters of its label
set instead (the gateway's requests all run on its one event-loop thread), and `flush` moves
them into the Prometheus children before every exposition: what `/metrics` shows is the same.
The children are created with a label set's first request, so their `_created` times are too.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Any

from aiohttp import web

from infra.metrics import HTTP_LATENCY, HTTP_REQUESTS, exposition

UNMATCHED = "(unmatched)"
MAX_SERIES = 10_000  # method × route × status stays small; a bound guards the tallies anyway


def route_name(request: web.Request) -> str:
    info = request.match_info
    resource = info.route.resource if info is not None and info.route is not None else None
    if resource is None or getattr(info, "http_exception", None) is not None:
        return UNMATCHED
    return resource.canonical


class _Tally:
    """What one label set's requests added since the last flush, and its Prometheus children."""

    __slots__ = ("count", "total", "buckets", "requests", "latency", "bounds")

    def __init__(self, method: str, route: str, status: int) -> None:
        labels = {"method": method, "route": route, "status": str(status)}
        self.requests, self.latency = HTTP_REQUESTS.labels(**labels), HTTP_LATENCY.labels(**labels)
        self.bounds = tuple(self.latency._upper_bounds)  # ends with +Inf
        self.count, self.total, self.buckets = 0, 0.0, [0] * len(self.bounds)

    def flush(self) -> None:
        if not self.count:
            return
        count, total, buckets = self.count, self.total, self.buckets
        self.count, self.total, self.buckets = 0, 0.0, [0] * len(self.bounds)
        self.requests.inc(count)
        # what `count` calls of Histogram.observe would have added (prometheus_client's own
        # fields; tests/unit/test_gateway_middleware.py compares the two expositions)
        self.latency._sum.inc(total)
        for i, n in enumerate(buckets):
            if n:
                self.latency._buckets[i].inc(n)


# (method, resource or None when unmatched, status) → its tally
_tallies: dict[tuple[str, Any, int], _Tally] = {}


def record(request: web.Request, status: int, seconds: float) -> None:
    """Count one answered request and its latency."""
    info = request.match_info
    route = info.route if info is not None else None
    resource = route.resource if route is not None else None
    if resource is not None and info.http_exception is not None:
        resource = None
    key = (request.method, resource, status)
    tally = _tallies.get(key)
    if tally is None:
        if len(_tallies) >= MAX_SERIES:
            flush()
            _tallies.clear()
        tally = _tallies[key] = _Tally(request.method, resource.canonical if resource is not None
                                       else UNMATCHED, status)
    tally.count += 1
    tally.total += seconds
    tally.buckets[bisect_left(tally.bounds, seconds)] += 1  # the first bound >= seconds


def flush() -> None:
    """Move every tally into its Prometheus children (before an exposition)."""
    for tally in list(_tallies.values()):
        tally.flush()


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus metrics of the gateway: requests and latency by route and status."""
    flush()
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})
