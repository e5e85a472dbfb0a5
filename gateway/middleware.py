"""The gateway's one middleware: each request's log context, its error answer in the problem
shape (gateway/errors.py) and its metrics (gateway/metrics.py).

One coroutine rather than one middleware each: every aiohttp middleware is another wrapped call
and coroutine on every request, a measurable share of a status GET (issue 21). The order is
the one the separate middlewares had: a handler's error is shaped first, then counted with the
status of the answer that leaves, and is logged with the request's method and path bound.
"""
from __future__ import annotations

from time import perf_counter

from aiohttp import web

from gateway.errors import internal_error, shaped
from gateway.metrics import record
from infra import logs


def request_fields(request: web.Request) -> dict[str, str]:
    """What every line logged during a request carries (computed only if one is logged)."""
    return {"method": request.method, "path": request.path}


@web.middleware
async def gateway_middleware(request: web.Request, handler):
    started = perf_counter()
    status = 500  # an exception that is no error answer (cancelled) is counted as a 500
    token = logs.bind_lazy(request_fields, request)
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        answer = shaped(exc, request)
        if answer is None:
            status = exc.status
            raise
        status = answer.status
        raise answer from None
    except Exception:  # noqa: BLE001 - never a bare 500 without a problem body
        raise internal_error(request) from None
    finally:
        logs.reset(token)
        record(request, status, perf_counter() - started)
