"""Helpers of the status-view tests: the stack's document store, and a worker table's own
answer (to compare the gateway's view with)."""
from __future__ import annotations

import asyncio
import contextlib
from typing import Iterator

import aiohttp
from pymongo import MongoClient

SOURCE = "X-Tributary-Source"


@contextlib.contextmanager
def store(stack) -> Iterator:
    """The stack's MongoDB database (pymongo, synchronous)."""
    client = MongoClient(stack.state["mongo_url"], directConnection=True)
    try:
        yield client[stack.state["mongo_db"]]
    finally:
        client.close()


async def worker_page(stack, path: str) -> tuple[int, dict | None, str | None]:
    port = stack.state["worker_ports"]["worker-1"]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}{path}") as resp:
            body = await resp.json(content_type=None) if resp.status == 200 else None
            return resp.status, body, resp.headers.get(SOURCE)


async def table_answer(stack, path: str, done) -> dict:
    """The worker table's answer at `path` once it satisfies `done` (the table folds the same
    events independently, possibly a little later than the gateway)."""
    body = None
    for _ in range(200):
        status, body, source = await worker_page(stack, path)
        if status == 200 and source == "table" and done(body):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"the worker table never answered {path}: {body}")
