"""Who is calling the description service: the `authenticateit_identity_ticket` header names a
session; its current participant must exist. 401 without a known ticket, 403 without a
participant.

A resolved ticket is cached in this gateway (`app[TICKETS]`), with its participant document, for
`settings.gateway.ticket_cache_seconds` (`TRIBUTARY_TICKET_CACHE_SECONDS`, default 3; 0 turns the cache off; see
gateway/credentials.py): every request would otherwise cost two document-store round trips.
Security consequence: a session deleted (ticket revoked), a session switched to another
participant, or a participant deleted or changed (prefixes, type, system flag) in the store is
seen by this gateway within that many seconds, not at once. Unknown tickets and sessions
without an existing participant are never cached, so a session or participant created a moment
ago works at once. The cache is keyed by the ticket itself (the store keeps only its SHA-256): a
kept ticket is answered without hashing it.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.credentials import digest
from gateway.errors import ApiError
from gateway.keys import DB, TICKETS
from infra import logs
from infra.repos import parties
from models.gtin import Participant

HEADER = "authenticateit_identity_ticket"
# (participant, document) of this request
_RESOLVED = web.RequestKey("gtin_participant", tuple)


async def _lookup(db, ticket: str) -> tuple[Participant, dict[str, Any]]:
    session = await parties.session_for(db, ticket)
    if session is None:
        raise ApiError(401, "unauthorized", "unknown or expired ticket")
    urn = session.get("current_participant")
    if not urn:
        raise ApiError(403, "forbidden", "the session has no current participant")
    doc = await parties.get_participant(db, urn)
    if doc is None:
        raise ApiError(403, "forbidden", f"participant {urn} does not exist")
    return parties.as_participant(doc), doc


async def current_participant(request: web.Request) -> tuple[Participant, dict[str, Any]]:
    """(participant, participant document) of the request's session; the document is a copy.
    Resolved once per request (routes call it after their @endpoint did, or take it as their
    `credential=`: gateway/contract.py); a ticket kept in `app[TICKETS]` is answered without
    awaiting anything."""
    if len(request):  # something is stored on the request (a Request is always true)
        try:
            participant, doc = request[_RESOLVED]
            return participant, dict(doc)
        except KeyError:
            pass
    ticket = request.headers.get(HEADER, "").strip()
    if not ticket:
        raise ApiError(401, "unauthorized", f"send the {HEADER} header "
                       "(create a session with `tributary session create`)")
    app = request.app
    db, tickets = app[DB], app[TICKETS]
    key = (id(db), digest(ticket))  # → (participant, participant document)
    found = tickets.kept(key, _lookup, db, ticket)
    if found is None:
        found = await tickets.get(key, _lookup, db, ticket)
    participant, doc = found
    logs.bind(participant=participant.id)  # carried on this request's log lines
    request[_RESOLVED] = found
    return participant, dict(doc)


current_participant.security = [{"ticketAuth": []}]  # type: ignore[attr-defined]
