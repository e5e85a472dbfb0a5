"""Each thread's span and CPU time while a piece of work runs (`python -m bench.profile_clean
FILE --threads`): when every thread started and ended, relative to the start, and its
`time.thread_time()`. This is how the twenty-second pass in docs/performance.md told a tail that
is short of CPU from one that waits on a single thread. A sampling profiler charges waits and
native time to the wrong frames; these clocks do not."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Span:
    name: str
    start: float     # seconds since the recording started
    end: float
    cpu: float       # the thread's CPU seconds (user + system)


@dataclass
class ThreadSpans:
    """A context manager: the threads started inside it are recorded as they end."""
    spans: list[Span] = field(default_factory=list)

    def __enter__(self) -> "ThreadSpans":
        self._run = run = threading.Thread.run
        origin, lock = time.perf_counter(), threading.Lock()

        def recorded(thread: threading.Thread) -> None:
            began = time.perf_counter()
            try:
                run(thread)
            finally:
                span = Span(thread.name, began - origin, time.perf_counter() - origin, time.thread_time())
                with lock:
                    self.spans.append(span)

        threading.Thread.run = recorded  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc) -> None:
        threading.Thread.run = self._run  # type: ignore[method-assign]

    def table(self, least_cpu: float = 0.01) -> str:
        """The spans that used at least `least_cpu` seconds, by start, as lines of text."""
        rows = sorted((s for s in self.spans if s.cpu >= least_cpu), key=lambda s: s.start)
        return "\n".join(f"{s.start:6.2f}-{s.end:5.2f} s  cpu {s.cpu:5.2f} s  {s.name}" for s in rows)
