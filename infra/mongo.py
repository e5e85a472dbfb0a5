"""The document store: one AsyncMongoClient per process, created inside the running loop."""
from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from infra.config import Settings


def connect(settings: Settings) -> AsyncMongoClient:
    url = settings.mongo_url
    if "directConnection" not in url and "replicaSet" not in url and "+srv" not in url:
        if "?" in url:
            url += "&directConnection=true"
        else:
            url = url.rstrip("/") + "/?directConnection=true"
    return AsyncMongoClient(url, serverSelectionTimeoutMS=5000, tz_aware=False)


def database(client: AsyncMongoClient, settings: Settings) -> AsyncDatabase:
    return client[settings.mongo_db]


async def next_id(db: AsyncDatabase, name: str) -> int:
    """A unique increasing integer per name (atomic `$inc` on a counter document)."""
    doc = await db.counters.find_one_and_update(
        {"_id": name}, {"$inc": {"seq": 1}}, upsert=True, return_document=True)
    return int(doc["seq"])


async def ping(db: AsyncDatabase) -> bool:
    try:
        await db.command("ping")
        return True
    except Exception:  # noqa: BLE001 - health probe
        return False
