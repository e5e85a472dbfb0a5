"""The HTTP contract and metrics: GET /api/openapi.json, GET /api/docs, GET /metrics."""
from __future__ import annotations

import html

from aiohttp import web

from gateway.metrics import metrics_page
from gateway.openapi import build


async def openapi_json(request: web.Request) -> web.Response:
    """The OpenAPI 3 document of every route of this gateway."""
    return web.json_response(build(request.app))


def render_html(doc: dict) -> str:
    esc = html.escape
    by_tag: dict[str, list[str]] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            params = ", ".join(f"{p['name']} ({p['in']})" for p in op.get("parameters", []))
            auth = ", ".join(name for s in op.get("security", []) for name in s) or "none"
            desc = esc(op.get("description", "")).replace("\n", "<br>")
            by_tag.setdefault(op["tags"][0], []).append(
                f'<tr id="{esc(op["operationId"])}"><td class="m {esc(method)}">'
                f"{esc(method.upper())}</td><td><code>{esc(path)}</code></td>"
                f"<td><b>{esc(op['summary'])}</b><br>{desc}</td><td>{esc(params)}</td>"
                f"<td>{esc(auth)}</td><td>{esc(', '.join(op['responses']))}</td></tr>")
    sections = "".join(
        f"<h2>{esc(tag)}</h2><table><tr><th>method</th><th>path</th><th>what</th>"
        f"<th>parameters</th><th>auth</th><th>responses</th></tr>{''.join(rows)}</table>"
        for tag, rows in sorted(by_tag.items()))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{esc(doc['info']['title'])}</title><style>"
        "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;"
        "width:100%}td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}"
        ".m{font-weight:bold}.get{color:#06c}.post{color:#080}.delete{color:#c00}"
        ".put,.patch{color:#a60}</style></head><body>"
        f"<h1>{esc(doc['info']['title'])}</h1><p>{esc(doc['info']['description'])}</p>"
        "<p>Machine-readable: <a href='/api/openapi.json'>/api/openapi.json</a></p>"
        f"{sections}</body></html>")


async def docs_page(request: web.Request) -> web.Response:
    """A human-readable page listing every operation of the HTTP API."""
    return web.Response(text=render_html(build(request.app)), content_type="text/html")


def setup(app: web.Application) -> None:
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs_page)
    app.router.add_get("/metrics", metrics_page)
