"""Worker web pages: metrics and readiness (the entity pages come with their kinds,
agents/tables.py)."""
from __future__ import annotations

import faust

from agents import metrics
from agents.deps import Deps


def readiness(app: faust.App, deps: Deps) -> dict:
    """Ready once the worker holds partitions and is not rebalancing."""
    assigned = app.consumer.assignment() if app.consumer else set()
    return {"ready": bool(assigned) and not app.rebalancing, "worker": deps.settings.worker_id,
            "partitions": len(assigned)}


def register(app: faust.App, deps: Deps) -> None:
    metrics.register(app, deps)  # GET /metrics (Prometheus)

    @app.page("/ready/")
    async def ready(web, request):
        body = readiness(app, deps)
        return web.json(body, status=200 if body["ready"] else 503)
