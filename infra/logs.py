"""Structured JSON logs: one JSON object a line, carrying the ids of the entity being worked on.

Context is kept in a contextvar, so whatever a task binds (the agent's `dispatch` binds the
message id, file id, task id, organisation/participant of the message it handles; the gateway
binds each request's method and path, then the organisation or participant it authenticated)
appears on every line logged from that task. Stdlib logging with a JSON formatter keeps Faust's and aiohttp's own loggers working
unchanged. `TRIBUTARY_LOG_FORMAT=text` switches back to plain lines.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

# payload fields worth carrying on log lines (entity ids and who the work is for)
CONTEXT_FIELDS = ("file_id", "task_id", "report_id", "import_id", "job_id", "gtin",
                  "organisation", "participant")
# The context is a chain of bindings, (parent, depth, fields, source), read only when a line is
# logged: binding costs a tuple rather than a copy of every field bound so far (the gateway binds
# on every request, and most requests log nothing). `fields` is a dict, or a function of
# `source` computing one when it is read (a request's method and path: bind_lazy).
_context: ContextVar[tuple | None] = ContextVar("tributary_log_context", default=None)
_DICT = object()  # `source` of a binding whose `fields` is a dict
MAX_DEPTH = 64  # a deeper chain (binds never reset) is folded into one binding


def _push(fields: Any, source: Any) -> Token:
    parent = _context.get()
    depth = parent[1] + 1 if parent is not None else 1
    if depth > MAX_DEPTH:
        parent, depth, fields, source = None, 1, {**_fields(), **_kept(fields, source)}, _DICT
    return _context.set((parent, depth, fields, source))


def bind(**fields: Any) -> Token:
    """Add fields to the current context (None values are ignored); returns a reset token."""
    return _push(fields, _DICT)


def bind_lazy(fields: Callable[[Any], dict[str, Any]], source: Any) -> Token:
    """Add the fields `fields(source)` computes, computed only if a line is logged (or
    `current()` is read) while they are bound; returns a reset token."""
    return _push(fields, source)


def reset(token: Token) -> None:
    _context.reset(token)


def _kept(fields: Any, source: Any) -> dict[str, Any]:
    found = fields if source is _DICT else fields(source)
    return {k: v for k, v in found.items() if v is not None}


def _fields() -> dict[str, Any]:
    """The context as one dict: later bindings win, keys in the order first bound."""
    chain = []
    node = _context.get()
    while node is not None:
        chain.append(node)
        node = node[0]
    out: dict[str, Any] = {}
    for _, _, fields, source in reversed(chain):
        out.update(_kept(fields, source))
    return out


@contextlib.contextmanager
def bound(**fields: Any) -> Iterator[None]:
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


def current() -> dict[str, Any]:
    return _fields()


def from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The context fields a message payload carries (scalars only)."""
    out = {}
    for name in CONTEXT_FIELDS:
        value = payload.get(name)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            out[name] = value
    return out


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update(_fields())
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            doc.update(extra)
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str, ensure_ascii=False)


def configure(service: str, level: int = logging.WARNING, app_level: int = logging.INFO,
              fmt: str = "json") -> None:
    """Root handler on stderr (JSON unless `fmt`, TRIBUTARY_LOG_FORMAT, is text); `tributary.*`
    at app_level."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt.lower() == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("tributary").setLevel(app_level)
    bind(service=service)
