"""Import agent: canonical rows → Parquet sales store, per-file snapshot, org summary.

Keys are deterministic (organisation, period, file id), so a redelivered or reimported file
replaces its Parquet and snapshot instead of adding to them.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from typing import TYPE_CHECKING

import faust

from agents import reconcile, statements
from agents.cleaning import snapshot_key
from agents.deps import Deps, command_agent
from agents.rollups import start_rollups
from agents.sales_status import fail, file_work, set_status
from infra.memory import release_memory
from infra.metrics import record_rows
from infra.repos import snapshots as snapshot_repo
from infra.retry import RetryError, retry
from topics.envelope import Message, now_iso
from topics.registry import topic

if TYPE_CHECKING:
    from models.sales.snapshot_io import Staged

log = logging.getLogger("tributary.importing")


def sales_key(record: dict) -> str:
    period = record.get("reporting_period") or "unknown"
    return f"sales/org={record['organisation']}/period={period}/file={record['id']}.parquet"


def _summarise(path: str) -> Staged:
    """The snapshot from the Parquet itself, when no staged one is there (an older attempt)."""
    import pyarrow.parquet as pq

    from models.sales.snapshot import build_snapshot
    from models.sales.snapshot_io import stage

    parquet = pq.ParquetFile(path)
    return stage(build_snapshot(parquet.iter_batches(batch_size=256 * 1024)))


async def _staged_snapshot(store, key: str, path: str) -> Staged | None:
    """The snapshot the cleaning agent computed while writing the rows, already cut into its
    page documents (no second pass over the Parquet, no entry decoded), or None when it is not
    there (older attempt): then it is recomputed."""
    from models.sales.snapshot_io import read_staged

    if await store.head(key) is None:
        return None
    await store.download(key, path)
    return await asyncio.to_thread(read_staged, path)


async def _keep_pages(store, record: dict, attempt: int, staged: Staged, tmp: str) -> str:
    """The snapshot's pages object: the staged file as the cleaning wrote it (no page is
    decoded or copied; a local store links it), or, when the snapshot was recomputed or staged
    in the older whole-snapshot format, one written here to a file of its own (the downloaded
    one may be a link to the staged object)."""
    from models.sales.snapshot_io import write_staged

    if staged.source is None:
        await asyncio.to_thread(write_staged, staged, os.path.join(tmp, "pages.arrow"))
    key = snapshot_repo.pages_key(record, attempt)
    await retry(lambda: store.put_file(key, staged.source), "store the snapshot pages")
    return key


async def _drop_older_pages(store, record: dict, kept: str) -> None:
    """Pages objects of earlier attempts, once the document points at the new one."""
    try:
        for info in await store.list(snapshot_repo.pages_prefix(record)):
            if info.key != kept:
                await store.delete(info.key)
    except Exception:  # noqa: BLE001 - a leftover pages object is harmless, and swept with the file
        log.warning("could not remove older snapshot pages of file %s", record["id"])


@file_work(("CLEANED", "PROCESSING", "PROCESSED"), "import")
async def import_file(deps: Deps, msg: Message, record: dict) -> None:
    attempt = record["attempt"]
    if record["status"] != "PROCESSED":
        record = await retry(lambda: set_status(deps, record, "PROCESSING"), "record PROCESSING")
        store = await deps.store()
        started = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
                path = os.path.join(tmp, "clean.parquet")
                await retry(lambda: store.download(record["staging_key"], path),
                            "read the cleaned rows")
                staged = await _staged_snapshot(store, snapshot_key(record),
                                                os.path.join(tmp, "snapshot.arrow"))
                staged = staged or await asyncio.to_thread(_summarise, path)
                pages = await _keep_pages(store, record, attempt, staged, tmp)
                key = sales_key(record)
                old = record.get("parquet_key")
                await retry(lambda: store.put_file(key, path), "store the sales Parquet")
                if old and old != key:
                    await retry(lambda: store.delete(old), "remove the previous Parquet")
        except Exception as exc:  # noqa: BLE001 - never leave a file stuck in PROCESSING
            log.exception("import failed for %s", record["id"])
            cause = "STORAGE_ERROR" if isinstance(exc, RetryError) else "IMPORT_FAILED"
            await fail(deps, record, cause, f"import failed: {exc}")
            return
        totals = staged.totals
        record_rows("import", int(totals["rows"] or 0), time.monotonic() - started)
        extra = {k: record.get(k) for k in ("data_quality", "conversion", "date_order")}
        await retry(lambda: snapshot_repo.save(deps.db, record, staged, attempt, extra, pages),
                    "save the snapshot")
        await _drop_older_pages(store, record, pages)
        # total_local (spec field) only when the file holds one currency; per currency always
        processed = dict(parquet_key=key, total_rows=totals["rows"],
                         total_artists=totals["artists"], total_local=totals["revenue"],
                         currency=totals.get("currency", record.get("currency")),
                         total_converted=totals["revenue_converted"],
                         converted_currency=(record.get("conversion") or {}).get("currency"),
                         converted_complete=totals.get("converted_complete", True),
                         totals_by_currency=totals.get("by_currency"), processed_at=now_iso())
        staged = None  # the snapshot can be large: freed before the next file
        await asyncio.to_thread(release_memory)
        record = await retry(lambda: set_status(deps, record, "PROCESSED", **processed),
                             "record PROCESSED")
        # staging goes only once PROCESSED is recorded, so a crash before that can redo the step
        try:
            await store.delete(record["staging_key"])
            await store.delete(snapshot_key(record))
        except Exception:  # noqa: BLE001 - a leftover staging object is harmless
            log.warning("could not remove staging object of file %s", record["id"])
    record = await retry(lambda: set_status(deps, record, "FINALIZED"), "record FINALIZED")
    # after FINALIZED: a summary read at any time counts the file (refresh_summary reads the
    # files as they are); this one merges its keys into the union the reads reuse (summary_counts)
    await retry(lambda: snapshot_repo.refresh_summary(deps.db, record["organisation"]),
                "refresh the summary")
    if record.get("parts"):
        await statements.check_parts(deps, record)
    if record.get("layout") == reconcile.LAYOUT:
        await reconcile.check(deps, record["organisation"], record.get("reporting_period"))
    start_rollups(deps, record)  # in the background: never delays or fails the import


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("sales.import.commands")
    handlers = {"ImportSalesFile": lambda msg: import_file(deps, msg)}

    command_agent(app, deps, spec.name, "importing", handlers)
