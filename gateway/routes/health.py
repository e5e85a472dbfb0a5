"""GET /healthz: broker, document store, object storage and worker readiness."""
from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.contract import endpoint
from gateway.schemas.health import Health
from infra.mongo import ping


@endpoint(responses={200: Health, 503: Health}, security=[])
async def healthz(request: web.Request):
    """Readiness: 200 when the broker, stores and a worker answer, else 503 naming what not."""
    app = request.app
    checks: dict[str, dict] = {}
    bus = app["bus"]
    try:
        await asyncio.wait_for(bus.producer.partitions_for("sales.files.events"), 3)
        checks["broker"] = {"ok": bus.connected}
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = {"ok": False, "error": str(exc) or type(exc).__name__}
    checks["store"] = {"ok": await ping(app["db"])}
    try:
        checks["objects"] = {"ok": await asyncio.wait_for(app["objects"].ping(), 3)}
    except Exception as exc:  # noqa: BLE001
        checks["objects"] = {"ok": False, "error": str(exc)}
    try:
        workers = await app["tables"].live_workers()
    except Exception:  # noqa: BLE001
        workers = []
    ready = [w["_id"] for w in workers if w.get("ready")]
    checks["workers"] = {"ok": bool(ready), "ready": ready, "seen": [w["_id"] for w in workers]}
    ok = all(c["ok"] for c in checks.values())
    return (200 if ok else 503), {"status": "ok" if ok else "unavailable", "checks": checks}


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
