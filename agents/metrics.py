"""Worker page `/metrics`: Prometheus metrics of this worker process.

Message, row and failure counters are incremented where the work happens (`agents.deps`,
`agents.sales_status`, the stage agents; see `infra/metrics.py`). Consumer lag is computed when
scraped: for each assigned topic-partition, the highwater (log end offset) minus the offset
after the last message this worker read from it.
"""
from __future__ import annotations

import logging

import faust

from agents.deps import Deps
from infra.metrics import CONSUMER_LAG, exposition

log = logging.getLogger("tributary.metrics")


def update_lag(app: faust.App) -> None:
    consumer = app.consumer
    if consumer is None:
        return
    try:
        assigned = consumer.assignment()
    except Exception:  # noqa: BLE001 - consumer not started yet
        return
    CONSUMER_LAG.clear()
    for tp in assigned:
        try:
            high = consumer.highwater(tp)
        except Exception:  # noqa: BLE001 - not fetched yet
            continue
        if high is None:
            continue
        read = consumer._read_offset.get(tp)  # offset of the last message read, or None
        committed = getattr(consumer, "_committed_offset", {}).get(tp)
        done = read + 1 if read is not None else (committed or 0)
        CONSUMER_LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(max(high - done, 0))


def register(app: faust.App, deps: Deps) -> None:
    if getattr(app, "_tributary_metrics", False):
        return  # registered already (from agents.web or AGENT_MODULES)
    app._tributary_metrics = True

    @app.page("/metrics")
    async def metrics(web, request):
        update_lag(app)
        body, content_type = exposition()
        return web.bytes(body, headers={"Content-Type": content_type})
