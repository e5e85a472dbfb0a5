"""The HTTP contract and metrics: GET /api/openapi.json, GET /api/docs (Redoc, vendored by
gateway/docs_ui/vendor.sh; no CDN), GET /metrics."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway.contract import Media, endpoint
from gateway.errors import not_found
from gateway.metrics import metrics_page
from gateway.openapi import build
from gateway.serving import served

UI = Path(__file__).resolve().parent.parent / "docs_ui" / "vendor"
ASSETS = {"redoc.standalone.js": "text/javascript"}
CSP = ("default-src 'self'; script-src 'self'; worker-src 'self' blob:; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
_DOC = web.AppKey[dict]("openapi_document")


def document(app: web.Application) -> dict[str, Any]:
    """The app's OpenAPI document, built once (routes do not change after start-up)."""
    built = app[_DOC]
    if "doc" not in built:
        built["doc"] = build(app)
    return built["doc"]


@endpoint(responses={200: Media("application/json", "the OpenAPI 3.1 document")}, security=[])
async def openapi_json(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of every public route of this gateway."""
    return web.json_response(document(request.app))


def operation_list(doc: dict) -> str:
    """Every operation as an HTML table (the page's text without JavaScript)."""
    esc = html.escape
    rows = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            rows.append(f'<tr id="{esc(op["operationId"])}"><td>{esc(method.upper())}</td>'
                        f"<td><code>{esc(path)}</code></td><td>{esc(op['summary'])}</td>"
                        f"<td>{esc(', '.join(op['responses']))}</td></tr>")
    return ("<table><tr><th>method</th><th>path</th><th>what</th><th>responses</th></tr>"
            f"{''.join(rows)}</table>")


def render_html(doc: dict) -> str:
    esc = html.escape
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(doc['info']['title'])}</title></head><body>"
        "<redoc spec-url='/api/openapi.json'></redoc>"
        f"<noscript><h1>{esc(doc['info']['title'])}</h1><p>{esc(doc['info']['description'])}</p>"
        "<p>Machine-readable: <a href='/api/openapi.json'>/api/openapi.json</a></p>"
        f"{operation_list(doc)}</noscript>"
        "<script src='/api/docs/redoc.standalone.js'></script></body></html>")


@endpoint(responses={200: Media("text/html", "API reference page (Redoc)")}, security=[])
async def docs_page(request: web.Request) -> web.Response:
    """The API reference page (Redoc over /api/openapi.json; a plain table without JavaScript)."""
    return web.Response(text=render_html(document(request.app)), content_type="text/html",
                        headers={"Content-Security-Policy": CSP,
                                 "X-Content-Type-Options": "nosniff"})


@served
async def asset(request: web.Request) -> web.FileResponse:
    """A vendored file of the docs page (internal: not in the OpenAPI document)."""
    name = request.match_info["name"]
    if name not in ASSETS:
        raise not_found(f"no docs asset {name}")
    return web.FileResponse(UI / name, headers={"Content-Type": ASSETS[name],
                                                "Cache-Control": "public, max-age=86400",
                                                "X-Content-Type-Options": "nosniff"})


@endpoint(responses={200: Media("text/plain", "Prometheus text exposition")}, security=[])
async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics of this gateway."""
    return await metrics_page(request)


def setup(app: web.Application) -> None:
    app[_DOC] = {}
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs_page)
    app.router.add_get("/api/docs/{name}", asset)
    app.router.add_get("/metrics", metrics)
