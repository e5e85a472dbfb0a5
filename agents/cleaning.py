"""Cleaning agent: detect and normalise an uploaded sales file into canonical rows.

The heavy lifting is `models.sales.clean.clean_file` (pure, streaming), run in a thread so
the worker keeps heartbeating; this module only moves bytes and records statuses.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile

import faust

from agents.deps import Deps, dispatch
from agents.sales_status import Progress, fail, set_status
from infra.repos import files as file_repo
from topics.envelope import Message
from topics.registry import topic

log = logging.getLogger("tributary.cleaning")
DISCARDED = ("UNSUPPORTED_TYPE", "EMPTY", "CORRUPTED")


def staging_key(record: dict) -> str:
    return f"staging/{record['organisation']}/{record['id']}/attempt-{record['attempt']}.parquet"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _clean_to_parquet(src: str, out: str, filename: str, options, progress) -> object:
    import pyarrow.parquet as pq

    from models.sales.clean import clean_file
    from models.sales.schema import CANONICAL_SCHEMA

    with pq.ParquetWriter(out, CANONICAL_SCHEMA, compression="zstd") as writer:
        return clean_file(src, filename, options, writer.write_batch, progress)


async def clean(deps: Deps, msg: Message) -> None:
    from models.sales.clean import CleanOptions
    from models.sales.errors import SalesFileError

    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    attempt = int(msg.payload["attempt"])
    if not record or record.get("attempt") != attempt or \
            record["status"] not in ("UPLOADED", "REIMPORT", "CLEANING"):
        log.info("clean skipped for %s (stale or done)", msg.payload)
        return
    record = await set_status(deps, record, "CLEANING")
    store = await deps.store()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        src = os.path.join(tmp, "original")
        try:
            await store.download(record["object_key"], src)
        except Exception as exc:  # noqa: BLE001
            await fail(deps, record, "NOT_UPLOADED", f"could not read the uploaded object: {exc}")
            return
        checksum = await asyncio.to_thread(_sha256, src)
        if not record.get("allow_duplicate"):
            twin = await file_repo.find_by_checksum(deps.db, record["organisation"], checksum,
                                                    record["id"])
            if twin:
                await fail(deps, record, "DUPLICATE",
                           f"same content as file {twin['id']} ({twin['filename']}); "
                           "process again with allow_duplicate=true to import it anyway",
                           checksum=checksum, duplicate_of=twin["id"])
                return
        progress = Progress(deps, record, "CLEANING")

        def on_progress(rows: int, percent: float) -> None:
            asyncio.run_coroutine_threadsafe(progress.report(rows, percent), loop)

        options = CleanOptions(exchange_rate=_decimal(record.get("exchange_rate")),
                               max_bad_share=deps.settings.max_bad_share,
                               mappings=await deps.org_layouts(record["organisation"]))
        out = os.path.join(tmp, "clean.parquet")
        try:
            result = await asyncio.to_thread(_clean_to_parquet, src, out, record["filename"],
                                             options, on_progress)
        except SalesFileError as exc:
            if exc.cause in DISCARDED:
                await store.delete(record["object_key"])
            await fail(deps, record, exc.cause, exc.message, checksum=checksum)
            return
        except Exception as exc:  # noqa: BLE001 - never leave a file stuck in CLEANING
            log.exception("cleaning crashed for %s", record["id"])
            await fail(deps, record, "CORRUPTED", f"the file could not be read: {exc}")
            return
        await store.put_file(staging_key(record), out)
    await progress.report(result.rows, 100.0, force=True)
    warnings = []
    if result.totals_check and not result.totals_check.get("ok", True):
        warnings.append(result.totals_check)
    await set_status(deps, record, "CLEANED", checksum=checksum, layout=result.layout,
                     encoding=result.encoding, total_rows=result.rows, bad_rows=result.bad_rows,
                     bad_samples=result.bad_samples[:100], warnings=warnings,
                     declared_totals=result.declared_totals,
                     reporting_period=result.reporting_period or record.get("reporting_period"),
                     currency=result.currency, staging_key=staging_key(record))
    await deps.emit("sales.import.commands", record["id"], "ImportSalesFile",
                    {"file_id": record["id"], "attempt": attempt})


def _decimal(value):
    from decimal import Decimal

    return Decimal(str(value)) if value not in (None, "") else None


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("sales.cleaning.commands")
    handlers = {"CleanSalesFile": lambda msg: clean(deps, msg)}

    @app.agent(deps.topic(spec.name), name="cleaning")
    async def cleaning(stream):
        async for event in stream.events():
            await dispatch(deps, spec, event, handlers)
