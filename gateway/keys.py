"""The gateway application's shared state, one typed `web.AppKey` each, declared once here and
set in gateway/app.py (string keys lose the type and make aiohttp warn: NotAppKeyWarning)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.bus import Bus
from gateway.credentials import CredentialCache
from gateway.tables import Tables
from gateway.views import Views
from infra.config import Settings

SETTINGS = web.AppKey[Settings]("settings")  # built once at process start (tributary/)
MONGO = web.AppKey[Any]("mongo")  # the MongoDB client, closed at shutdown
DB = web.AppKey[Any]("db")  # the MongoDB database
OBJECTS = web.AppKey[Any]("objects")  # the object store (infra/storage)
BUS = web.AppKey[Bus]("bus")  # publish commands, wait for their events (gateway/bus.py)
VIEWS = web.AppKey[Views]("views")  # the gateway's status views (gateway/views.py)
TABLES = web.AppKey[Tables]("tables")  # worker table queries (gateway/tables.py)
TOKENS = web.AppKey[CredentialCache]("tokens")  # resolved Bearer tokens (gateway/auth.py)
TICKETS = web.AppKey[CredentialCache]("tickets")  # resolved session tickets (gateway/gtin_auth.py)
