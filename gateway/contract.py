"""Typed routes: a handler declares its request and response models once, with `@endpoint`.

    @endpoint(body=CreateReport, responses={202: ReportAccepted}, errors=(400, 401))
    async def create(request: web.Request, body: CreateReport) -> ReportAccepted:
        ...
        return ReportAccepted(id=report_id, status="PENDING")

The wrapper parses the query string into `query=` (a model, unknown parameters ignored) and the
body (JSON object or form fields, at most `max_body` bytes) into `body=` (a model; unknown
fields are refused unless the model says otherwise), answering 400 `validation_error` with a
`{field, problem}` per fault (gateway/errors.py). The handler returns a model, a dict (checked
against the model declared for the status), `(status, payload)` or `(status, payload, headers)`,
or any aiohttp response (streams, files, HTML). A handler with a `credential` parameter gets what
`auth` answered (the organisation, the GTIN participant) instead of asking for it again. The same
declaration feeds gateway/openapi.py: a route documented there is exactly what it parses and
answers.
"""
from __future__ import annotations

import functools
import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from gateway.body_limits import check_text, read_json, too_large
from gateway.errors import ApiError
from gateway.serving import served, unwrapped

log = logging.getLogger("tributary.gateway")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Media:
    """A non-JSON answer (HTML page, file, event stream) documented by its media type."""
    media_type: str
    description: str = ""
    binary: bool = False  # bytes (a workbook), not text


@dataclass(frozen=True)
class Contract:
    body: Any = None  # a model class (or a type pydantic can validate, e.g. list[Model])
    query: type[BaseModel] | None = None
    responses: Mapping[int, Any] = field(default_factory=dict)  # status → model | Media | None
    errors: tuple[int, ...] = ()
    summary: str | None = None
    tags: tuple[str, ...] = ()
    security: list | None = None  # None: by path prefix (gateway/openapi.py)
    examples: Mapping[str, Any] = field(default_factory=dict)  # name → request body example
    form: bool = True  # the body may also come as form fields
    max_body: int = MAX_BODY
    auth: Callable | None = None  # checked before anything is parsed (401 before 400)
    find: Callable | None = None  # the entity the path names (404 before 400), as `found=`
    # other media types of a status (CSV, XLSX)
    also: Mapping[int, Media | tuple[Media, ...]] = field(default_factory=dict)

    @property
    def success(self) -> int:
        return min(s for s in self.responses if s < 400) if self.responses else 200


def problems_of(exc: ValidationError, prefix: tuple = ()) -> list[dict[str, str]]:
    """pydantic's errors as `[{field, problem}]` (dotted field paths, plain-language problems)."""
    out = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err.get("loc") or ())
        name = ".".join(str(p) for p in loc) or "body"
        kind = err.get("type", "")
        if kind == "missing":
            text = "required"
        elif kind == "extra_forbidden":
            text = "unknown field (not part of this request)"
        else:
            text = str(err.get("msg", "invalid"))
            for lead in ("Value error, ", "Assertion failed, "):
                text = text.removeprefix(lead)
        out.append({"field": name, "problem": text})
    return out


def validation_error(problems: list[dict[str, str]], what: str = "request") -> ApiError:
    listed = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:10])
    return ApiError(400, "validation_error", f"the {what} has problems: {listed}",
                    errors=problems)


@functools.lru_cache(maxsize=None)
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


async def parse_body(request: web.Request, kind: Any, *, form: bool = True,
                     max_body: int = MAX_BODY) -> Any:
    """The request body validated as `kind` (JSON, or form fields when `form`)."""
    if request.content_length is not None and request.content_length > max_body:
        raise too_large(max_body)
    if form and request.content_type in FORMS:
        data = await request.post()
        raw: Any = {k: v for k, v in data.items() if isinstance(v, str)}
        check_text(raw)
    else:
        raw = await read_json(request, max_body)  # bounded, parsed off the loop when large
    try:
        return _adapter(kind).validate_python(raw)
    except ValidationError as exc:
        raise validation_error(problems_of(exc), "body") from None


