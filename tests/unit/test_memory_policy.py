"""The worker's memory policy (infra.memory.worker_policy), checked in a process of its own:
it changes process-wide settings (Arrow's default pool, huge pages)."""
from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import ctypes, pyarrow as pa
from infra.memory import release_memory, worker_policy
worker_policy()
table = pa.table({"x": pa.array(range(200_000))})
print(pa.default_memory_pool().backend_name, ctypes.CDLL(None).prctl(42, 0, 0, 0, 0),
      table.nbytes <= pa.total_allocated_bytes())
del table
release_memory()
print(pa.total_allocated_bytes())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and glibc are Linux's")
def test_worker_policy_puts_arrow_on_jemalloc_without_huge_pages():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True,
                         cwd=__file__.rsplit("/tests/", 1)[0]).stdout.split("\n")
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
        pool = "jemalloc"
    except NotImplementedError:   # a pyarrow built without it: the C allocator
        pool = "system"
    assert out[0] == f"{pool} 1 True"   # the pool, PR_GET_THP_DISABLE, allocations counted by it
    assert out[1] == "0"               # everything freed is released
