"""Liveness without a stack: the supervisor's verdict on heartbeat files, its crash-loop
backoff, and the rebuild of a table partition whose changelog ends before its offset."""
from __future__ import annotations

import time
from collections import Counter
from types import SimpleNamespace

from faust.types import TP

from agents.faust_tuning import rebuild_behind
from infra import liveness
from infra.config import Liveness
from infra.stack.processes import MAX_BACKOFF, Child


def test_verdict_on_heartbeats(tmp_path):
    limits = Liveness(heartbeat_interval=1, recovery_limit=20)
    path = tmp_path / "w.json"
    liveness.beat(str(path), 7)
    doc = liveness.read(path)
    me, now = doc["pid"], doc["ts"]
    assert liveness.verdict(doc, me, now - 5, limits, now + 2.9) is None
    assert "stopped" in liveness.verdict(doc, me, now - 5, limits, now + 3.1)
    assert "progress 7" in liveness.verdict(doc, me, now - 5, limits, now + 3.1)
    # another process's beat does not count; a process without one gets the start bound
    assert liveness.verdict(doc, me + 1, now, limits, now + 19) is None
    assert "after start" in liveness.verdict(doc, me + 1, now, limits, now + 21)
    liveness.beat(str(path), 8, "table recovery", 21.0)
    stuck = liveness.read(path)
    assert "table recovery" in liveness.verdict(stuck, me, now, limits, stuck["ts"])


def test_quick_exits_back_off(tmp_path):
    child = Child("w", ["true"], tmp_path / "w.log")
    waits = []
    for _ in range(8):
        child.started, child._due = time.time(), None
        child.due()
        waits.append(child.backoff)
    assert waits[:3] == [0.5, 1.0, 2.0] and waits[-1] == MAX_BACKOFF
    child.started, child._due = time.time() - 60, None
    assert child.due() and child.backoff == 0.0  # after a stable run: at once


def test_quick_clean_exits_do_not_back_off_further(tmp_path):
    """A child stopped with SIGTERM exits 0: restarted after 0.5 s however often it happens,
    while a failing exit in between still starts the doubling from there."""
    child = Child("w", ["true"], tmp_path / "w.log")
    child.proc = SimpleNamespace(returncode=0)
    for _ in range(4):
        child.started, child._due = time.time(), None
        child.due()
        assert child.backoff == 0.5
    child.proc = SimpleNamespace(returncode=-9)
    child.started, child._due = time.time(), None
    child.due()
    assert child.backoff == 1.0


def test_partition_behind_its_changelog_is_rebuilt():
    tp, other = TP("t-changelog", 3), TP("t-changelog", 4)
    store = SimpleNamespace(data={"a": 1, "b": 2, "c": 3}, _key_partition={"a": 3, "b": 4, "c": 3})
    recovery = SimpleNamespace(active_highwaters=Counter({tp: 10, other: 50}),
                               tp_to_table={tp: SimpleNamespace(data=store)})
    offsets = Counter({tp: 42, other: 40})
    assert rebuild_behind(recovery, offsets, {tp, other}) == [tp]
    assert offsets[tp] == -1 and offsets[other] == 40
    assert store.data == {"b": 2} and store._key_partition == {"b": 4}


def test_container_probe(tmp_path):
    limits = Liveness(heartbeat_interval=0.1)
    path = tmp_path / "beat.json"
    assert liveness.probe(path, limits) is None  # nothing written yet: starting
    liveness.beat(str(path), 1)
    assert liveness.probe(path, limits) is None
    time.sleep(0.4)
    assert "heartbeat stopped" in liveness.probe(path, limits)


def test_a_child_past_its_memory_bound_names_why(tmp_path):
    """The supervisor's memory check reads the child's real resident memory (/proc)."""
    from infra.stack.processes import Child

    child = Child("sleeper", ["sleep", "30"], tmp_path / "sleeper.log").start()
    try:
        rss = child.rss_mb()
        assert rss is not None and rss > 0
        assert child.memory_reason() is None                 # no bound: never recycled
        child.max_rss_mb = rss * 100
        assert child.memory_reason() is None
        child.max_rss_mb = rss / 4
        assert "past the bound" in child.memory_reason()
    finally:
        child.stop()
    assert child.memory_reason() is None                     # not running: nothing to recycle


def test_free_ports_are_outside_the_ephemeral_range():
    """A child's port must not be one an outgoing connection can be given meanwhile (the whole
    stack restarted on a port a worker's broker connection had taken: the gateway never bound)."""
    import socket

    from infra.stack.processes import _ephemeral_low, free_port

    for _ in range(20):
        port = free_port()
        assert port < _ephemeral_low()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # really free
