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


KERNELS = """
import pyarrow as pa
from infra.memory import worker_policy
worker_policy()
table = pa.table({"k": pa.array([i % 50_000 for i in range(400_000)]), "v": pa.array(range(400_000))})
table.group_by("k", use_threads=False).aggregate([("v", "sum")])   # Acero: the C++ default pool
print(pa.mimalloc_memory_pool().max_memory())
"""


@pytest.mark.parametrize("pool, mimalloc_used", [(None, True), ("jemalloc", False)])
def test_the_workers_environment_puts_arrows_own_buffers_on_jemalloc_too(pool, mimalloc_used):
    """set_memory_pool reaches only what Python asks for: Acero takes Arrow's C++ default pool,
    which the worker's environment (infra.memory.worker_environment) puts on jemalloc."""
    import os

    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
        pa.mimalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("a pyarrow built without jemalloc or mimalloc")
    from infra.memory import ARROW_POOL_VARIABLE, worker_environment

    env = {k: v for k, v in os.environ.items() if k != ARROW_POOL_VARIABLE}
    if pool:
        env.update(worker_environment())
        assert env[ARROW_POOL_VARIABLE] == pool
    out = subprocess.run([sys.executable, "-c", KERNELS], capture_output=True, text=True, check=True,
                         cwd=__file__.rsplit("/tests/", 1)[0], env=env).stdout.split()
    assert (int(out[0]) > 0) is mimalloc_used


CLEAN = """
import os, resource, sys, tempfile
from infra.memory import release_memory, worker_policy
worker_policy()
from agents.cleaning import _clean_to_parquet
from models.sales.clean import CleanOptions
for _ in range(2):                        # the second cleaning, as a worker's next file
    release_memory()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    with tempfile.TemporaryDirectory() as tmp:
        _clean_to_parquet(sys.argv[1], os.path.join(tmp, "c.parquet"), "c.tsv", CleanOptions(),
                          lambda rows, percent: None)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, peak)   # KiB, this process's own
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/status is Linux's")
def test_one_jemalloc_arena_lowers_a_cleanings_peak(tmp_path):
    """jemalloc's options in the worker's environment (infra.memory.JEMALLOC_CONF), a 200 k-row
    multi-currency file cleaned in a worker's process: at Arrow's own decay, one arena peaks
    lower than an arena per few threads (measured 319-336 against 369-391 MB), each of which
    kept its own freed pages. (The short decay the worker had before peaked at 335-358 MB here,
    and faulted in a third more pages than one arena at 1 M rows: docs/performance.md,
    twenty-fourth pass; at this size the two are too close to compare on a loaded machine.)"""
    import os

    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("a pyarrow built without jemalloc")
    from bench.generate import universe
    from bench.shapes import tabular_file
    from infra.memory import JEMALLOC_VARIABLE, worker_environment

    path = tabular_file(tmp_path / "currencies.tsv", "currencies", 200_000, universe())
    found = {}
    for name, conf in (("worker", None), ("arenas", "")):
        env = {**os.environ, **worker_environment()}
        if conf is not None:
            env[JEMALLOC_VARIABLE] = conf
        out = subprocess.run([sys.executable, "-c", CLEAN, str(path)], capture_output=True, text=True,
                             check=True, cwd=__file__.rsplit("/tests/", 1)[0], env=env).stdout.split()
        found[name] = tuple(map(int, out[-2:]))    # (minor faults, VmHWM in KiB: not ru_maxrss,
        # which keeps the high-water mark of the process that forked it, a pytest worker's)
    assert found["worker"][1] < found["arenas"][1], found


def test_a_worker_started_by_hand_starts_again_with_the_workers_environment(monkeypatch, tmp_path):
    """`tributary worker` run without the worker's environment (not by `tributary up` nor the
    compose service) starts itself again with it, before libarrow loads: the variables it
    lacks are added, one the operator set is kept (infra.memory.ensure_worker_environment)."""
    from infra import memory
    from tributary import cli

    class Started(Exception):
        pass

    calls = []

    def execve(path, argv, env):
        calls.append((path, argv, env))
        raise Started

    monkeypatch.setattr(memory.os, "execve", execve)
    monkeypatch.delenv(memory.ARROW_POOL_VARIABLE, raising=False)
    monkeypatch.setenv(memory.JEMALLOC_VARIABLE, "narenas:2")
    with pytest.raises(Started):
        cli.main(["worker", "--data-dir", str(tmp_path)])
    path, argv, env = calls[0]
    assert (path, argv) == (sys.executable, [sys.executable, "-m", "tributary", "worker", "--data-dir", str(tmp_path)])
    assert (env[memory.ARROW_POOL_VARIABLE], env[memory.JEMALLOC_VARIABLE]) == ("jemalloc", "narenas:2")
    monkeypatch.setenv(memory.ARROW_POOL_VARIABLE, "jemalloc")    # as the started process has it
    memory.ensure_worker_environment(argv[1:])
    assert len(calls) == 1
