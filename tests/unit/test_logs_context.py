"""infra/logs.py: the context is a chain of bindings, read as one dict only when a line is logged
(later bindings win, None ignored, keys in the order first bound, lazy fields computed on read)."""
from __future__ import annotations

import json
import logging

from infra import logs


def test_bindings_merge_as_dicts_would_and_reset_in_order():
    base = logs.current()
    outer = logs.bind(a=1, b=2, skipped=None)
    inner = logs.bind(b=3, c=None, d=4)
    assert logs.current() == {**base, "a": 1, "b": 3, "d": 4}
    assert list(logs.current())[len(base):] == ["a", "b", "d"]
    logs.reset(inner)
    assert logs.current() == {**base, "a": 1, "b": 2}
    logs.reset(outer)
    assert logs.current() == base


def test_lazy_fields_are_computed_only_when_read():
    calls = []

    def fields(source):
        calls.append(source)
        return {"method": source[0], "path": source[1], "none": None}

    token = logs.bind_lazy(fields, ("GET", "/x/"))
    try:
        later = logs.bind(path="/y/")  # a later binding still wins
        assert calls == []
        record = logging.LogRecord("tributary.t", logging.INFO, __file__, 1, "hi", (), None)
        doc = json.loads(logs.JsonFormatter().format(record))
        assert (doc["method"], doc["path"], "none" in doc) == ("GET", "/y/", False)
        assert len(calls) == 1
        logs.reset(later)
    finally:
        logs.reset(token)


def test_binds_never_reset_are_folded():
    base = logs.current()
    tokens = [logs.bind(n=i) for i in range(logs.MAX_DEPTH * 3)]
    assert logs.current() == {**base, "n": logs.MAX_DEPTH * 3 - 1}
    for token in reversed(tokens):
        logs.reset(token)
    assert logs.current() == base
