"""JSON errors: every error answer of the gateway is `{"error": code, "message": text, ...}`."""
from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

log = logging.getLogger("tributary.gateway")


class ApiError(web.HTTPException):
    def __init__(self, http_status: int, error: str, message: str, /, **details: Any) -> None:
        self.status_code = http_status
        super().__init__(text=json.dumps({"error": error, "message": message, **details}),
                         content_type="application/json")


def bad_request(message: str, /, **details: Any) -> ApiError:
    return ApiError(400, "bad_request", message, **details)


def not_found(message: str = "not found") -> ApiError:
    return ApiError(404, "not_found", message)


def conflict(message: str, /, **details: Any) -> ApiError:
    return ApiError(409, "conflict", message, **details)


@web.middleware
async def json_errors(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError:
        raise
    except web.HTTPException as exc:
        if exc.content_type == "application/json" or exc.status < 400:
            raise
        raise ApiError(exc.status, exc.reason.lower().replace(" ", "_"),
                       exc.text if exc.text and not exc.text.startswith(str(exc.status))
                       else exc.reason) from None
    except Exception:  # noqa: BLE001 - never a bare 500 without a JSON body
        log.exception("unhandled error on %s %s", request.method, request.path)
        raise ApiError(500, "internal_error", "internal error; see the gateway log") from None


async def read_body(request: web.Request) -> dict[str, Any]:
    """Form data or JSON object, whichever the request carries."""
    ctype = request.content_type
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object")
    return body
