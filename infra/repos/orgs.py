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


async def create(db: AsyncDatabase, name: str, **settings: Any) -> dict[str, Any]:
    """A new organisation; `settings` (base_currency, locale, date_order) already checked
    (models.org_settings); the base currency defaults to USD."""
    from models.org_settings import effective

    number = await next_id(db, "organisations")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32] or "org"
    org = {"_id": f"org-{number}", "id": f"org-{number}", "name": name, "slug": slug,
           **effective(settings)}
    await db.organisations.insert_one(org)
    return {"id": org["id"], "name": name, **effective(org),
            "token": await issue_token(db, org["id"])}


async def settings(db: AsyncDatabase, org_id: Any) -> dict[str, Any]:
    """Base currency, locale and date order of an organisation (defaults filled in)."""
    from models.org_settings import effective

    return effective(await db.organisations.find_one({"_id": org_id}))


async def update_settings(db: AsyncDatabase, org_id: Any, values: dict[str, Any]) -> dict[str, Any]:
    if values:
        await db.organisations.update_one({"_id": org_id}, {"$set": values})
    return await settings(db, org_id)


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
