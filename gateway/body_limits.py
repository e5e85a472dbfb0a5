"""Bounds on request bodies, so no client can stall the gateway or exhaust its memory.

A JSON body is at most `MAX_BYTES` (413), nested at most `MAX_DEPTH` deep and holds at most
`MAX_VALUES` values in all (400, `body_too_complex`); a body above `OFF_LOOP_BYTES` is parsed in
a thread, so parsing never holds the event loop. Form bodies are bounded by the application's
`client_max_size` (gateway/app.py). Errors are raised in the gateway's one error shape."""
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


def check_shape(value: Any) -> None:
    """Depth and size of a parsed JSON value, walked without recursion."""
    stack, count = [(value, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise _too_complex(f"more than {MAX_VALUES} values")
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise _too_complex(f"nested deeper than {MAX_DEPTH} levels")
            children = node.values() if isinstance(node, dict) else node
            if len(children) > MAX_VALUES:
                raise _too_complex(f"more than {MAX_VALUES} values")
            stack.extend((child, depth + 1) for child in children)


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
