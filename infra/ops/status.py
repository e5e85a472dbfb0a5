"""`tributary status FILE_ID|TASK_ID`: the history of an entity, from the workers' tables
(worker pages, found through the `workers` collection) or else from MongoDB."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp

# (kind, worker page, fallback) — sales files are integers, GTIN import tasks are hex ids
KINDS = (
    ("file", "/files/{id}/", "files"),
    ("gtin_import_task", "/gtin-import/tasks/{id}/", "gtin_import_tasks"),
)


async def _live_workers(db) -> list[str]:
    since = (datetime.now(timezone.utc) - timedelta(seconds=5)).isoformat(timespec="milliseconds")
    return [w["url"] async for w in db.workers.find({"ts": {"$gte": since}})]


async def _from_tables(urls: list[str], page: str) -> dict[str, Any] | None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        for url in urls:
            try:
                async with http.get(url + page) as resp:
                    if resp.status == 200:
                        view = await resp.json(content_type=None)
                        view["_source"] = resp.headers.get("X-Tributary-Source", "table")
                        return view
                    if resp.status == 404:
                        return None
            except (aiohttp.ClientError, TimeoutError):
                continue
    return None


async def _from_store(db, collection: str, entity_id: Any) -> dict[str, Any] | None:
    doc = await db[collection].find_one({"_id": entity_id})
    if doc:
        doc.pop("_id", None)
        doc.pop("checkpoint", None)
        doc["_source"] = "store"
    return doc


async def status(db, entity_id: str) -> dict[str, Any] | None:
    urls = await _live_workers(db)
    for kind, page, collection in KINDS:
        if kind == "file" and not entity_id.isdigit():
            continue
        key: Any = int(entity_id) if kind == "file" else entity_id
        view = await _from_tables(urls, page.format(id=entity_id))
        if view is None:
            view = await _from_store(db, collection, key)
        if view is not None:
            source = view.pop("_source", "table")
            return {"kind": kind, "id": key, "source": source, "status": view.get("status"),
                    "history": view.get("history") or [], "view": view}
    return None


def render(found: dict[str, Any]) -> list[str]:
    """Human lines: a header, then one line per history entry."""
    view = found["view"]
    lines = [f"{found['kind']} {found['id']}: {found['status']} (from {found['source']})"]
    for entry in found["history"]:
        extra = f" [{entry['status_cause']}]" if entry.get("status_cause") else ""
        lines.append(f"  {entry.get('ts')}  {entry.get('status')}{extra}")
    if view.get("error_message") or view.get("message"):
        lines.append(f"  message: {view.get('error_message') or view.get('message')}")
    if view.get("progress"):
        lines.append(f"  progress: {view['progress']}")
    return lines
