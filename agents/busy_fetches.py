"""A worker's consumers fetch less often while it reads a sales file.

The embedded broker (Tansu) answers a fetch by reading every partition in it again and again
until the fetch's wait is over. At the 50 ms wait that keeps each hop between agents short,
an idle stack keeps ~0.19 of a core busy: the broker 0.12, the worker 0.04, the gateway 0.02.
A cleaning of the 1 M-row `currencies` file beside an idle stack took 2.24 s instead of 1.86 s
(one process, nine runs each). With a 200 ms wait it took 1.93 s.

The cleaning's read is CPU-bound on every core. While it runs, this worker's consumers fetch with
the longer wait (`broker.busy_fetch_wait_ms`); other commands still arrive, up to ~half that wait
later. When the read is done (its progress at 100 %), the short wait is back. The fetch that
brings the next command (the file's import) is then long since short again: the snapshot and
the storing still take a few tenths of a second.
"""
from __future__ import annotations

from agents import faust_tuning

_held = 0   # reads in progress in this worker (a worker may clean several files at once)


class BusyFetches:
    """Held from `__enter__` until `release` (idempotent) or `__exit__`, whichever comes first.
    Only from the event loop's thread: a cleaning thread calls `release` through
    `loop.call_soon_threadsafe`."""

    def __init__(self) -> None:
        self.held = False

    def __enter__(self) -> "BusyFetches":
        global _held
        self.held = True
        _held += 1
        if _held == 1:
            faust_tuning.set_fetch_wait(max(faust_tuning.busy_wait_ms(), faust_tuning.fetch_wait_ms()))
        return self

    def release(self) -> None:
        global _held
        if not self.held:
            return
        self.held = False
        _held -= 1
        if _held == 0:
            faust_tuning.set_fetch_wait(faust_tuning.fetch_wait_ms())

    def __exit__(self, *exc) -> None:
        self.release()
