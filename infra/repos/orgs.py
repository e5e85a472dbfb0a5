"""Organisations and their API tokens. Tokens are stored only as SHA-256 hashes."""
from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from infra.mongo import next_id


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(db: AsyncDatabase, name: str) -> dict[str, Any]:
    number = await next_id(db, "organisations")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32] or "org"
    org = {"_id": f"org-{number}", "id": f"org-{number}", "name": name, "slug": slug}
    await db.organisations.insert_one(org)
    return {"id": org["id"], "name": name, "token": await issue_token(db, org["id"])}


async def find(db: AsyncDatabase, ref: str) -> dict[str, Any] | None:
    """An organisation by id or by exact name."""
    org = await db.organisations.find_one({"_id": ref}) or \
        await db.organisations.find_one({"name": ref})
    return org


async def issue_token(db: AsyncDatabase, org_id: str) -> str:
    token = "trb_" + secrets.token_urlsafe(32)
    await db.tokens.insert_one({"_id": token_hash(token), "organisation": org_id})
    return token


async def resolve(db: AsyncDatabase, token: str) -> str | None:
    """The organisation id a bearer token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    doc = await db.tokens.find_one({"_id": token_hash(token)})
    return doc["organisation"] if doc else None
