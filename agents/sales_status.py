"""The sales-file writers of the lifecycle kit (agents/lifecycle.py) bound to
models.files.KIND: `set_status` (CAS write, then SalesFileStatusChanged), `fail` and
`Progress` (SalesFileProgressed, throttled), and `for_work`, the file a work command may act on."""
from __future__ import annotations

import functools
import logging
from typing import Any

from agents import lifecycle
from agents.deps import Deps
from infra.repos import files as file_repo
from models.files import KIND
from topics.envelope import Message

log = logging.getLogger("tributary.files")

EVENTS = KIND.events
set_status = functools.partial(lifecycle.set_status, KIND)
fail = functools.partial(lifecycle.fail, KIND)
Progress = functools.partial(lifecycle.Progress, kind=KIND)


async def for_work(deps: Deps, msg: Message, statuses: tuple[str, ...],
                   step: str) -> dict[str, Any] | None:
    """The file a cleaning or import command names, when the command is for the file's current
    attempt and the file is in one of `statuses`; else None (a stale or repeated command)."""
    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    if not record or record.get("attempt") != int(msg.payload["attempt"]) or \
            record["status"] not in statuses:
        log.info("%s skipped for %s (stale or done)", step, msg.payload)
        return None
    return record
