"""OpenAPI 3.1 document of the gateway, generated from the routes' `@endpoint` declarations.

Each operation gets its request body, query and path parameters, responses (by their real
status), errors (`application/problem+json`, gateway/errors.py) and security from what the
route declared in gateway/contract.py, and its summary/description from the handler's
docstring. Internal routes (the local object store's `/_objects/…`, console assets) are left
out. Routes not yet typed keep the older `@openapi(...)` detail (an untyped body is
`{"type": "object"}`); tests/e2e/contract/test_openapi_typed.py lists the ones still pending.
"""
from __future__ import annotations

import inspect
import json
import re
from typing import Any, Callable

from aiohttp import web
from pydantic import TypeAdapter

from gateway.contract import Contract, Media, contract_of
from gateway.errors import PROBLEM_JSON
from gateway.serving import unwrapped

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TICKET_HEADER = "authenticateit_identity_ticket"
PUBLIC = ("/api/openapi.json", "/api/docs", "/api/docs/{name}")
INTERNAL = ("/_objects/", "/console/static/", "/api/docs/")
PROBLEM = {"$ref": "#/components/schemas/Problem"}
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
ERROR_TEXT = {400: "the request has problems (each listed in `errors`)",
              401: "missing or unknown credentials", 403: "not allowed",
              404: "no such entity", 409: "not in a state that allows this",
              413: "body too large", 415: "unsupported media type",
              422: "the request cannot be carried out", 503: "a service is unavailable"}


def openapi(**detail: Any) -> Callable:
    """Detail for a route without a typed contract (summary, description, tags, query,
    request, responses, security); typed routes use gateway.contract.endpoint instead."""
    def wrap(handler: Callable) -> Callable:
        handler.openapi = {**getattr(handler, "openapi", {}), **detail}
        return handler
    return wrap


def _docstring(handler: Any) -> tuple[str, str]:
    doc = inspect.getdoc(unwrapped(handler)) or ""
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip()


def route_path(resource: Any) -> str:
    """The OpenAPI path template of a resource (`{name:regex}` → `{name}`)."""
    canonical = resource.canonical
    if isinstance(resource, web.StaticResource):
        return canonical.rstrip("/") + "/{filename}"
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", canonical)


def is_internal(path: str, handler: Any) -> bool:
    return path.startswith(INTERNAL) or bool(getattr(unwrapped(handler), "internal", False))


def security_for(path: str) -> list[dict[str, list]]:
    if path in PUBLIC:
        return []
    if path.startswith("/api/"):
        return [{"bearerAuth": []}]
    if path.startswith("/description-service"):
        return [{"ticketAuth": []}]
    return []


def _tag(path: str) -> str:
    """`/api/files/…` → files, `/description-service/gtins…` → gtins, `/healthz` → healthz."""
    parts = [p for p in path.split("/") if p and not p.startswith("{")]
    if parts and parts[0] in ("api", "description-service") and len(parts) > 1:
        return parts[1].replace(".", "_")
    return parts[0] if parts else "root"


class _Schemas:
    """Collects the types an operation names; one pass of pydantic turns them into
    `components.schemas` and the `$ref`s that point there."""

    def __init__(self) -> None:
        self.kinds: dict[int, Any] = {}
        self.slots: list[tuple[dict, str, int]] = []

    def ref(self, kind: Any, holder: dict, key: str = "schema") -> dict:
        self.kinds[id(kind)] = kind
        self.slots.append((holder, key, id(kind)))
        return holder

    def resolve(self) -> dict[str, Any]:
        inputs = [(k, "validation", TypeAdapter(kind)) for k, kind in self.kinds.items()]
        if not inputs:
            return {}
        refs, defs = TypeAdapter.json_schemas(inputs, ref_template=REF)
        for holder, key, k in self.slots:
            holder[key] = refs[(k, "validation")]
        return defs.get("$defs", {})


def _json(media: str, holder: dict) -> dict:
    return {"content": {media: holder}}


def _typed(op: dict, contract: Contract, path: str, schemas: _Schemas) -> None:
    if contract.summary:
        op["summary"] = contract.summary
    if contract.tags:
        op["tags"] = list(contract.tags)
    params = op.setdefault("parameters", [])
    if contract.query is not None:
        fields = contract.query.model_json_schema(ref_template=REF).get("properties", {})
        for name, info in contract.query.model_fields.items():
            schema = dict(fields.get(name, {}))
            param = {"name": name, "in": "query", "required": info.is_required(),
                     "schema": schema}
            if schema.get("description"):
                param["description"] = schema["description"]
            params.append(param)
    if contract.body is not None:
        holder: dict[str, Any] = {}
        schemas.ref(contract.body, holder)
        if contract.examples:
            holder["examples"] = {name: {"value": value}
                                  for name, value in contract.examples.items()}
        # form bodies are accepted too, but documented once: client generators mishandle two
        # media types of one schema (openapi-python-client sends both)
        op["requestBody"] = {"required": True, "content": {"application/json": holder}}
        if contract.form:
            op["requestBody"]["description"] = (
                "JSON, or the same fields as form data (application/x-www-form-urlencoded, "
                "multipart/form-data)")
    responses: dict[str, Any] = {}
    for status, kind in sorted(contract.responses.items()):
        doc = (_docstring_of(kind) or "success") if kind is not None else "no content"
        entry: dict[str, Any] = {"description": doc}
        if isinstance(kind, Media):
            entry["description"] = kind.description or kind.media_type
            entry["content"] = {kind.media_type: {"schema": {"type": "string"}}}
        elif kind is not None:
            entry["content"] = {"application/json": schemas.ref(kind, {})}
        others = contract.also.get(status, ())
        for other in (others,) if isinstance(others, Media) else others:
            fmt = {"format": "binary"} if other.binary else {}
            entry.setdefault("content", {})[other.media_type] = {"schema": {"type": "string", **fmt}}
            entry["description"] += f"; {other.description or other.media_type}"
        responses[str(status)] = entry
    for status in contract.errors:
        responses[str(status)] = {"description": ERROR_TEXT.get(status, "error"),
                                  **_json(PROBLEM_JSON, {"schema": PROBLEM})}
    op["responses"] = responses
    if contract.security is not None:
        op["security"] = contract.security


