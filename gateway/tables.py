"""Queries against the workers' Faust tables (their web pages route to the partition owner).

Live workers announce their URL in the `workers` collection every second. When no worker
answers, the durable record in MongoDB is served instead and the answer says so. The list of
live workers is cached for `WORKERS_TTL` (1 s, the heartbeat period): a worker that just died
may be tried for up to that long more, which costs one failed connection, then the next worker.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

import aiohttp

from infra.repos import files as file_repo

FRESH = timedelta(seconds=5)
WORKERS_TTL = 1.0


class Tables:
    def __init__(self, db) -> None:
        self.db = db
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        self._workers: tuple[float, list[dict[str, Any]]] = (0.0, [])

    async def close(self) -> None:
        await self.http.close()

    async def live_workers(self) -> list[dict[str, Any]]:
        """Workers seen in the last 5 s (a fresh list the caller may reorder; an empty answer
        is not cached, so a worker that comes up is found at once)."""
        expires, cached = self._workers
        if cached and expires > time.monotonic():
            return list(cached)
        since = (datetime.now(timezone.utc) - FRESH).isoformat(timespec="milliseconds")
        workers = [w async for w in self.db.workers.find({"ts": {"$gte": since}})]
        self._workers = (time.monotonic() + WORKERS_TTL, workers)
        return list(workers)

    async def view(self, path: str, fallback: Callable[[], Awaitable[dict | None]]
                   ) -> tuple[dict[str, Any] | None, str]:
        """(view, source) of one entity from a worker table page at `path` (routed there to the
        partition owner), where source is "table" or "store". A worker's 404 is final (its page
        already looked in the store); when no worker answers, `fallback()` reads the store."""
        workers = await self.live_workers()
        random.shuffle(workers)
        for worker in workers:
            for _ in range(3):  # 503 while a rebalance moves the partition: ask again
                try:
                    async with self.http.get(f"{worker['url']}{path}") as resp:
                        if resp.status == 404:
                            return None, "table"
                        if resp.status == 200:
                            view = await resp.json(content_type=None)
                            return view, resp.headers.get("X-Tributary-Source", "table")
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    break  # next worker
        return await fallback(), "store"

    async def owned(self, path: str, fallback: Callable[[], Awaitable[dict | None]], org: str,
                    what: str) -> tuple[dict[str, Any], str]:
        """`view` of an entity the organisation `org` owns; anyone else's (or none) is a 404
        naming `what`, so an entity's existence never leaks to another organisation."""
        from gateway.errors import not_found

        view, source = await self.view(path, fallback)
        if view is None or view.get("organisation") != org:
            raise not_found(f"no {what}")
        return view, source

    async def file(self, file_id: int) -> tuple[dict[str, Any] | None, str]:
        """(record view, source) of a sales file."""
        return await self.view(f"/files/{file_id}/", lambda: file_repo.get(self.db, file_id))
