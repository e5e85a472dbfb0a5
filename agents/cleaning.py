"""Cleaning agent: detect and normalise an uploaded sales file into canonical rows.

The heavy lifting is `models.sales.clean.clean_file` (pure, streaming), run in a thread so
the worker keeps heartbeating; this module only moves bytes and records statuses.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import threading
import time
from typing import TYPE_CHECKING

import faust
import pyarrow as pa

from agents import lifecycle, reconcile, statements
from agents.busy_fetches import BusyFetches
from agents.deps import Deps, command_agent
from agents.sales_status import Progress, fail, file_work, set_status
from agents.zip_upload import expand_upload, is_zip_upload
from infra.memory import release_memory
from infra.metrics import record_rows
from infra.repos import files as file_repo
from infra.retry import RetryError, retry
from infra.storage.base import file_sha256
from models.files import KIND
from models.sales.schema import CANONICAL_SCHEMA, STRING_FIELDS
from topics.envelope import Message
from topics.registry import topic

if TYPE_CHECKING:
    from models.sales.snapshot_io import Staged

log = logging.getLogger("tributary.cleaning")
DISCARDED = ("UNSUPPORTED_TYPE", "EMPTY", "CORRUPTED")


def staging_key(record: dict) -> str:
    return f"staging/{record['organisation']}/{record['id']}/attempt-{record['attempt']}.parquet"


def snapshot_key(record: dict) -> str:
    return staging_key(record).removesuffix(".parquet") + SNAPSHOT_SUFFIX


SNAPSHOT_SUFFIX = ".snapshot.arrow"  # the staged snapshot: its pages in Arrow IPC (models.sales.snapshot_io)


class CleaningCancelled(Exception):
    """The cleaning was stopped from outside (the file turned out to be a duplicate)."""


ROW_GROUP_ROWS = 256 * 1024  # rows per Parquet row group (and per snapshot group-by)
# min/max statistics where readers prune on them; on every column they cost ~10 % of the writing
STATISTICS = ["statement_period", "sale_period", "dsp", "territory", "currency", "line"]
# dictionaries where values repeat; amounts and line numbers rarely do (5 M rows: 10 % less
# writing and a 9 % smaller file than dictionaries everywhere)
DICTIONARY = [f.name for f in CANONICAL_SCHEMA if f.type == pa.string()] + ["quantity"]
_ENCODED_SCHEMA = pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), f.type)) if f.name in STRING_FIELDS
                             else f for f in CANONICAL_SCHEMA])


class _RowGroupSink:
    """Collects cleaned batches into row groups; one thread writes them to Parquet, two fold
    them into the snapshot (byTrack, and the other lists: `snapshot.SPLIT`) and one into the
    statement digest, so encoding and grouping overlap the cleaning and each other.
    Memory: at most a few row groups in flight (bounded queues)."""

    def __init__(self, out: str, cancel: threading.Event | None = None) -> None:
        import pyarrow.parquet as pq

        from models.sales.snapshot import SPLIT, SnapshotBuilder
        from models.sales.statement import StatementDigest

        # string columns arrive dictionary-encoded (`encode_columns`); without the stored Arrow
        # schema the file reads back as CANONICAL_SCHEMA, plain strings
        self.writer = pq.ParquetWriter(out, _ENCODED_SCHEMA, compression="zstd", store_schema=False,
                                       write_statistics=STATISTICS, use_dictionary=DICTIONARY,
                                       column_encoding={"line": "DELTA_BINARY_PACKED"})
        self.snapshots = [SnapshotBuilder(names) for names in SPLIT]
        self.digest = StatementDigest()
        self.vocab: dict = {}   # the file's vocabulary of each text column (key_ids.FileIds)
        self.pending: list = []
        self.rows = 0
        self.cancel = cancel
        self.error: BaseException | None = None
        self.stages = [_Stage("parquet-writer", self._write, self._failed),
                       *(_Stage(f"snapshot-{i}", builder.add, self._failed)
                         for i, builder in enumerate(self.snapshots)),
                       _Stage("statement", self.digest.add, self._failed)]

    def _write(self, table, codes) -> None:
        from models.sales.key_ids import as_dictionary

        columns = [as_dictionary(codes[f.name]) if f.name in codes else table.column(f.name)
                   for f in CANONICAL_SCHEMA]
        self.writer.write_table(pa.Table.from_arrays(columns, schema=_ENCODED_SCHEMA),
                                row_group_size=len(table))

    def _failed(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc

    def __call__(self, batch) -> None:
        if self.error is not None:
            raise self.error
        if self.cancel is not None and self.cancel.is_set():
            raise CleaningCancelled("cleaning cancelled")
        self.pending.append(batch)
        self.rows += batch.num_rows
        if self.rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            from models.sales.coded import same_type_chunks
            from models.sales.key_ids import encode_columns

            names = self.pending[0].schema.names          # chunked: the stages take it as is
            table = same_type_chunks([[b.column(i) for b in self.pending] for i in range(len(names))], names)
            codes = encode_columns(table, STRING_FIELDS, self.vocab)  # each string hashed once, for all
            for stage in self.stages:
                stage.put((table, codes))
            self.pending, self.rows = [], 0

    def close(self, ok: bool = True) -> Staged | None:
        """The staged snapshot (None when not `ok`), staged while the Parquet writer and the
        statement digest may still take the last row group: the snapshot's folds are waited for
        first, and the other two, which the snapshot does not wait for, yield the cores to it
        until they are waited for last (`_Stage.yield_cores`)."""
        from models.sales.snapshot_io import stage_of

        if ok:
            self._flush()
        writer, *folds, digest = self.stages
        staged = None
        try:
            for stage in (writer, digest):
                stage.yield_cores()
            for stage in folds:
                stage.close()
            if ok and self.error is None:
                staged = stage_of(self.snapshots)   # the pages the store will keep
        finally:
            digest.close()
            writer.close()
            self.writer.close()
            self.pending = []
            pa.default_memory_pool().release_unused()  # the next file starts from a lean worker
        if self.error is not None and ok:
            raise self.error
        return staged


class _Stage:
    """A thread applying `work` to the tables put to it, in order; the first error is handed
    to `failed` (re-raised in the cleaning thread) and the rest is drained unprocessed."""

    def __init__(self, name: str, work, failed) -> None:
        import queue

        self.work, self.failed, self.broken = work, failed, False
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.thread = threading.Thread(target=self._drain, name=name, daemon=True)
        self.thread.start()

    def put(self, table) -> None:
        self.queue.put(table)

    def _drain(self) -> None:
        while (group := self.queue.get()) is not None:
            if not self.broken:
                try:
                    self.work(*group)
                except BaseException as exc:  # noqa: BLE001 - re-raised in the cleaning thread
                    self.broken = True
                    self.failed(exc)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()

    def yield_cores(self, nice: int = 5) -> None:
        """Lower this stage's thread's priority for the rest of its life, which ends at `close`
        (Linux keeps a nice value per thread): at the end of a file the snapshot's lists and
        pages are what the file waits for. Best effort: unchanged where it cannot be done."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.thread.native_id, nice)
        except (AttributeError, OSError, TypeError):
            pass


