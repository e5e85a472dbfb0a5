"""Process memory policy of a worker (`worker_policy`): no transparent huge pages, Arrow on
jemalloc with one arena (glibc limited to two arenas for the rest), and freed heap handed back
after each large piece of work.

The host's THP mode is `madvise` and Arrow's allocator (mimalloc) asks for huge pages for the
arenas it commits; each fresh arena then faults in 2 MiB pages the kernel first zeroes and often
compacts memory for. A high-cardinality group-by (the `currencies` shape's byTrack, 463 k keys)
grows its key buffers into fresh arenas again and again: 4.3 s of system time in a 1 M-row
cleaning, 1.0 s with huge pages off (user time unchanged). `MIMALLOC_ARENA_EAGER_COMMIT=0` does
the same but is read only when pyarrow is first loaded; the prctl works at any moment."""
from __future__ import annotations

import ctypes
import os
import sys

PR_SET_THP_DISABLE = 41
M_ARENA_MAX = -8
# Arrow's C++ default pool, chosen once from this variable when libarrow loads (mimalloc
# otherwise). `pa.set_memory_pool` (worker_policy) only reaches what Python asks for; Acero's
# group-bys and the kernels' and readers' own buffers take the C++ default. On mimalloc they
# kept 232 MB of a 5 M-row `currencies` cleaning's peak in a region of their own, which
# jemalloc's decay never returned: in-process peak 881 -> 839 MB at 5 M rows, 642-663 -> 570-582
# MB at 1 M rows, for the same CPU time.
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
# The options of Arrow's jemalloc (its prefixed variable), read when libarrow loads: one arena
# for every thread instead of 4 per core, at Arrow's own decay (freed pages kept 1 s, then 1 s
# more as MADV_FREE). A cleaning's phases run on threads of their own (range readers, folds,
# lists, pages; new ones for each file), and freed pages go back to the arena that gave them:
# over many arenas the longer decay kept more pages in all of them (the peak rose), the short
# one (250 ms, as the worker had) handed them back to be faulted in again. One arena keeps them
# where every thread's next allocation looks. 1 M-row `currencies`, one process, three cleanings
# after a warm-up, three processes each: 190 k minor faults at 250 ms (peak 570-578 MB), 137 k
# at 1 s (peak 656-668 MB), 123 k at 1 s on one arena (peak 540-574 MB); main file 97 k / 64 k
# / 58 k. Against the worker's setting before: 2.17 -> 1.86 s, system time 0.72 -> 0.42 s; at
# 5 M rows 871 -> 593 k faults, 9.05 -> 8.31 s, the same peak (828-839 MB). A 200 k-row file
# faults in about as many pages as at 250 ms; its peak is lower than many arenas' at 1 s
# (tests/unit/test_memory_policy.py).
# `jemalloc_set_decay_ms`, called here before, set only arenas created after it: never arena 0.
JEMALLOC_VARIABLE = "JE_ARROW_MALLOC_CONF"
JEMALLOC_CONF = "narenas:1"


def worker_environment() -> dict[str, str]:
    """What a worker process's environment must hold before pyarrow loads, set by whoever
    starts it (the embedded supervisor, infra/stack/up.py; the compose service): Arrow's C++
    default pool on jemalloc too, and jemalloc's options (`JEMALLOC_CONF`)."""
    return {ARROW_POOL_VARIABLE: "jemalloc", JEMALLOC_VARIABLE: JEMALLOC_CONF}


def ensure_worker_environment(argv: list[str]) -> None:
    """Start this process again (`python *argv`) with what `worker_environment()` gives and its
    environment lacks: Arrow and jemalloc read it only when libarrow loads, so a worker started
    by hand (`tributary worker`) gets the policy the embedded stack and the compose service give
    theirs. A variable already set is kept (an operator's own jemalloc options win)."""
    from infra.config import unset_in_environment

    missing = unset_in_environment(worker_environment())
    if missing:
        os.execve(sys.executable, [sys.executable, *argv], {**os.environ, **missing})


def worker_policy() -> None:
    """The policy for a process that cleans files one after another. Measured on the 1 M-row
    currencies file cleaned three times in one process: on Arrow's default pool (mimalloc) and
    glibc's per-thread arenas the heap kept after each file grew 309 -> 348 -> 384 MB and the
    peak 633 -> 721 -> 772 MB; on the C allocator with two arenas it stays at 199-206 MB and
    574-638 MB, for the same CPU time (quoted file alike). What a file leaves behind is what the
    next file's peak starts from. Arrow itself is on `arrow_pool`."""
    import pyarrow as pa

    no_huge_pages()
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass
    pa.set_memory_pool(arrow_pool())


def arrow_pool():
    """jemalloc (its options: `JEMALLOC_CONF`), else the C allocator. On glibc the freed
    buffers of a 5 M-row multi-currency cleaning stayed in the heap, fragmented: RSS 1,040-
    1,086 MB for 160-320 MB allocated; on jemalloc 872-905 MB, 1 M-row main file 558-620 ->
    516-534 MB for the same CPU time."""
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.system_memory_pool()


def no_huge_pages() -> bool:
    """Turn transparent huge pages off for this process (Linux); False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def release_memory() -> None:
    """Hand freed heap back to the OS after a large file (Arrow's pool, glibc `malloc_trim`):
    the allocators keep the pages of a multi-currency snapshot or a rollup build once freed,
    and the next file's peak RSS would start from there. A no-op where there is no glibc."""
    import pyarrow as pa

    pool = pa.default_memory_pool()
    pool.release_unused()
    if pool.backend_name != "jemalloc":   # (in a worker it is: `arrow_pool`)
        try:
            pa.jemalloc_memory_pool().release_unused()   # the DSR reader's pool (models/sales/dsr/fields)
        except NotImplementedError:
            pass
    try:
        ctypes.CDLL(None).malloc_trim(0)   # the process's C library, as worker_policy reaches it
    except (OSError, AttributeError):
        pass