def parse_query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    """The query string validated as `model` (the last value of a repeated parameter wins,
    unless the model's field is a list)."""
    raw: dict[str, Any] = {}
    for name in request.query:
        values = request.query.getall(name)
        info = model.model_fields.get(name)
        listy = info is not None and getattr(info.annotation, "__origin__", None) is list
        raw[name] = values if listy else values[-1]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(problems_of(exc), "query") from None


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def render(contract: Contract, result: Any) -> web.StreamResponse:
    """The handler's result as a response, checked against the declared model."""
    if result.__class__ is web.Response or isinstance(result, web.StreamResponse):
        return result  # (the first test spares the status GETs an ABC isinstance)
    status, headers = contract.success, None
    if isinstance(result, tuple):
        status, result, *rest = result
        headers = rest[0] if rest else None
    kind = contract.responses.get(status)
    if kind is None and status not in contract.responses:
        raise RuntimeError(f"status {status} is not declared by this route's @endpoint")
    if result is None or kind is None:
        return web.Response(status=status, headers=headers)
    if isinstance(kind, Media):
        raise RuntimeError("a Media answer must be returned as an aiohttp response")
    if not (isinstance(kind, type) and isinstance(result, kind)):
        try:
            result = _adapter(kind).validate_python(_dump(result))
        except ValidationError as exc:
            log.error("answer breaks its declared schema %s: %s", kind, exc)
            raise ApiError(500, "response_contract", "the answer broke its declared schema; "
                           "see the gateway log") from None
    body = _adapter(kind).dump_python(result, mode="json", by_alias=True, exclude_unset=True)
    return web.json_response(body, status=status, headers=headers)


def endpoint(*, body: Any = None, query: type[BaseModel] | None = None,
             responses: Mapping[int, Any] | None = None, errors: tuple[int, ...] = (),
             summary: str | None = None, tags: tuple[str, ...] = (), security: list | None = None,
             examples: Mapping[str, Any] | None = None, form: bool = True,
             max_body: int = MAX_BODY, auth: Callable | None = None,
             find: Callable | None = None,
             also: Mapping[int, Media | tuple[Media, ...]] | None = None) -> Callable:
    """Declare a route's request and response models (see the module docstring). `auth` (e.g.
    gateway.auth.organisation) runs first, so a request without credentials answers 401
    whatever its body; its `security` attribute is the route's OpenAPI security; a handler with
    a `credential` parameter gets what it answered. `find` runs
    next and hands the entity the path names to the handler as `found=`, so a missing or
    foreign entity answers 404 before its body is judged. `also` documents another media type a
    status may answer in (the handler returns it as an aiohttp response)."""
    contract = Contract(body=body, query=query, responses=dict(responses or {200: None}),
                        errors=tuple(errors), summary=summary, tags=tuple(tags),
                        security=security if security is not None
                        else getattr(auth, "security", None), examples=dict(examples or {}),
                        form=form, max_body=max_body, auth=auth, find=find, also=dict(also or {}))

    def wrap(fn: Callable) -> Callable:
        takes_credential = "credential" in inspect.signature(fn).parameters
        if takes_credential and auth is None:
            raise TypeError(f"{fn.__qualname__} takes a credential but its @endpoint has no auth")

        if find is None and query is None and body is None:  # a GET's wrapper: fewer steps
            @functools.wraps(fn)
            async def handler(request: web.Request) -> web.StreamResponse:
                if takes_credential:
                    result = await fn(request, credential=await auth(request))
                else:
                    if auth is not None:
                        await auth(request)
                    result = await fn(request)
                return result if result.__class__ is web.Response else render(contract, result)
        else:
            @functools.wraps(fn)
            async def handler(request: web.Request) -> web.StreamResponse:
                kwargs: dict[str, Any] = {}
                if auth is not None:
                    credential = await auth(request)
                    if takes_credential:
                        kwargs["credential"] = credential
                if find is not None:
                    kwargs["found"] = await find(request)
                if query is not None:
                    kwargs["query"] = parse_query(request, query)
                if body is not None:
                    kwargs["body"] = await parse_body(request, body, form=form,
                                                      max_body=max_body)
                return render(contract, await fn(request, **kwargs))

        handler.contract = contract  # type: ignore[attr-defined]
        return served(handler)
    return wrap


def contract_of(handler: Any) -> Contract | None:
    return getattr(unwrapped(handler), "contract", None)
