"""Grouped answers kept per process, keyed by everything an answer depends on: the store, the
organisation, its base currency and today's rates, the view, and each counted file (id, object
key, import attempt, conversion and, in a local store, the Parquet's size and modification
time). Importing, voiding or reimporting a file, a new rate or another base currency makes
another key, so a kept answer is never stale; it is only one the dashboard asked before
(a reload, the way back from a drill-down). `Cache-Control: no-cache` on the request skips it."""
from __future__ import annotations

import copy
import json
import os
import threading
from collections import OrderedDict

SIZE = 256
_LOCK = threading.Lock()
_KEPT: OrderedDict[str, dict] = OrderedDict()


def key(storage_url: str, organisation: str, base: str, files: dict[str, dict], late: list[dict],
        view, top) -> str:
    """`files`: row path → record (id, parquet_key, attempt, conversion)."""
    described = []
    for path, record in sorted(files.items()):
        stat = None
        if not path.startswith("s3://"):
            try:
                st = os.stat(path)
                stat = [st.st_size, st.st_mtime_ns]
            except FileNotFoundError:
                stat = "missing"
        described.append([record["id"], record["parquet_key"], record.get("filename"), record.get("attempt"),
                          record.get("conversion"), stat])
    return json.dumps([storage_url, organisation, base, described, late, repr(view), top],
                      sort_keys=True, default=str)


def get(name: str) -> dict | None:
    with _LOCK:
        answer = _KEPT.get(name)
        if answer is None:
            return None
        _KEPT.move_to_end(name)
        return copy.deepcopy(answer)


def put(name: str, answer: dict) -> None:
    with _LOCK:
        _KEPT[name] = copy.deepcopy(answer)
        _KEPT.move_to_end(name)
        while len(_KEPT) > SIZE:
            _KEPT.popitem(last=False)
