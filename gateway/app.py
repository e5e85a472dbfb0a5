"""The aiohttp gateway: validates requests, publishes commands, answers from its status views
(gateway/views.py), the workers' tables or the stores."""
from __future__ import annotations

import logging

from aiohttp import web

from gateway.bus import Bus
from gateway.credentials import CredentialCache
from gateway.keys import BUS, DB, MONGO, OBJECTS, SETTINGS, TABLES, TICKETS, TOKENS, VIEWS
from gateway.serving import add_unmatched, served
from gateway.tables import Tables
from gateway.views import Views
from infra.config import Settings
from infra.mongo import connect, database

log = logging.getLogger("tributary.gateway")


# one module per area under gateway/routes/, each with setup(app)
ROUTE_MODULES = ["health", "files", "file_layout", "gtin_items", "gtin_descriptions", "gtin_import",
                 "gtin_import_errors", "catalog", "reports", "layouts", "auto_upload", "console",
                 "docs", "void", "money", "analytics"]


def _route_modules() -> list:
    """The listed modules; a missing one is an error, never silently skipped."""
    import importlib

    return [importlib.import_module(f"gateway.routes.{name}") for name in ROUTE_MODULES]


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)  # forms; JSON: gateway/body_limits.py
    app[SETTINGS] = settings
    app[TOKENS] = CredentialCache(settings.gateway.token_cache_seconds)
    app[TICKETS] = CredentialCache(settings.gateway.ticket_cache_seconds)
    for module in _route_modules():
        module.setup(app)
    _mount_objects(app, settings)
    add_unmatched(app)  # the last route: every request is served (gateway/serving.py)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    return app


def _mount_objects(app: web.Application, settings: Settings) -> None:
    from infra.storage import open_store

    store = open_store(settings.storage_url, public_base_url=settings.public_url,
                       secret=settings.secret, faults=settings.faults.objects)
    app[OBJECTS] = store
    from gateway.upload_links import through_gateway

    if through_gateway(settings):  # sales uploads: bounded and single-use on every backend
        from gateway.upload_guard import UploadGuard
        from infra.storage.local_http import add_routes

        local = settings.storage_url.startswith("file://")
        add_routes(app, store, secret=settings.secret, guard=UploadGuard(app), gets=local,
                   wrap=served)


async def _start(app: web.Application) -> None:
    settings: Settings = app[SETTINGS]
    app[MONGO] = connect(settings)
    app[DB] = database(app[MONGO], settings)
    await app[OBJECTS].start()
    app[TABLES] = Tables(app[DB])
    from gateway.freshness import ReadBarrier

    barrier = ReadBarrier() if settings.consistent_reads else None
    app[VIEWS] = Views(app[TABLES], barrier=barrier)
    from topics.registry import all_topics

    event_topics = [t.name for t in all_topics() if t.kind == "events" and t.follow]
    bus = Bus(settings, event_topics, app[VIEWS], barrier)
    for _ in range(60):
        try:
            await bus.start()
            break
        except Exception as exc:  # noqa: BLE001 - broker still starting
            log.warning("waiting for the broker: %s", exc)
            await __import__("asyncio").sleep(0.5)
            bus = Bus(settings, event_topics, app[VIEWS], barrier)
    app[BUS] = bus


async def _stop(app: web.Application) -> None:
    if BUS in app:
        await app[BUS].stop()
    if TABLES in app:
        await app[TABLES].close()
    await app[OBJECTS].close()
    if MONGO in app:
        await app[MONGO].close()
