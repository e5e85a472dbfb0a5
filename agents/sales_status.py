"""The sales-file writers of the lifecycle kit (agents/lifecycle.py) bound to
models.files.KIND: `set_status` (CAS write, then SalesFileStatusChanged), `fail` and
`Progress` (SalesFileProgressed, throttled), and `file_work`, how cleaning and import take a file."""
from __future__ import annotations

import functools
import logging
from typing import Awaitable, Callable

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


def file_work(statuses: tuple[str, ...], step: str):
    """A cleaning or import handler `handler(deps, msg, record)`: run under the file's lease and
    only for a command of the file's current attempt while the file is in `statuses`."""
    def wrap(handler: Callable[..., Awaitable[None]]) -> Callable[[Deps, Message], Awaitable[None]]:
        @lifecycle.leased(KIND, lambda msg: msg.payload["file_id"])
        @functools.wraps(handler)
        async def run(deps: Deps, msg: Message) -> None:
            record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
            if not record or record.get("attempt") != int(msg.payload["attempt"]) or \
                    record["status"] not in statuses:
                log.info("%s skipped for %s (stale or done)", step, msg.payload)
                return
            await handler(deps, msg, record)
        return run
    return wrap
