"""Worker web pages: table queries (routed to the partition owner) and readiness."""
from __future__ import annotations

import faust

from agents.deps import Deps
from infra.repos import files as file_repo


def register(app: faust.App, deps: Deps) -> None:
    __import__("agents.metrics").metrics.register(app, deps)  # GET /metrics (Prometheus)
    table = deps.tables["file_status"]

    @app.page("/files/{file_id}/")
    @app.table_route(table=table, match_info="file_id")
    async def file_view(web, request, file_id: str):
        view = table.get(file_id)
        source = "table"
        if view is None and file_id.isdigit():
            # the table is a view; after a broker loss it refills from events, the store is truth
            view = await file_repo.get(deps.db, int(file_id))
            source = "store"
        if view is None:
            return web.json({"error": "not_found", "message": f"no file {file_id}"}, status=404)
        return web.json(view, headers={"X-Tributary-Source": source})

    @app.page("/ready/")
    async def ready(web, request):
        assigned = app.consumer.assignment() if app.consumer else set()
        ok = bool(assigned) and not app.rebalancing
        return web.json({"ready": ok, "worker": deps.settings.worker_id,
                         "partitions": len(assigned)}, status=200 if ok else 503)
