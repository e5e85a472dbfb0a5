"""A fix for the embedded document store (nx-27017 on neosqlite 1.17): a top-level boolean in
an update (`{"$set": {"converted_complete": False}}`) was bound as a bare SQLite parameter,
and SQLite has no booleans, so the stored document held 0 or 1 and every later read answered
`0` where a client expects `false` (nested booleans, JSON-encoded first, were fine). Applied by
infra/stack/nx_quiet before the server starts: each such boolean goes through the library's own
JSON path (`json(?)`, as for a Binary value) and is written as JSON `true`/`false`."""
from __future__ import annotations

import logging
from typing import Any


def patch() -> None:
    try:
        from neosqlite.binary import Binary
        from neosqlite.collection.query_helper import _sql_updates as updates
        updates._convert_bytes_to_binary, updates.neosqlite_json_dumps  # noqa: B018 - present?
    except (ImportError, AttributeError):   # another engine version: its own behaviour stands
        logging.getLogger("tributary.nx").warning("neosqlite changed: booleans not patched")
        return
    if getattr(updates, "_tributary_bools", False):
        return

    class JsonBool(Binary):
        """A boolean dressed as a Binary, so every update path JSON-encodes it."""

        def __new__(cls, value: bool):
            out = super().__new__(cls, b"")
            out.value = value
            return out

    convert, dumps = updates._convert_bytes_to_binary, updates.neosqlite_json_dumps

    def converted(obj: Any) -> Any:
        return JsonBool(obj) if isinstance(obj, bool) else convert(obj)

    def plain(obj: Any) -> Any:
        if isinstance(obj, JsonBool):
            return obj.value
        if isinstance(obj, list):
            return [plain(v) for v in obj]
        return obj

    def encoded(obj: Any, **kwargs) -> str:
        return dumps(plain(obj), **kwargs)

    updates._convert_bytes_to_binary = converted
    updates.neosqlite_json_dumps = encoded
    updates._tributary_bools = True
