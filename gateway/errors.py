"""One error shape for every answer of the gateway: RFC 9457 `application/problem+json`.

    {"type": "urn:tributary:problem:validation_error", "title": "Validation error",
     "status": 400, "detail": "some fields are missing or malformed", "code": "validation_error",
     "instance": "/api/reports/", "errors": [{"field": "period", "problem": "a period YYYY-MM"}]}

`code` is the machine-readable name (the last part of `type`); `errors` lists each field at
fault (a dotted path into the body or the query/path parameter's name; `body` for the whole
body) and is empty when no field is. Other keys are RFC 9457 extension members a route adds
(e.g. `status_now`, `owner`). Raise `ApiError(status, code, detail, errors=[...], **extensions)`;
request models report their validation errors the same way (gateway/contract.py).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Iterable

from aiohttp import web

log = logging.getLogger("tributary.gateway")

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:tributary:problem:"
# keys of older error bodies, folded into `errors` so every answer has the one shape
_LEGACY_FIELDS = ("fields", "problems", "field", "reason")


def field_problems(value: Any) -> list[dict[str, Any]]:
    """`[{field, problem}]` from a dict {field: problem} or a list of dicts naming a field and a
    `problem` / `reason` / `message` (extra keys of each entry are kept)."""
    if not value:
        return []
    if isinstance(value, dict):
        return [{"field": str(k), "problem": str(v)} for k, v in value.items()]
    out = []
    for item in value if isinstance(value, Iterable) and not isinstance(value, str) else [value]:
        if not isinstance(item, dict):
            out.append({"field": "body", "problem": str(item)})
            continue
        rest = {k: v for k, v in item.items() if k not in ("field", "problem", "reason", "message")}
        problem = item.get("problem") or item.get("reason") or item.get("message") or "invalid"
        out.append({"field": str(item.get("field") or "body"), "problem": str(problem), **rest})
    return out


def title_of(code: str) -> str:
    return code.replace("_", " ").capitalize()


def problem(status: int, code: str, detail: str, /, *, errors: Any = None,
            instance: str | None = None, **extensions: Any) -> dict[str, Any]:
    """The problem document (a dict) of an error answer."""
    listed = field_problems(errors)
    if not listed and ("fields" in extensions or "problems" in extensions):
        listed = field_problems(extensions.get("fields") or extensions.get("problems"))
    if not listed and extensions.get("field"):
        listed = [{"field": str(extensions["field"]),
                   "problem": str(extensions.get("reason") or detail)}]
    for key in _LEGACY_FIELDS:
        extensions.pop(key, None)
    if "status" in extensions:  # an entity's status, not the HTTP one
        extensions["current_status"] = extensions.pop("status")
    body = {"type": TYPE_PREFIX + code, "title": title_of(code), "status": status,
            "detail": detail, "code": code}
    if instance:
        body["instance"] = instance
    body["errors"] = listed
    body.update({k: v for k, v in extensions.items() if k not in body})
    return body


class ApiError(web.HTTPException):
    """An error answer in the gateway's one shape (see the module docstring)."""

    def __init__(self, http_status: int, code: str, detail: str, /, *, errors: Any = None,
                 **extensions: Any) -> None:
        self.status_code = http_status
        self.problem = problem(http_status, code, detail, errors=errors, **extensions)
        super().__init__(text=json.dumps(self.problem), content_type=PROBLEM_JSON)

    @property
    def code(self) -> str:
        return self.problem["code"]


def bad_request(detail: str, /, **extensions: Any) -> ApiError:
    return ApiError(400, "bad_request", detail, **extensions)


def not_found(detail: str = "not found") -> ApiError:
    return ApiError(404, "not_found", detail)


def path_id(request: Any, name: str, what: str) -> int:
    """A numeric id from the path; anything else ("²", "-1", 19 digits) is a 404, never a 500."""
    raw = request.match_info[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise not_found(f"no {what} {raw}")
    return int(raw)


def conflict(detail: str, /, **extensions: Any) -> ApiError:
    return ApiError(409, "conflict", detail, **extensions)


def invalid(detail: str, errors: Any, code: str = "validation_error") -> ApiError:
    """400 naming every field at fault."""
    return ApiError(400, code, detail, errors=errors)


async def storable(write: Any) -> Any:
    """Await a document-store write; a value the store cannot hold (an integer past 64 bits,
    text that is not Unicode) is the client's 400 `unstorable`, never a 500."""
    from bson.errors import InvalidDocument

    try:
        return await write
    except (InvalidDocument, OverflowError, UnicodeEncodeError) as exc:
        raise ApiError(400, "unstorable", f"a value cannot be stored: {exc}",
                       errors=[{"field": "body", "problem": str(exc)[:200]}]) from None


def _with_instance(exc: ApiError, request: web.Request) -> ApiError:
    if "instance" not in exc.problem:
        body = {**exc.problem, "instance": request.path}
        exc.problem = body
        exc.text = json.dumps(body)
    return exc


def shaped(exc: web.HTTPException, request: web.Request) -> web.HTTPException | None:
    """The problem-shaped answer to raise for `exc`, an HTTP error a handler (or aiohttp: 404,
    405, 413) raised; None: raise `exc` as it is (not an error, or already a problem)."""
    if isinstance(exc, ApiError):
        return _with_instance(exc, request)
    if exc.status < 400 or exc.content_type == PROBLEM_JSON:
        return None
    code = exc.reason.lower().replace(" ", "_").replace("-", "_")
    text = exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason
    err = ApiError(exc.status, code, text)
    err.headers.update({k: v for k, v in exc.headers.items()
                        if k.lower() in ("allow", "retry-after", "location")})
    return _with_instance(err, request)


def internal_error(request: web.Request) -> ApiError:
    """The 500 answer to an unexpected exception, logged with its traceback (call it in the
    `except` block): never a bare 500 without a problem body."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _with_instance(ApiError(500, "internal_error", "internal error; see the gateway log"),
                          request)
