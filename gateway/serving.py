"""How the gateway serves each request: its log context, its error answer in the problem shape
(gateway/errors.py) and its metrics (gateway/metrics.py).

A wrapper on each route's handler rather than an aiohttp middleware. With any middleware at
all, aiohttp runs one of its own on every request (the current-app fix-up) and binds each
through a partial: 0–11 µs of CPU a status GET under load, the status GETs at 0.64–0.69 of the
bare handler against 0.58–0.67 before (issue 21, docs/performance.md, twenty-first pass). `endpoint`
(gateway/contract.py) serves every handler it declares; `served` wraps the few plain ones; and
`add_unmatched` answers what no route matches as aiohttp's router would (404, or 405 with
`Allow`), shaped and counted. A unit test checks that every route of the app is served.

The order is the middleware's: a handler's error is shaped first, then counted with the
status of the answer that leaves, and is logged with the request's method and path bound.
"""
from __future__ import annotations

import functools
from time import perf_counter
from typing import Any, Awaitable, Callable

from aiohttp import web

from gateway.errors import internal_error, shaped
from gateway.metrics import UNMATCHED_ROUTE, record
from infra import logs

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_fields(request: web.Request) -> dict[str, str]:
    """What every line logged during a request carries (computed only if one is logged)."""
    return {"method": request.method, "path": request.path}


def served(fn: Handler) -> Handler:
    """`fn` answering in the gateway's way: logged, shaped, counted (once, if wrapped twice)."""
    if getattr(fn, "served", False):
        return fn

    @functools.wraps(fn)
    async def handler(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        status = 500  # an exception that is no error answer (cancelled) is counted as a 500
        token = logs.bind_lazy(request_fields, request)
        try:
            response = await fn(request)
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

    handler.served = True  # type: ignore[attr-defined]
    return handler


def unwrapped(handler: Any) -> Any:
    """The function a route's handler calls, under any `functools.partial` (its contract,
    docstring and `served` mark are on it)."""
    while isinstance(handler, functools.partial):
        handler = handler.func
    return handler


@served
async def _unmatched(request: web.Request) -> web.StreamResponse:
    """No route's path and method match: 405 naming the methods of a route whose path does,
    else 404. Only misses get here, so asking every resource costs nothing on a route's path."""
    own = request.match_info.route.resource
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not own:
            match, methods = await resource.resolve(request)
            if match is None:
                allowed |= methods
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()


def add_unmatched(app: web.Application) -> None:
    """The last route of `app`: every path and method no other route takes (aiohttp's router
    tries the longest path prefix first, so a catch-all on "/" is tried last). Any character,
    a decoded newline too (`.` would not take one)."""
    app.router.add_route("*", r"/{unmatched_path:[\s\S]*}", _unmatched, name=UNMATCHED_ROUTE)
