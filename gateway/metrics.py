"""Request metrics (Prometheus) of the gateway.

Every request is counted, and its latency observed, by method, route (the route's pattern, so
`/api/files/salesfiles/{file_id}/` and not each id; `(unmatched)` for a 404/405 no route
matched) and status, error answers included (`record`, called by gateway/serving.py); `GET /metrics`
exposes them (set up in `gateway/routes/docs.py`).

Why tallies and a collector: a Prometheus child's `inc` and `observe` take a lock and several
calls each, a large share of a status GET's cost (issue 21). A request adds to the plain counts
of its label set instead (the gateway's requests all run on its one event-loop thread), and
`RequestMetrics`, a custom collector (prometheus_client's public API for exposing one's own
counts) on the process registry, turns them into `tributary_http_requests` (counter) and
`tributary_http_request_seconds` (histogram) families whenever the registry is collected: the
same names, labels, buckets and samples a Counter and a Histogram would expose.

`_created`: a label set's series are created with its first request, which is the time exposed.
The counter family carries it (`CounterMetricFamily(created=...)`); `HistogramMetricFamily` has
no such argument, so the histogram's is exposed as the `tributary_http_request_seconds_created`
gauge the text format (`generate_latest`, infra/metrics.py's `exposition`) writes for a
Histogram's `_created` anyway. `PROMETHEUS_DISABLE_CREATED_SERIES` turns both off, as for
prometheus_client's own metrics.

A label set's series live as long as the process, as a Counter's children would.
"""
from __future__ import annotations

import time
from bisect import bisect_left
from typing import Any, Iterable

from aiohttp import web
from prometheus_client import REGISTRY, CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from infra.metrics import exposition

UNMATCHED = "(unmatched)"  # the route label of an answer no route matched
UNMATCHED_ROUTE = "unmatched"  # the name of the gateway's catch-all route (gateway/serving.py)
LABELS = ("method", "route", "status")
REQUESTS = ("tributary_http_requests", "HTTP requests answered by the gateway")
LATENCY = ("tributary_http_request_seconds", "HTTP request latency")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, float("inf"))
_LE = tuple("+Inf" if b == float("inf") else repr(float(b)) for b in BUCKETS)  # as a Histogram's


def _use_created() -> bool:
    """Whether prometheus_client writes `_created` series for its own metrics (its
    PROMETHEUS_DISABLE_CREATED_SERIES, `disable_created_metrics()`): asked of a counter on a
    registry of its own, so this module reads no environment (only the settings do)."""
    probe = Counter("tributary_probe", "probe", registry=CollectorRegistry())
    return any(sample.name.endswith("_created") for family in probe.collect()
               for sample in family.samples)


class _Tally:
    """One label set's requests: how many, their summed seconds, how many in each bucket (not
    cumulative; the last is +Inf) and when the first was counted. Added to by `record`."""

    __slots__ = ("labels", "count", "total", "buckets", "created")

    def __init__(self, method: str, route: str, status: int) -> None:
        self.labels = (method, route, str(status))
        self.count, self.total, self.buckets = 0, 0.0, [0] * len(BUCKETS)
        self.created = time.time()


class RequestMetrics(Collector):
    """The gateway's request counter and latency histogram, from its tallies."""

    def __init__(self) -> None:
        # (method, resource or None when unmatched, status) → its tally (`record`)
        self.tallies: dict[tuple[str, Any, int], _Tally] = {}
        self.created = _use_created()

    def describe(self) -> Iterable[Any]:
        return self._families([])

    def collect(self) -> Iterable[Any]:
        # one series per label set, even if two resources share a pattern
        merged: dict[tuple[str, str, str], _Tally] = {}
        for tally in list(self.tallies.values()):
            into = merged.get(tally.labels)
            if into is None:
                into = merged[tally.labels] = _Tally(*tally.labels)
                into.created = tally.created
            into.count += tally.count
            into.total += tally.total
            into.buckets = [a + b for a, b in zip(into.buckets, tally.buckets)]
            into.created = min(into.created, tally.created)
        return self._families(list(merged.values()))

    def _families(self, tallies: list[_Tally]) -> list[Any]:
        requests = CounterMetricFamily(*REQUESTS, labels=LABELS)
        latency = HistogramMetricFamily(*LATENCY, labels=LABELS)
        created = GaugeMetricFamily(LATENCY[0] + "_created", LATENCY[1], labels=LABELS)
        for tally in tallies:
            when = tally.created if self.created else None
            requests.add_metric(tally.labels, float(tally.count), created=when)
            acc, buckets = 0.0, []
            for le, n in zip(_LE, tally.buckets):
                acc += n
                buckets.append((le, acc))
            latency.add_metric(tally.labels, buckets, tally.total)
            if when is not None:
                created.add_metric(tally.labels, when)
        return [requests, latency, created] if self.created else [requests, latency]


METRICS = RequestMetrics()
REGISTRY.register(METRICS)
_tallies = METRICS.tallies


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
        matched = resource is not None and resource.name != UNMATCHED_ROUTE
        tally = _tallies[key] = _Tally(request.method, resource.canonical if matched
                                       else UNMATCHED, status)
    tally.count += 1
    tally.total += seconds
    tally.buckets[bisect_left(BUCKETS, seconds)] += 1  # the first bound >= seconds


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus metrics of the gateway: requests and latency by route and status."""
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})
