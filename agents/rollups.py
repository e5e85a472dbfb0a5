"""The import's last step, once the file is FINALIZED: its analytics rollups
(infra/analytics/build.py) built from the stored Parquet, put beside it in the object store,
and named on the stored record (`rollups: {kind: key}`, a field internal to the store: no
status change, not in the API's record). In the background, on one DuckDB thread: the rollups of a 1 M-row file take
seconds, the import itself a fraction of one, so neither the time to FINALIZED nor the next
file's import waits for them. Never a reason to fail an import: on any error (or a worker
stopping meanwhile) it logs and records nothing, and the gateway builds what a view needs
from the rows (infra/analytics/rollup.ensure). A void or a reimport started meanwhile wins: the
record is written only while it is still this attempt, FINALIZED, with this Parquet. The
previous attempt's rollups are removed."""
from __future__ import annotations

import asyncio
import logging
import tempfile
import time

from agents.deps import Deps
from infra.analytics import build
from infra.memory import release_memory
from infra.metrics import record_rows
from infra.repos import files as file_repo
from infra.retry import retry

log = logging.getLogger("tributary.rollups")
_RUNNING: set[asyncio.Task] = set()


def start_rollups(deps: Deps, record: dict) -> None:
    """Build the rollups of a FINALIZED file in the background (see the module)."""
    if record.get("status") == "FINALIZED" and record.get("parquet_key"):
        task = asyncio.get_running_loop().create_task(build_rollups(deps, record))
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)


async def drain() -> None:
    """Wait until the rollups started are built (tests)."""
    while _RUNNING:
        await asyncio.gather(*list(_RUNNING), return_exceptions=True)


async def build_rollups(deps: Deps, record: dict) -> dict[str, str] | None:
    """Build, store and record the rollups of a FINALIZED file; {kind: key} or None."""
    try:
        return await _build(deps, record)
    except Exception:  # noqa: BLE001 - a background task: the gateway falls back to the rows
        log.exception("rollups of file %s not recorded", record["id"])
        return None


async def _build(deps: Deps, record: dict) -> dict[str, str] | None:
    store = await deps.store()
    keys = await store_rollups(store, record, deps.work_dir())
    if keys is None:
        return None
    old = set((await file_repo.rollup_keys(deps.db, record["id"])).values()) - set(keys.values())
    if not await retry(lambda: file_repo.record_rollups(deps.db, record, keys), "record the rollups"):
        log.info("file %s changed while its rollups were built; not recorded", record["id"])
        await _remove(store, keys.values())
        return None
    await _remove(store, old)
    return keys


async def store_rollups(store, record: dict, work_dir: str) -> dict[str, str] | None:
    """{kind: object key} of the rollups of `record`'s stored Parquet (its current attempt),
    or None when they could not be built or stored."""
    started, keys, parquet = time.monotonic(), {}, record["parquet_key"]
    try:
        with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
            rows_path = f"{tmp}/rows.parquet"
            await retry(lambda: store.download(parquet, rows_path), "read the sales Parquet")
            wanted = build.targets(parquet, record["attempt"], tmp)
            rows = await asyncio.to_thread(build.write, rows_path, {k: p for k, (_, p) in wanted.items()},
                                           build.IMPORT_THREADS)
            for kind, (key, local) in wanted.items():
                await retry(lambda key=key, local=local: store.put_file(key, local), "store a rollup")
                keys[kind] = key
    except Exception:  # noqa: BLE001 - analytics falls back to the rows; the import stands
        log.exception("rollups of file %s not built; analytics will build them when asked", record["id"])
        await _remove(store, keys.values())
        return None
    finally:
        await asyncio.to_thread(release_memory)   # DuckDB's and Arrow's pages of the build
    seconds = time.monotonic() - started
    record_rows("rollups", rows, seconds)
    log.info("rollups of file %s built in %.2f s", record["id"], seconds)
    return keys


async def remove_rollups(deps: Deps, store, record: dict) -> None:
    """Remove the rollups a file's stored record names (its rows leave: a void)."""
    keys = await file_repo.rollup_keys(deps.db, record["id"])
    await _remove(store, keys.values())
    await deps.db.files.update_one({"_id": record["id"]}, {"$unset": {"rollups": ""}})


async def _remove(store, keys) -> None:
    for key in list(keys):
        try:
            await store.delete(key)
        except Exception:  # noqa: BLE001 - a leftover rollup is never read (no record names it)
            log.warning("could not remove rollup %s", key)
