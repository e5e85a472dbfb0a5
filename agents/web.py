"""Worker web pages: metrics and readiness (the entity pages come with their kinds,
agents/tables.py)."""
from __future__ import annotations

import faust

from agents import metrics
from agents.deps import Deps


def register(app: faust.App, deps: Deps) -> None:
    metrics.register(app, deps)  # GET /metrics (Prometheus)

    @app.page("/ready/")
    async def ready(web, request):
        assigned = app.consumer.assignment() if app.consumer else set()
        ok = bool(assigned) and not app.rebalancing
        return web.json({"ready": ok, "worker": deps.settings.worker_id,
                         "partitions": len(assigned)}, status=200 if ok else 503)
