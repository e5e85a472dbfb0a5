"""The sales-file writers of the lifecycle kit (agents/lifecycle.py) bound to
models.files.KIND: `set_status` (CAS write, then SalesFileStatusChanged), `fail` and
`Progress` (SalesFileProgressed, throttled)."""
from __future__ import annotations

import functools

from agents import lifecycle
from models.files import KIND

EVENTS = KIND.events
set_status = functools.partial(lifecycle.set_status, KIND)
fail = functools.partial(lifecycle.fail, KIND)
Progress = functools.partial(lifecycle.Progress, kind=KIND)