def _clean_to_parquet(src: str, out: str, filename: str, options, progress,
                      cancel: threading.Event | None = None) -> object:
    """Clean `src` into the Parquet file `out` and its snapshot into `out` + SNAPSHOT_SUFFIX;
    `cancel` set stops it at the next batch (CleaningCancelled)."""
    from dataclasses import replace

    from models.sales.clean import DateOrderRestart, clean_file
    from models.sales.snapshot_io import write_staged

    sink = _RowGroupSink(out, cancel)
    try:
        try:
            result = clean_file(src, filename, options, sink, progress)
        except DateOrderRestart as exc:   # late rows settled the date order: clean again
            sink.close(ok=False)
            sink = _RowGroupSink(out, cancel)
            result = clean_file(src, filename, replace(options, date_order_found=(exc.order, exc.example)),
                                sink, progress)
    except BaseException:
        sink.close(ok=False)
        raise
    staged = sink.close()
    write_staged(staged, out + SNAPSHOT_SUFFIX)
    del staged
    release_memory()
    return result, sink.digest.result(result.layout)


@file_work(("UPLOADED", "REIMPORT", "CLEANING"), "clean")
async def clean(deps: Deps, msg: Message, record: dict) -> None:
    from models.sales.errors import SalesFileError

    attempt = record["attempt"]
    record = await retry(lambda: set_status(deps, record, "CLEANING"), "record CLEANING")
    store = await deps.store()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        src = os.path.join(tmp, "original")
        try:
            stored = await store.head(record["object_key"])
            await retry(lambda: store.download(record["object_key"], src), "read the upload")
        except Exception as exc:  # noqa: BLE001
            cause = "STORAGE_ERROR" if isinstance(exc, RetryError) else "NOT_UPLOADED"
            await fail(deps, record, cause, f"could not read the uploaded object: {exc}")
            return
        if is_zip_upload(record):         # a zip uploaded by hand: its members become files
            await expand_upload(deps, record, src, tmp)
            return
        progress = Progress(deps, record, "CLEANING")
        busy = BusyFetches()

        def on_progress(rows: int, percent: float) -> None:
            asyncio.run_coroutine_threadsafe(progress.report(rows, percent), loop)
            if percent >= 100.0:               # the read is done: short fetches again
                loop.call_soon_threadsafe(busy.release)

        options = await _options(deps, record)
        out = os.path.join(tmp, "clean.parquet")
        started = time.monotonic()
        # the checksum (taken during the upload, or now while the cleaning runs) comes first
        cancel = threading.Event()
        cleaning = asyncio.ensure_future(_while_busy(busy, asyncio.to_thread(
            _clean_to_parquet, src, out, record["filename"], options, on_progress, cancel)))
        try:
            checksum = await store.sha256(record["object_key"]) or \
                await asyncio.to_thread(file_sha256, src)
            twin = await file_repo.find_by_checksum(deps.db, record["organisation"], checksum,
                                                    record["id"])
        except BaseException:
            cancel.set()  # the thread must be done before its temporary directory goes
            await asyncio.gather(cleaning, return_exceptions=True)
            raise
        if twin and not statements.overridden(record, twin["id"]):
            cancel.set()
            await asyncio.gather(cleaning, return_exceptions=True)
            await statements.duplicate(deps, record, twin, checksum, "the same bytes")
            return
        try:
            result, statement = await cleaning
        except SalesFileError as exc:
            if exc.cause in DISCARDED:
                await store.delete(record["object_key"])
            await fail(deps, record, exc.cause, exc.message, checksum=checksum,
                       **{"layout_proposal": None, "inference": None, **exc.details})
            if exc.cause == "NOT_SALES":  # e.g. a SoundOn Summary: keep its totals to reconcile
                await reconcile.on_summary(deps, record, src)
            return
        except Exception as exc:  # noqa: BLE001 - never leave a file stuck in CLEANING
            log.exception("cleaning crashed for %s", record["id"])
            await fail(deps, record, "CORRUPTED", f"the file could not be read: {exc}")
            return
        record_rows("cleaning", result.rows, time.monotonic() - started)
        verdict = await statements.after_cleaning(deps, record, result, statement, checksum)
        if verdict is None:  # a DUPLICATE or a refused MISMATCH: already recorded as FAILED
            return
        try:
            await retry(lambda: store.put_file(staging_key(record), out), "store the cleaned rows")
            await retry(lambda: store.put_file(snapshot_key(record), out + SNAPSHOT_SUFFIX),
                        "store the snapshot")
        except RetryError as exc:
            await fail(deps, record, "STORAGE_ERROR", str(exc), checksum=checksum)
            return
    await progress.report(result.rows, 100.0, force=True)
    warnings: list = list(verdict.pop("warnings"))
    warnings += [{"warning": text} for text in (result.warnings or [])[:100]]
    if result.inference:                  # a recorded guess, shown: the mapping and its confidences
        warnings.append({"warning": inference_warning(result.inference)})
    cleaned = dict(checksum=checksum, layout=result.layout, encoding=result.encoding,
                   object_etag=stored.etag if stored else None, **verdict,
                   date_order=result.date_order, data_quality=result.data_quality,
                   conversion=result.conversion, totals_by_currency=result.totals_by_currency,
                   total_rows=result.rows, bad_rows=result.bad_rows,
                   bad_samples=result.bad_samples[:100], warnings=warnings,
                   reporting_period=result.reporting_period or record.get("reporting_period"),
                   currency=result.currency, staging_key=staging_key(record),
                   inference=result.inference, layout_proposal=None)
    await retry(lambda: set_status(deps, record, "CLEANED", **cleaned), "record CLEANED")
    await lifecycle.hand_on(deps, KIND, record["id"])
    await deps.emit("sales.import.commands", record["id"], "ImportSalesFile",
                    {"file_id": record["id"], "attempt": attempt})


