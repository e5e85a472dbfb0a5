"""Report agent: PENDING → RUNNING (progress per file) → DONE / FAILED with a cause.

Reads the period's Parquet sales (never the raw uploads) file by file and batch by batch, splits
each batch into catalog-matched and unmatched rows (models.reports.CatalogIndex), streams the
wanted kind to report.csv.gz (RFC 4180: CRLF, quotes doubled; UTF-8; header) and stores the
snapshot. Memory is bounded by one batch plus the catalog lookup, whatever the period's size.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import tempfile
import time

import faust

from agents import lifecycle
from agents.deps import Deps, command_agent
from agents.tables import register_kind
from infra.metrics import record_rows
from infra.repos import catalog as catalog_repo
from infra.repos import reports as repo
from models.reports import COLUMNS, KIND, CatalogIndex, Totals, csv_table, report_created, snapshot
from topics.envelope import Message, now_iso
from topics.registry import topic

log = logging.getLogger("tributary.reports")
EVENTS = KIND.events
BATCH_ROWS = 65_536


def report_key(record: dict) -> str:
    return f"reports/org={record['organisation']}/report={record['id']}/report.csv.gz"


set_status = functools.partial(lifecycle.set_status, KIND)


class ReportWriter:
    """One report's CSV and running totals, fed one Parquet file at a time (in a thread). Each
    batch's CSV text is one gzip member, compressed on the other cores (infra.gzip_members)."""

    def __init__(self, kind: str, path: str, catalog: CatalogIndex) -> None:
        from infra.gzip_members import GzipMembersWriter

        self.kind, self.catalog = kind, catalog
        self.matched, self.unmatched = Totals(), Totals()
        self.gz = GzipMembersWriter(path)
        self.header = True

    def add_batches(self, batches, file_id: int, limit: int = 8, base: str | None = None) -> int:
        """Split and write up to `limit` batches of an iterator; the number of rows read."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        rows = 0
        for _, batch in zip(range(limit), batches):
            matched, unmatched = self.catalog.split(batch, file_id)
            self.matched.add(matched, base)
            self.unmatched.add(unmatched, base)
            table = csv_table(self.kind, matched if self.kind == "monthly" else unmatched)
            if table.num_rows or self.header:
                text = pa.BufferOutputStream()
                pcsv.write_csv(table, text, write_options=pcsv.WriteOptions(
                    include_header=self.header, eol="\r\n", quoting_style="needed"))
                self.gz.write(text.getvalue().to_pybytes())
                self.header = False
            rows += batch.num_rows
        return rows

    def close(self) -> None:
        if self.header:  # no sales at all: the header alone
            self.gz.write((",".join(f'"{c}"' for c in COLUMNS[self.kind]) + "\r\n").encode())
        self.gz.close()

    def abort(self) -> None:
        self.gz.close(discard=True)


def _load_catalog(path: str | None, version: int | None) -> CatalogIndex:
    import pyarrow.parquet as pq

    columns = ["isrc", "upc", "release_title", "track_title", "artist", "label", "line"]
    return CatalogIndex(pq.read_table(path, columns=columns) if path else None, version)


async def run(deps: Deps, record: dict) -> None:
    store = await deps.store()
    org, period, kind = record["organisation"], record["period"], record["type"]
    record = await set_status(deps, record, "RUNNING", progress={"files_done": 0, "percent": 0.0})
    files = await repo.period_files(deps.db, org, period)
    current = await catalog_repo.current(deps.db, org)
    with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
        cat_path = None
        if current:
            cat_path = os.path.join(tmp, "catalog.parquet")
            await store.download(current["object_key"], cat_path)
        catalog = await asyncio.to_thread(_load_catalog, cat_path, current and current["version"])
        out = os.path.join(tmp, "report.csv.gz")
        writer = ReportWriter(kind, out, catalog)
        try:
            included, total_rows = [], sum(f.get("rows") or 0 for f in files) or 1
            done_rows, started = 0, time.monotonic()
            for number, info in enumerate(files):
                if not info.get("parquet_key") or await store.head(info["parquet_key"]) is None:
                    raise ReportFailure("SALES_MISSING", f"file {info['file_id']} has no Parquet "
                                        "sales object; reimport it")
                path = os.path.join(tmp, "sales.parquet")
                await store.download(info["parquet_key"], path)
                batches = _batches(path)
                rows = 0
                while True:  # a thread hop per few batches: the worker keeps heartbeating
                    step = await asyncio.to_thread(writer.add_batches, batches, info["file_id"], 8,
                                                    info.get("base"))
                    if not step:
                        break
                    rows += step
                    pct = round(min(99.9, 100.0 * (done_rows + rows) / total_rows), 1)
                    await set_status(deps, record, "RUNNING", progress={
                        "files_done": number, "files_total": len(files), "rows": done_rows + rows,
                        "percent": pct})
                os.remove(path)
                done_rows += rows
                included.append({"file_id": info["file_id"], "attempt": info["attempt"],
                                 "rows": rows, "filename": info.get("filename")})
            await asyncio.to_thread(writer.close)
        except BaseException:
            writer.abort()
            raise
        record_rows("report", done_rows, time.monotonic() - started)
        snap = snapshot(kind, period, writer.matched, writer.unmatched,
                        current and current["version"], included)
        key = report_key(record)
        await store.put_file(key, out)
    await set_status(deps, record, "DONE", snapshot=snap, object_key=key, finished_at=now_iso())


def _batches(path: str):
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)


class ReportFailure(Exception):
    def __init__(self, cause: str, message: str) -> None:
        super().__init__(message)
        self.cause, self.message = cause, message


async def create(deps: Deps, msg: Message) -> None:
    """Store the report's first record (the gateway stored it already with its outbox entry:
    then this only announces it) and run it under its lease. A redelivery after the report
    moved on announces nothing (the lease decides whether it runs again)."""
    data = msg.payload
    event, record = report_created(data, msg.ts)
    if not await deps.db.organisations.find_one({"_id": data["organisation"]}):
        reason = f"unknown organisation {data['organisation']!r}"
        await deps.emit(EVENTS, record["id"], "ReportRejected", {
            "report_id": record["id"], "organisation": data["organisation"], "reason": reason})
        stored = await repo.get(deps.db, record["id"])  # the gateway's record ends here
        if stored is not None and stored.get("status") == "PENDING":
            await set_status(deps, stored, "FAILED", cause="REJECTED", error=reason)
        return
    if await repo.insert(deps.db, record):
        await deps.emit(EVENTS, record["id"], KIND.status_event, event)
    else:
        stored = await repo.get(deps.db, record["id"])
        if stored is not None and stored.get("status") == "PENDING":
            await deps.emit(EVENTS, record["id"], KIND.status_event, event)
    async with lifecycle.hold(deps, KIND, record["id"]) as held:
        if held is None:  # done, or running elsewhere under a live lease
            return
        await execute(deps, await repo.get(deps.db, record["id"]))


async def execute(deps: Deps, record: dict) -> None:
    """Run the report under its lease: every status write is fenced by it."""
    try:
        await run(deps, record)
    except lifecycle.LeaseLost:
        raise  # taken over: the new owner finishes it
    except ReportFailure as exc:
        await set_status(deps, record, "FAILED", cause=exc.cause, error=exc.message)
    except Exception as exc:  # noqa: BLE001 - never leave a report stuck in RUNNING
        log.exception("report %s failed", record["id"])
        await set_status(deps, record, "FAILED", cause="INTERNAL", error=str(exc)[:500])


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("reports.commands")
    register_kind(app, deps, KIND)
    handlers = {"CreateReport": lambda m: create(deps, m)}

    command_agent(app, deps, spec.name, "reports", handlers)
