"""Worker heartbeats (MongoDB for /healthz and table routing; a file for the supervisor,
infra/liveness.py). Work left in flight is re-issued by each kind's re-issuer
(agents/tables.py)."""
from __future__ import annotations

import functools
import logging
import os

import faust
from pymongo.errors import PyMongoError

from agents.deps import Deps
from infra import liveness
from infra.storage.base import ObjectStoreError
from topics.envelope import now_iso

log = logging.getLogger("tributary.housekeeping")


def survive_outages(timer):
    """A timer that raises crashes the whole Faust worker: log a store outage and go on (the
    next tick tries again)."""
    @functools.wraps(timer)
    async def guarded(*args):
        try:
            await timer(*args)
        except (PyMongoError, ObjectStoreError, OSError) as exc:
            log.warning("%s skipped a tick: %s: %s", timer.__name__, type(exc).__name__, exc)
    return guarded


def register(app: faust.App, deps: Deps) -> None:
    url = f"http://{deps.settings.worker_host}:{deps.settings.worker_port}"

    beats = deps.settings.liveness

    @app.timer(min(1.0, beats.heartbeat_interval))  # table routing wants workers seen within 5 s
    @survive_outages
    async def heartbeat():
        assigned = app.consumer.assignment() if app.consumer else set()
        await deps.db.workers.update_one(
            {"_id": deps.settings.worker_id},
            {"$set": {"url": url, "ts": now_iso(), "pid": os.getpid(),
                      "ready": bool(assigned) and not app.rebalancing,
                      "recovering": bool(app.rebalancing or app.tables.recovery.in_recovery),
                      "progress": deps.progress,
                      # the broker log it consumes: /healthz counts it ready on the current one
                      "generation": deps.generation}}, upsert=True)

    recovering = liveness.Stuck()

    async def beat_file():
        """For the supervisor: written even while MongoDB is away (a file, no store)."""
        busy = bool(app.rebalancing or app.tables.recovery.in_recovery)
        liveness.beat(beats.heartbeat_file, deps.progress, "table recovery" if busy else None,
                      recovering.seen(busy),
                      worker=deps.settings.worker_id)

    # a write that fails is a missed beat, not a crashed worker
    app.timer(beats.heartbeat_interval, name="beat_file")(survive_outages(beat_file))

    @app.task
    @survive_outages
    async def first_beat():
        """A beat as soon as the worker runs: a timer's first tick comes an interval later, and
        a worker stopped before it would count as never having beaten, replaced only at the
        start bound (TRIBUTARY_RECOVERY_LIMIT) instead of once its beats stop."""
        await beat_file()
