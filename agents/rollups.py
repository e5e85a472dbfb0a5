"""The import's last step before PROCESSED: the file's analytics rollups
(infra/analytics/build.py) built from the Parquet just stored, put beside it in the object
store, and their keys returned for the record (`rollups`). Never a reason to fail an import:
on any error it logs and returns None, and the gateway builds what it needs from the rows
(infra/analytics/rollup.ensure). The previous attempt's rollups are removed."""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time

from infra.analytics import build
from infra.metrics import record_rows
from infra.retry import retry

log = logging.getLogger("tributary.rollups")


async def store_rollups(store, record: dict, parquet_key: str, path: str) -> dict[str, str] | None:
    """{kind: object key} of the rollups of the rows at `path` (stored at `parquet_key` for
    `record`'s current attempt), or None when they could not be built or stored."""
    started, keys = time.monotonic(), {}
    try:
        with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as tmp:
            wanted = build.targets(parquet_key, record["attempt"], tmp)
            rows = await asyncio.to_thread(build.write, path, {k: p for k, (_, p) in wanted.items()})
            for kind, (key, local) in wanted.items():
                await retry(lambda key=key, local=local: store.put_file(key, local), "store a rollup")
                keys[kind] = key
    except Exception:  # noqa: BLE001 - analytics falls back to the rows; the import goes on
        log.exception("rollups of file %s not built; analytics will build them when asked", record["id"])
        await _remove(store, keys.values())
        keys = None
    else:
        seconds = time.monotonic() - started
        record_rows("rollups", rows, seconds)
        log.info("rollups of file %s built in %.2f s", record["id"], seconds)
    await _remove(store, set((record.get("rollups") or {}).values()) - set((keys or {}).values()))
    return keys


async def remove_rollups(store, record: dict) -> None:
    """Remove the rollups a record names (its rows leave: a void)."""
    await _remove(store, (record.get("rollups") or {}).values())


async def _remove(store, keys) -> None:
    for key in list(keys):
        try:
            await store.delete(key)
        except Exception:  # noqa: BLE001 - a leftover rollup is never read (no record names it)
            log.warning("could not remove rollup %s", key)