async def _while_busy(busy: BusyFetches, work):
    """`work` with this worker's fetches slowed until its read is done (agents/busy_fetches.py)."""
    with busy:
        return await work


def inference_warning(proposal: dict) -> str:
    fields = ", ".join(f"{f} ← {h!r} ({proposal['confidence'].get(f, 0):.2f})"
                       for h, f in proposal["mapping"]["columns"].items())
    extra = "; ".join(proposal.get("notes") or [])
    return (f"layout inferred from header names and values: {fields}"
            + (f"; {extra}" if extra else "")
            + "; correct it with POST /api/files/salesfiles/{id}/layout/")


async def _options(deps: Deps, record: dict):
    """Cleaning options of a file: its exchange_rate and date_order, the organisation's
    layouts, base currency, rates and date settings."""
    from infra.repos import orgs
    from infra.repos import rates as rate_repo
    from models.rates import rate_table
    from models.sales.clean import CleanOptions

    org = record["organisation"]
    settings = await orgs.settings(deps.db, org)
    return CleanOptions(exchange_rate=_decimal(record.get("exchange_rate")),
                        max_bad_share=deps.settings.max_bad_share,
                        clean_ahead=deps.settings.work.clean_ahead,
                        mappings=await deps.org_layouts(org),
                        base_currency=settings["base_currency"],
                        org_rates=rate_table(await rate_repo.find(deps.db, org)),
                        date_order=record.get("date_order_requested"),
                        org_date_order=settings["date_order"], org_locale=settings["locale"])


def _decimal(value):
    from decimal import Decimal

    return Decimal(str(value)) if value not in (None, "") else None


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("sales.cleaning.commands")
    handlers = {"CleanSalesFile": lambda msg: clean(deps, msg)}

    command_agent(app, deps, spec.name, "cleaning", handlers)
