"""OpenAPI 3 document of the gateway, built by introspecting the aiohttp router.

Every route is documented without any work from its author: summary and description come from
the handler's docstring, path parameters from the route pattern, security from the path prefix
(`/api/*` Bearer token, `/description-service/*` ticket header), and errors share the JSON
schema `{error, message}`. A handler may add detail with the optional `@openapi(...)` decorator
(or by setting an `openapi` dict attribute on it): `summary`, `description`, `tags`, `query`
(name → JSON Schema), `request` (JSON Schema of the body), `responses` (status → JSON Schema or
an OpenAPI response object), `security` (list, `[]` for none).
"""
from __future__ import annotations

import functools
import inspect
import re
from typing import Any, Callable

from aiohttp import web

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TICKET_HEADER = "authenticateit_identity_ticket"
PUBLIC = ("/api/openapi.json", "/api/docs")
ERROR = {"$ref": "#/components/schemas/Error"}
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def openapi(**detail: Any) -> Callable:
    """Optional decorator adding detail to a handler's entry in the document."""
    def wrap(handler: Callable) -> Callable:
        handler.openapi = {**getattr(handler, "openapi", {}), **detail}
        return handler
    return wrap


def _handler_function(handler: Any) -> Any:
    while isinstance(handler, functools.partial):
        handler = handler.func
    return handler


def _docstring(handler: Any) -> tuple[str, str]:
    doc = inspect.getdoc(_handler_function(handler)) or ""
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip()


def route_path(resource: Any) -> str:
    """The OpenAPI path template of a resource (`{name:regex}` → `{name}`)."""
    canonical = resource.canonical
    if isinstance(resource, web.StaticResource):
        return canonical.rstrip("/") + "/{filename}"
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", canonical)


def security_for(path: str) -> list[dict[str, list]]:
    if path in PUBLIC:
        return []
    if path.startswith("/api/"):
        return [{"bearerAuth": []}]
    if path.startswith("/description-service"):
        return [{"ticketAuth": []}]
    return []


def _tag(path: str) -> str:
    parts = [p for p in path.split("/") if p and not p.startswith("{")]
    if parts and parts[0] in ("api", "description-service") and len(parts) > 1:
        return f"{parts[0]}/{parts[1]}"
    return parts[0] if parts else "root"


def _response(value: Any, description: str) -> dict[str, Any]:
    if isinstance(value, dict) and ("description" in value or "content" in value):
        return {"description": description, **value}
    return {"description": description, "content": {"application/json": {"schema": value}}}


def operation(method: str, path: str, handler: Any, op_id: str) -> dict[str, Any]:
    detail = dict(getattr(_handler_function(handler), "openapi", None) or {})
    summary, description = _docstring(handler)
    security = detail.get("security", security_for(path))
    op: dict[str, Any] = {
        "operationId": op_id,
        "summary": detail.get("summary") or summary or f"{method} {path}",
        "tags": detail.get("tags") or [_tag(path)],
    }
    fn = _handler_function(handler)
    where = f"handler `{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', '?')}`"
    op["description"] = "\n\n".join(
        filter(None, [detail.get("description") or description, where]))
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _PARAM.findall(path)]
    params += [{"name": name, "in": "query", "required": False, "schema": schema}
               for name, schema in (detail.get("query") or {}).items()]
    if params:
        op["parameters"] = params
    if method in ("POST", "PUT", "PATCH"):
        body = detail.get("request") or {"type": "object", "additionalProperties": True}
        op["requestBody"] = {"required": False, "content": {
            "application/json": {"schema": body},
            "application/x-www-form-urlencoded": {"schema": body}}}
    responses: dict[str, Any] = {}
    for status, value in (detail.get("responses") or {"200": {}}).items():
        responses[str(status)] = _response(value, "success" if str(status) < "400" else "error")
    if security:
        responses.setdefault("401", _response(ERROR, "missing or unknown credentials"))
    responses.setdefault("default", _response(ERROR, "error: JSON {error, message, …}"))
    op["responses"] = responses
    op["security"] = security
    return op


def build(app: web.Application, title: str = "Tributary HTTP API") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for route in app.router.routes():
        method = route.method.upper()
        if method not in METHODS or route.resource is None:
            continue
        path = route_path(route.resource)
        name = getattr(_handler_function(route.handler), "__name__", "handler")
        op_id = f"{method.lower()}_{name}"
        if op_id in used:
            op_id = f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}"
        base, n = op_id, 1
        while op_id in used:
            n += 1
            op_id = f"{base}_{n}"
        used.add(op_id)
        paths.setdefault(path, {})[method.lower()] = operation(method, path, route.handler, op_id)
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0.0", "description": (
            "Generated from the gateway's routes. Errors are JSON `{error, message, …}`. "
            "Sales routes (/api/…) take `Authorization: Bearer <token>`; description-service "
            f"routes take the `{TICKET_HEADER}` header.")},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "organisation token (`tributary org create`)"},
                "ticketAuth": {"type": "apiKey", "in": "header", "name": TICKET_HEADER,
                               "description": "session ticket (`tributary session create`)"}},
            "schemas": {"Error": {
                "type": "object", "required": ["error", "message"], "additionalProperties": True,
                "properties": {"error": {"type": "string", "example": "not_found"},
                               "message": {"type": "string"}}}},
        },
    }
