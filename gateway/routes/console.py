"""GET /console/: the web console — one server-rendered HTML shell and hand-written static
JS/CSS from gateway/console/static (no build step, no CDN; Chart.js is vendored at a pinned
version in static/vendor/ by its vendor.sh), hash-routed pages that call the
same HTTP API as any client. Also mounts the console's event streams (gateway/console/stream.py).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from gateway.console import stream
from gateway.contract import Media, endpoint
from gateway.errors import not_found
from gateway.keys import OBJECTS
from gateway.serving import served

STATIC = Path(__file__).resolve().parent.parent / "console" / "static"
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
         ".html": "text/html", ".json": "application/json"}
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(js|css|svg)$")
VENDOR_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.(js|css|json)$")  # pinned third-party builds (vendor.sh)
_ORIGIN = web.AppKey[list]("storage_origin")


async def _storage_origin(app: web.Application) -> str:
    """The origin of presigned upload URLs (S3 or another host), allowed in connect-src."""
    if not app[_ORIGIN]:
        try:
            url = await app[OBJECTS].presign("console/probe", "PUT", 60)
            parts = urlsplit(url)
            app[_ORIGIN].append(f"{parts.scheme}://{parts.netloc}" if parts.netloc else "")
        except Exception:  # noqa: BLE001 - no storage: uploads fail with their own error
            return ""
    return app[_ORIGIN][0]


async def index(request: web.Request) -> web.Response:
    """The web console (HTML shell of a hash-routed single page; see docs/console.md)."""
    origin = await _storage_origin(request.app)
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           f"connect-src 'self' {origin}".rstrip() + "; frame-ancestors 'none'; base-uri 'none'; "
           "form-action 'self'")
    return web.Response(body=(STATIC / "index.html").read_bytes(), content_type="text/html",
                        charset="utf-8", headers={"Content-Security-Policy": csp,
                                                  "Cache-Control": "no-cache",
                                                  "Referrer-Policy": "no-referrer",
                                                  "X-Content-Type-Options": "nosniff"})


@served
async def static(request: web.Request) -> web.StreamResponse:
    """A static file of the console (JS, CSS, SVG) from gateway/console/static (or its vendor/)."""
    name = request.match_info["name"]
    vendored = request.path.startswith("/console/static/vendor/")
    path = STATIC / "vendor" / name if vendored else STATIC / name
    if not (VENDOR_NAME if vendored else NAME).match(name) or not path.is_file():
        raise not_found(f"no console file {name}")
    return web.FileResponse(path, headers={"Content-Type": TYPES[path.suffix],
                                           "Cache-Control": "no-cache",
                                           "X-Content-Type-Options": "nosniff"})


async def to_console(request: web.Request) -> web.Response:
    """Redirect to /console/."""
    raise web.HTTPFound("/console/")


index = endpoint(responses={200: Media("text/html", "the console page")}, security=[])(index)
to_console = endpoint(responses={302: None}, security=[])(to_console)
static.internal = True  # type: ignore[attr-defined] - assets, not part of the API


def setup(app: web.Application) -> None:
    app[_ORIGIN] = []
    app.router.add_get("/console", to_console)
    app.router.add_get("/console/", index)
    app.router.add_get("/console/static/{name}", static)
    app.router.add_get("/console/static/vendor/{name}", static)
    stream.setup(app)
