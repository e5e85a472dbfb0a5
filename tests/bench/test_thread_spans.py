"""bench.thread_spans records the threads started inside it, each with its own CPU time, and
leaves `threading.Thread.run` as it found it."""
from __future__ import annotations

import threading
import time

from bench.thread_spans import ThreadSpans


def _spin(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_each_thread_is_recorded_with_its_own_cpu_and_span():
    run = threading.Thread.run
    with ThreadSpans() as spans:
        busy = threading.Thread(target=_spin, args=(0.05,), name="busy")
        idle = threading.Thread(target=time.sleep, args=(0.05,), name="idle")
        for thread in (busy, idle):
            thread.start()
        for thread in (busy, idle):
            thread.join()
    assert threading.Thread.run is run
    found = {span.name: span for span in spans.spans}
    assert found.keys() == {"busy", "idle"}
    assert found["busy"].cpu >= 0.05 > found["idle"].cpu
    assert 0 <= found["idle"].start < found["idle"].end
    assert found["idle"].end - found["idle"].start >= 0.05
    assert spans.table().splitlines()[0].endswith("busy")   # the idle thread used < 10 ms


def test_threads_started_after_it_are_not_recorded():
    with ThreadSpans() as spans:
        pass
    thread = threading.Thread(target=_spin, args=(0.02,))
    thread.start()
    thread.join()
    assert spans.spans == [] and spans.table() == ""
