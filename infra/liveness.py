"""Heartbeat files: how the supervisor (`infra/stack/up.py`) tells a hung process from a busy one.

Each worker and gateway started by `tributary up` gets `TRIBUTARY_HEARTBEAT_FILE` and rewrites
it every `TRIBUTARY_HEARTBEAT_INTERVAL` seconds from its event loop, with its progress (messages
handled, events read) and what it is stuck in, if anything (table recovery, a stalled event
reader). A file, not MongoDB, so a store outage never looks like a hung process, and a process
that is stopped (SIGSTOP) or whose loop is blocked simply stops writing.

Outside `tributary up` (containers), set `TRIBUTARY_HEARTBEAT_FILE` yourself and probe with
`python -m infra.liveness FILE` (exit 1 and the reason when hung; docker-compose.yml does).

The bounds are `settings.liveness` (infra/config.py: TRIBUTARY_HEARTBEAT_INTERVAL, _MISSES,
TRIBUTARY_RECOVERY_LIMIT), passed in by the caller.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from infra.config import Liveness

ENV_FILE = "TRIBUTARY_HEARTBEAT_FILE"  # how the supervisor names a child's file


def beat(path: str, progress: int, stuck_in: str | None = None, stuck_for: float = 0.0,
         **extra) -> None:
    """Write this process's heartbeat (atomically; nothing when no file is configured)."""
    if not path:
        return
    doc = {"pid": os.getpid(), "ts": time.time(), "progress": progress,
           "stuck_in": stuck_in, "stuck_for": round(stuck_for, 1), **extra}
    tmp = f"{path}.{os.getpid()}.tmp"
    Path(tmp).write_text(json.dumps(doc))
    os.replace(tmp, path)


def read(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def verdict(doc: dict | None, pid: int, started: float, limits: Liveness,
            now: float | None = None) -> str | None:
    """Why a process with `pid`, started at `started` (time.time()), should be replaced, or None.
    Heartbeats of an earlier process (another pid) do not count."""
    now = time.time() if now is None else now
    if doc is None or doc.get("pid") != pid:
        if now - started > limits.recovery_limit:
            return f"no heartbeat {now - started:.0f}s after start"
        return None
    silent = now - float(doc["ts"])
    if silent > limits.deadline:
        return f"heartbeat stopped {silent:.1f}s ago (progress {doc.get('progress')})"
    if doc.get("stuck_in") and float(doc.get("stuck_for") or 0) > limits.recovery_limit:
        return f"stuck in {doc['stuck_in']} for {doc['stuck_for']:.0f}s"
    return None


def probe(path: Path, limits: Liveness) -> str | None:
    """A container's liveness probe: why the process writing `path` is hung, or None (also
    while no heartbeat exists yet: the probe's start period covers a start)."""
    doc = read(path)
    return None if doc is None else verdict(doc, doc.get("pid"), float(doc["ts"]), limits)


class Stuck:
    """How long a condition (e.g. 'recovering') has held, from successive observations."""

    def __init__(self) -> None:
        self.since: float | None = None

    def seen(self, holds: bool) -> float:
        if not holds:
            self.since = None
            return 0.0
        if self.since is None:
            self.since = time.monotonic()
        return time.monotonic() - self.since


if __name__ == "__main__":
    import sys

    limits = Liveness()  # this probe process's settings, read once at its start
    reason = probe(Path(sys.argv[1] if len(sys.argv) > 1 else limits.heartbeat_file), limits)
    if reason:
        print(reason)
    sys.exit(1 if reason else 0)