def _portable(node: Any) -> Any:
    """A nullable enum's non-null default moves into its description: client generators
    (openapi-python-client) check a default against every branch of the union and drop the
    whole model when the `null` branch refuses it."""
    if isinstance(node, dict):
        alts = node.get("anyOf")
        if isinstance(alts, list) and {"type": "null"} in alts and \
                node.get("default") is not None and any("enum" in a for a in alts):
            default = json.dumps(node.pop("default"))
            node["description"] = f"{node.get('description', '')} (default {default})".strip()
        for value in node.values():
            _portable(value)
    elif isinstance(node, list):
        for value in node:
            _portable(value)
    return node


def _docstring_of(kind: Any) -> str:
    doc = inspect.getdoc(kind) if isinstance(kind, type) else None
    if not doc or doc.startswith(("Usage docs", "A base class")):
        return ""
    return " ".join(doc.split("\n\n")[0].split())


def _legacy(op: dict, method: str, detail: dict) -> None:
    """An untyped route's `@openapi(...)` detail (see `openapi`)."""
    op["parameters"] += [{"name": name, "in": "query", "required": False, "schema": schema}
                         for name, schema in (detail.get("query") or {}).items()]
    if method in ("POST", "PUT", "PATCH"):
        body = detail.get("request") or {"type": "object"}
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    responses = {}
    for status, value in (detail.get("responses") or {"200": {}}).items():
        text = "success" if int(status) < 400 else "error"
        if isinstance(value, dict) and ("description" in value or "content" in value):
            responses[str(status)] = {"description": text, **value}
        else:
            responses[str(status)] = {"description": text,
                                      **_json("application/json", {"schema": value})}
    op["responses"] = responses


def operation(method: str, path: str, handler: Any, op_id: str, schemas: _Schemas) -> dict:
    fn = unwrapped(handler)
    detail = dict(getattr(fn, "openapi", None) or {})
    summary, description = _docstring(handler)
    where = f"handler `{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', '?')}`"
    op: dict[str, Any] = {
        "operationId": op_id,
        "summary": detail.get("summary") or summary or f"{method} {path}",
        "description": "\n\n".join(filter(None, [detail.get("description") or description,
                                                 where])),
        "tags": detail.get("tags") or [_tag(path)],
        "parameters": [{"name": name, "in": "path", "required": True,
                        "schema": {"type": "string"}} for name in _PARAM.findall(path)],
        "security": detail.get("security", security_for(path)),
    }
    contract = contract_of(handler)
    if contract is not None:
        _typed(op, contract, path, schemas)
    else:
        _legacy(op, method, detail)
    if op["security"]:
        op["responses"].setdefault("401", {"description": ERROR_TEXT[401],
                                           **_json(PROBLEM_JSON, {"schema": PROBLEM})})
    op["responses"]["default"] = {"description": "error (RFC 9457 problem document)",
                                  **_json(PROBLEM_JSON, {"schema": PROBLEM})}
    if not op["parameters"]:
        del op["parameters"]
    return op


def _operation_ids(app: web.Application):
    used: set[str] = set()
    for route in app.router.routes():
        method = route.method.upper()
        if method not in METHODS or route.resource is None:
            continue
        path = route_path(route.resource)
        if is_internal(path, route.handler):
            continue
        fn = unwrapped(route.handler)
        area = str(getattr(fn, "__module__", "")).rsplit(".", 1)[-1]
        op_id = f"{area}_{getattr(fn, '__name__', 'handler')}".strip("_")
        if op_id in used:
            op_id = f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}"
        base, n = op_id, 1
        while op_id in used:
            n += 1
            op_id = f"{base}_{n}"
        used.add(op_id)
        yield method, path, route.handler, op_id


def build(app: web.Application, title: str = "Tributary HTTP API") -> dict[str, Any]:
    from gateway.schemas.common import Problem

    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for method, path, handler, op_id in _operation_ids(app):
        paths.setdefault(path, {})[method.lower()] = operation(method, path, handler, op_id,
                                                                schemas)
    problem_slot: dict[str, Any] = {}
    schemas.ref(Problem, problem_slot)
    components = _portable(schemas.resolve())
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0", "description": (
            "Generated from the gateway's typed routes. Errors are RFC 9457 problem documents "
            "(`application/problem+json`: type, title, status, detail, code, errors[{field, "
            "problem}]). Sales routes (/api/…) take `Authorization: Bearer <token>`; "
            f"description-service routes take the `{TICKET_HEADER}` header.")},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "organisation token (`tributary org create`)"},
                "ticketAuth": {"type": "apiKey", "in": "header", "name": TICKET_HEADER,
                               "description": "session ticket (`tributary session create`)"},
                "streamTicket": {"type": "apiKey", "in": "query", "name": "ticket",
                                 "description": "60-second event-stream ticket from POST "
                                                "/api/events/ticket (EventSource sends no "
                                                "headers)"}},
            "schemas": dict(sorted(components.items())),
        },
    }
