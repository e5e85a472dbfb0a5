"""The embedded stack's workers start with the worker's environment (infra.memory): Arrow's
C++ default pool is read from it when libarrow loads, so it must be there from the start."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_every_worker_runs_with_arrow_on_jemalloc(stack):
    workers = {name: pid for name, pid in stack.state["children"].items() if name.startswith("worker")}
    assert workers
    for name, pid in workers.items():
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"ARROW_DEFAULT_MEMORY_POOL=jemalloc" in environ, name
