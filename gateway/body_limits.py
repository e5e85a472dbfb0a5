"""Bounds on request bodies, so no client can stall the gateway or exhaust its memory.

A JSON body is at most `MAX_BYTES` (413), nested at most `MAX_DEPTH` deep and holds at most
`MAX_VALUES` values in all (400, `body_too_complex`); a body above `OFF_LOOP_BYTES` is parsed in
a thread, so parsing never holds the event loop. Form bodies are bounded by the application's
`client_max_size` (gateway/app.py). Text holding a lone surrogate ("\\ud800" in JSON) is no
Unicode and cannot be stored: 400 `invalid_text` naming its field, for JSON and form bodies.
Errors are raised in the gateway's one error shape."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from gateway.errors import ApiError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_VALUES = 100_000
OFF_LOOP_BYTES = 64 * 1024


def too_large(limit: int = MAX_BYTES) -> ApiError:
    return ApiError(413, "body_too_large", f"the body is larger than {limit} bytes",
                    errors=[{"field": "body", "problem": f"larger than {limit} bytes"}])


def _too_complex(problem: str) -> ApiError:
    return ApiError(400, "body_too_complex", f"the body is {problem}",
                    errors=[{"field": "body", "problem": problem}])


def _not_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def invalid_text(field: str) -> ApiError:
    return ApiError(400, "invalid_text", f"{field} holds text that is not Unicode (a lone "
                    "surrogate)", errors=[{"field": field, "problem": "not Unicode text (a "
                                           "lone surrogate)"}])


def check_text(fields: dict[str, Any]) -> None:
    """Form fields: 400 `invalid_text` on a lone surrogate."""
    for name, value in fields.items():
        if isinstance(value, str) and (_not_unicode(value) or _not_unicode(name)):
            raise invalid_text(name if not _not_unicode(name) else "body")


def check_shape(value: Any) -> None:
    """Depth, size and text of a parsed JSON value, walked without recursion (a value's path,
    `(parent, key)` links, is spelled out only for an answer)."""
    stack: list[tuple[Any, int, Any]] = [(value, 1, None)]
    count = 0
    while stack:
        node, depth, where = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise _too_complex(f"more than {MAX_VALUES} values")
        if isinstance(node, str) and _not_unicode(node):
            raise invalid_text(_spelled(where))
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise _too_complex(f"nested deeper than {MAX_DEPTH} levels")
            if len(node) > MAX_VALUES:
                raise _too_complex(f"more than {MAX_VALUES} values")
            if isinstance(node, dict) and any(_not_unicode(k) for k in node):
                raise invalid_text(_spelled(where))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((child, depth + 1, (where, key)) for key, child in items)


def _spelled(where: Any) -> str:
    """`a.0.b` from the links `((( None, 'a'), 0), 'b')`; `body` for the whole body."""
    keys = []
    while where is not None:
        where, key = where
        keys.append(str(key))
    return ".".join(reversed(keys)) or "body"


def loads(raw: bytes) -> Any:
    """Parse and check (raises ApiError): `{}` for an empty body."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _too_complex(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise ApiError(400, "malformed_json", f"body is not valid JSON: {exc}",
                       errors=[{"field": "body", "problem": f"not valid JSON: {exc}"}]) from None
    check_shape(value)
    return value


async def read_json(request, limit: int = MAX_BYTES) -> Any:
    """The request's JSON body, bounded; parsed off the event loop when large."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise too_large(limit)
    if len(raw) > OFF_LOOP_BYTES:
        return await asyncio.to_thread(loads, raw)
    return loads(raw)
