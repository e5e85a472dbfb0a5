"""GTIN-service participants (company prefixes, type, modules) and their sessions.

A participant is `{_id: URN, id, type: "participant", participant_type, company_prefix: [...],
gtin8: [...], product360, system}`; a session is `{id, name, roles, current_participant, user}` stored under
the SHA-256 of its ticket (the plain ticket is shown once, when the session is created).
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from models.gtin import GtinError, Participant, check_gtin8, check_prefix
from topics.envelope import now_iso

PARTICIPANT_TYPES = ("brand", "retailer", "gs1", "contributor", "manufacturer", "distributor")


def ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def check_participant(urn: str, prefixes: list[str], ptype: str, gtin8: list[str] | None = None,
                      system: bool = False) -> dict[str, str]:
    """Field -> problem; prefixes and GTIN-8s are checked against GS1's ranges and lengths."""
    errors = {}
    if not urn or len(urn) > 200 or any(c.isspace() for c in urn):
        errors["id"] = "a participant id (URN) without spaces, at most 200 characters"
    for field, values, check in (("prefix", prefixes, check_prefix), ("gtin8", gtin8 or (), check_gtin8)):
        problems = []
        for value in values:
            try:
                check(value, system=system)
            except GtinError as exc:
                problems.append(f"{value}: {exc.reason}")
        if problems:
            errors[field] = "; ".join(problems)
    if ptype not in PARTICIPANT_TYPES:
        errors["type"] = f"one of {', '.join(PARTICIPANT_TYPES)}"
    return errors


async def create_participant(db: AsyncDatabase, urn: str, prefixes: list[str], ptype: str,
                             product360: bool = False, system: bool = False,
                             gtin8: list[str] | None = None) -> dict[str, Any]:
    doc = {"_id": urn, "id": urn, "type": "participant", "participant_type": ptype,
           "company_prefix": sorted({p.strip() for p in prefixes}),
           "gtin8": sorted({g.strip() for g in gtin8 or ()}), "product360": product360,
           "system": system, "created_at": now_iso()}
    await db.participants.replace_one({"_id": urn}, doc, upsert=True)
    return doc


async def get_participant(db: AsyncDatabase, urn: str) -> dict[str, Any] | None:
    return await db.participants.find_one({"_id": urn})


async def create_session(db: AsyncDatabase, participant: str | None, user: str,
                         name: str | None = None, roles: list[str] | None = None) -> dict[str, Any]:
    ticket = secrets.token_urlsafe(24)
    session_id = secrets.token_hex(8)
    doc = {"_id": ticket_hash(ticket), "id": session_id, "name": name or user, "user": user,
           "roles": roles or ["user"], "current_participant": participant,
           "created_at": now_iso()}
    await db.sessions.insert_one(doc)
    shown = {k: v for k, v in doc.items() if k != "_id"}
    return {**shown, "ticket": ticket}


async def session_for(db: AsyncDatabase, ticket: str) -> dict[str, Any] | None:
    if not ticket or len(ticket) > 200:
        return None
    return await db.sessions.find_one({"_id": ticket_hash(ticket)})


def as_participant(doc: dict[str, Any]) -> Participant:
    return Participant(id=doc["_id"], type=doc.get("participant_type", "contributor"),
                       prefixes=tuple(doc.get("company_prefix") or ()),
                       product360=bool(doc.get("product360")), system=bool(doc.get("system")),
                       gtin8=tuple(doc.get("gtin8") or ()))
