"""Structured JSON logs: one JSON object a line, carrying the ids of the entity being worked on.

Context is kept in a contextvar, so whatever a task binds (the agent's `dispatch` binds the
message id, file id, task id, organisation/participant of the message it handles; the gateway
binds the organisation or participant it authenticated) appears on every line logged from that
task. Stdlib logging with a JSON formatter keeps Faust's and aiohttp's own loggers working
unchanged. `TRIBUTARY_LOG_FORMAT=text` switches back to plain lines.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import Any, Iterator

# payload fields worth carrying on log lines (entity ids and who the work is for)
CONTEXT_FIELDS = ("file_id", "task_id", "report_id", "import_id", "job_id", "gtin",
                  "organisation", "participant")
_context: ContextVar[dict[str, Any]] = ContextVar("tributary_log_context", default={})


def bind(**fields: Any) -> Token:
    """Add fields to the current context (None values are ignored); returns a reset token."""
    merged = {**_context.get(), **{k: v for k, v in fields.items() if v is not None}}
    return _context.set(merged)


def reset(token: Token) -> None:
    _context.reset(token)


@contextlib.contextmanager
def bound(**fields: Any) -> Iterator[None]:
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


def current() -> dict[str, Any]:
    return dict(_context.get())


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
        doc.update(_context.get())
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
