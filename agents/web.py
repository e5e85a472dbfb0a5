"""Worker web pages: table queries (routed to the partition owner) and readiness."""
from __future__ import annotations

import faust

from agents import metrics
from agents.deps import Deps
from agents.tables import by_number, table_page
from infra.repos import files as file_repo


def readiness(app: faust.App, deps: Deps) -> dict:
    """Ready once the worker holds partitions and is not rebalancing."""
    assigned = app.consumer.assignment() if app.consumer else set()
    return {"ready": bool(assigned) and not app.rebalancing, "worker": deps.settings.worker_id,
            "partitions": len(assigned)}


def register(app: faust.App, deps: Deps) -> None:
    metrics.register(app, deps)  # GET /metrics (Prometheus)
    table = deps.tables["file_status"]

    table_page(app, table, "/files/{file_id}/", "file_id", "file",
               by_number(lambda file_id: file_repo.get(deps.db, file_id)))

    @app.page("/ready/")
    async def ready(web, request):
        body = readiness(app, deps)
        return web.json(body, status=200 if body["ready"] else 503)
