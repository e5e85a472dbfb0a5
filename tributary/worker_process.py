"""`tributary worker`: one Faust worker process."""
from __future__ import annotations

import asyncio
import logging

from infra import generation
from infra.config import Settings
from tributary.boot import boot


def run_worker(settings: Settings, loglevel: str = "WARNING") -> None:
    import faust

    from agents.app import build_app
    from infra.memory import worker_policy

    worker_policy()   # huge pages, allocators: seconds of system time and the RSS a file leaves
    stamp = asyncio.run(generation.ensure(settings))
    asyncio.set_event_loop(asyncio.new_event_loop())
    app, _deps = build_app(settings, stamp)
    boot(settings, f"worker:{settings.worker_id}", level=logging.getLevelName(loglevel))
    worker = faust.Worker(app, loglevel=loglevel, override_logging=False, quiet=True)
    worker.execute_from_commandline()
