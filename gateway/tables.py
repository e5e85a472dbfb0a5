"""Queries against the workers' Faust tables (their web pages route to the partition owner).

Live workers announce their URL in the `workers` collection every second. When no worker
answers, the durable record in MongoDB is served instead and the answer says so.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp

from infra.repos import files as file_repo

FRESH = timedelta(seconds=5)


class Tables:
    def __init__(self, db) -> None:
        self.db = db
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))

    async def close(self) -> None:
        await self.http.close()

    async def live_workers(self) -> list[dict[str, Any]]:
        since = (datetime.now(timezone.utc) - FRESH).isoformat(timespec="milliseconds")
        return [w async for w in self.db.workers.find({"ts": {"$gte": since}})]

    async def file(self, file_id: int) -> tuple[dict[str, Any] | None, str]:
        """(record view, source) where source is "table" or "store"."""
        workers = await self.live_workers()
        random.shuffle(workers)
        for worker in workers:
            for _ in range(3):
                try:
                    async with self.http.get(f"{worker['url']}/files/{file_id}/") as resp:
                        if resp.status == 404:
                            return None, "table"
                        if resp.status == 200:
                            view = await resp.json(content_type=None)
                            return view, resp.headers.get("X-Tributary-Source", "table")
                except (aiohttp.ClientError, TimeoutError):
                    break  # next worker
        return await file_repo.get(self.db, file_id), "store"
