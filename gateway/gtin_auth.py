"""Who is calling the description service: the `authenticateit_identity_ticket` header names a
session; its current participant must exist. 401 without a known ticket, 403 without a
participant."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.errors import ApiError
from infra import logs
from infra.repos import parties
from models.gtin import Participant

HEADER = "authenticateit_identity_ticket"


async def current_participant(request: web.Request) -> tuple[Participant, dict[str, Any]]:
    """(participant, participant document) of the request's session."""
    ticket = request.headers.get(HEADER, "").strip()
    if not ticket:
        raise ApiError(401, "unauthorized", f"send the {HEADER} header "
                       "(create a session with `tributary session create`)")
    db = request.app["db"]
    session = await parties.session_for(db, ticket)
    if session is None:
        raise ApiError(401, "unauthorized", "unknown or expired ticket")
    urn = session.get("current_participant")
    if not urn:
        raise ApiError(403, "forbidden", "the session has no current participant")
    doc = await parties.get_participant(db, urn)
    if doc is None:
        raise ApiError(403, "forbidden", f"participant {urn} does not exist")
    logs.bind(participant=urn)  # carried on this request's log lines
    return parties.as_participant(doc), doc
