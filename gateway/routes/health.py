"""GET /healthz: broker (generation, consumer lag), document store, object storage and the
liveness of each process.

`status` is `ok` when every part answers and keeps up, `degraded` (still 200: requests are
served) when a part lags — the event follower is behind by more than `LAG_LIMIT` events or
silent, a worker seen in the last minute has stopped heartbeating or is not ready (recovering,
rebalancing) — and `unavailable` (503) when a part does not answer or no worker is ready.

A worker counts as ready only on the broker generation the gateway reads: after the broker lost
its log, a worker of the old log still heartbeats `ready` for a moment before it leaves, and
the new log is served only once its replacement has joined and been assigned."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

from aiohttp import web

from gateway.contract import endpoint
from gateway.keys import BUS, DB, OBJECTS, SETTINGS
from gateway.schemas.health import Health
from infra.mongo import ping

LAG_LIMIT = 1000      # events the gateway's follower may be behind
SEEN_WITHIN = 60.0    # workers heartbeating within this window are listed


def _beat_limit(app: web.Application) -> float:
    """Seconds without a heartbeat before a process counts as not alive: the supervisor's bound."""
    return max(app[SETTINGS].liveness.deadline, 3.0)


def _age(ts: str | None) -> float | None:
    if not ts:
        return None
    then = datetime.fromisoformat(ts)
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    return round((datetime.now(timezone.utc) - then).total_seconds(), 1)


async def _broker(app: web.Application) -> dict:
    bus = app[BUS]
    follower_age = round(time.monotonic() - bus.beat, 1)
    check = {"generation": bus.generation, "generation_since": bus.generation_since,
             "generation_changes": bus.generation_changes, "consumer_lag": bus.lag,
             "follower": {"alive": bus.connected and follower_age < _beat_limit(app),
                          "last_turn_s": follower_age}}
    try:
        await asyncio.wait_for(bus.producer.partitions_for("sales.files.events"), 3)
        check["ok"] = bus.connected
    except Exception as exc:  # noqa: BLE001
        check.update(ok=False, error=str(exc) or type(exc).__name__)
    check["keeping_up"] = check["follower"]["alive"] and bus.lag <= LAG_LIMIT
    return check


async def _workers(db, beat_limit: float, generation: str | None) -> dict:
    since = (datetime.now(timezone.utc) - timedelta(seconds=SEEN_WITHIN)).isoformat(
        timespec="milliseconds")
    processes = {}
    try:
        async for w in db.workers.find({"ts": {"$gte": since}}):
            age = _age(w.get("ts"))
            current = generation is None or w.get("generation") in (None, generation)
            processes[w["_id"]] = {"alive": age is not None and age < beat_limit,
                                   "heartbeat_age_s": age,
                                   "ready": bool(w.get("ready")) and current,
                                   "generation": w.get("generation"),
                                   "pid": w.get("pid"), "progress": w.get("progress"),
                                   "recovering": w.get("recovering")}
    except Exception:  # noqa: BLE001 - the store check reports it
        pass
    ready = sorted(name for name, p in processes.items() if p["alive"] and p["ready"])
    return {"ok": bool(ready), "ready": ready, "seen": sorted(processes),
            "processes": processes,
            "keeping_up": all(p["alive"] and p["ready"] for p in processes.values())}


@endpoint(responses={200: Health, 503: Health}, security=[])
async def healthz(request: web.Request):
    """Readiness: 200 when the broker, stores and a worker answer, else 503 naming what not."""
    app = request.app
    checks: dict[str, dict] = {"broker": await _broker(app)}
    checks["store"] = {"ok": await ping(app[DB])}
    try:
        checks["objects"] = {"ok": await asyncio.wait_for(app[OBJECTS].ping(), 3)}
    except Exception as exc:  # noqa: BLE001
        checks["objects"] = {"ok": False, "error": str(exc)}
    checks["workers"] = await _workers(app[DB], _beat_limit(app), app[BUS].generation)
    if not all(c["ok"] for c in checks.values()):
        status = "unavailable"
    elif all(c.get("keeping_up", True) for c in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return (503 if status == "unavailable" else 200), {"status": status, "checks": checks}


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
