"""GTIN import tasks: the agent that runs them, the `gtin_import_tasks` status table folded from
their events, the worker page that answers it, retention and the reconciler.

A run stages the file (a downloaded link is copied into the object store once, an upload is
read from the store), counts its records, then reads, validates and writes 1,000 records per
batch; the next batch is validated, and its existing documents read, while the previous one is
written (one batch's writes in flight at a time). Every `progress_interval` seconds the task view
and the checkpoint (records written) are saved together, then the progress event goes out, so
a run that dies resumes at the last checkpoint: GTIN writes since then repeat, but a source is
merged by participant and conditions, so a repeated line replaces itself.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from itertools import islice
from typing import Any

import faust

from agents import lifecycle
from agents.deps import Deps, command_agent
from agents.gtin_cdn import CdnCopier
from agents.housekeeping import survive_outages
from agents.tables import register_kind
from infra.fetch import FetchError, fetch_to_file, max_file_bytes, own_key, sniff
from infra.metrics import record_rows
from infra.repos import gtin_bulk, import_errors, leases, parties
from infra.repos import import_tasks as repo
from models.gtin import FileRecords, GtinError, ImportSpec, Ok, map_line
from models.gtin.links import complete_link
from models.gtin.tabular import MAX_LINE_BYTES
from models.gtin_tasks import (
    BATCH_LINES,
    ERROR_LISTS,
    KIND,
    PUBLIC,
    TERMINAL,
    apply_event,
    batch_progress,
    done_message,
    new_task,
    progress_message,
)
from models.gtin_tasks import limits as task_limits
from topics.envelope import now_iso

log = logging.getLogger("tributary.gtin_import")
COMMANDS, EVENTS = "gtin.import.commands", "gtin.import.events"
PROGRESS_EVERY = 0.5  # seconds between progress events (and checkpoints), at the least
SAVE_SHARE = 0.02  # of a run's time the task saves may take, at the most
PROGRESS_AT_MOST = 5.0  # seconds between progress events, whatever a save costs


def progress_interval(save_seconds: float) -> float:
    """Seconds until the next progress event and checkpoint. The task document carries up to
    MAX_LISTED entries of each error list and the embedded store rewrites it whole (~30 ms at
    3,000 entries), so a run with many bad lines saves it less often: saves stay within
    SAVE_SHARE of the run (measured: every 0.5 s they took ~5 % of a 1 M-line import)."""
    return min(PROGRESS_AT_MOST, max(PROGRESS_EVERY, save_seconds / SAVE_SHARE))


def limits(settings) -> dict[str, int]:
    return task_limits(max_file_bytes(settings.fetch), MAX_LINE_BYTES)


def _count(path: str, spec: ImportSpec) -> tuple[int, list[str] | None]:
    reader = FileRecords(path, spec.delimiter, spec.has_header, quotechar=spec.quotechar)
    return sum(1 for _ in reader), reader.header


def _take(records, spec: ImportSpec, participant, n: int) -> list:
    return [map_line(spec, record, participant, line=line)
            for line, record in islice(records, n)]


class Run:
    def __init__(self, deps: Deps, doc: dict[str, Any]) -> None:
        self.deps, self.db = deps, deps.db
        self.view = {k: doc.get(k) for k in PUBLIC}
        self.checkpoint = dict(doc.get("checkpoint") or {"records": 0})
        self.spec_body = doc["spec"]
        self.sent = {name: 0 for name in ERROR_LISTS}
        self.last_emit = 0.0
        self.interval = PROGRESS_EVERY  # progress_interval of the last save

    @property
    def task_id(self) -> str:
        return self.view["id"]

    async def changed(self, status: str, message: str, **fields: Any) -> None:
        self.view.update(status=status, message=message, ts=now_iso(), **fields)
        if status in TERMINAL:
            self.view["finished_at"] = self.view["ts"]
        await self.save(emit=True)
        self.sent = {name: len(self.view[name] or []) for name in ERROR_LISTS}
        self.last_emit = time.monotonic()

    async def save(self, emit: bool = False) -> None:
        """Write the view and the checkpoint together (the kit's CAS writer, fenced by the
        task's lease: `LeaseLost` once another worker took the task over); with `emit`, tell
        the change (GtinImportTaskChanged)."""
        await lifecycle.write(self.deps, KIND, self.task_id, KIND.status_event,
                              {"task_id": self.task_id, "task": dict(self.view)}, emit=emit,
                              also={"checkpoint": self.checkpoint, "updated_at": now_iso()})

    def progress_due(self) -> bool:
        return time.monotonic() - self.last_emit >= self.interval

    async def save_progress(self) -> None:
        """Checkpoint, then tell: the lines a status shows are always within the checkpoint,
        so a resumed run never goes back behind what was shown (saved once per progress event,
        not per batch: the task document with its error lists is the largest write of a run)."""
        started = time.monotonic()
        await self.save()
        self.interval = progress_interval(time.monotonic() - started)
        await self.progressed()

    async def progressed(self) -> None:
        v = self.view
        payload = {"task_id": self.task_id, "processed_lines": v["processed_lines"],
                   "total_lines": v["total_lines"], "counts": v["counts"], "message": v["message"],
                   **{name: v[name][self.sent[name]:] for name in ERROR_LISTS}}
        await self.deps.emit(EVENTS, self.task_id, "GtinImportProgressed", payload)
        self.sent = {name: len(v[name]) for name in ERROR_LISTS}
        self.last_emit = time.monotonic()

    async def execute(self) -> None:
        started = time.monotonic()
        try:
            spec = ImportSpec.parse(self.spec_body)
            pdoc = await parties.get_participant(self.db, self.view["participant"])
            if pdoc is None:
                raise GtinError("participant", f"participant {self.view['participant']} is gone")
            participant = parties.as_participant(pdoc)
            resumed = self.checkpoint.get("records", 0)
            self.checkpoint["runs"] = int(self.checkpoint.get("runs") or 0) + 1
            if resumed:
                self.checkpoint["resumed_from"] = resumed
                log.warning("resuming import task %s after %s records", self.task_id, resumed)
            await self.changed("in_progress", f"resuming after {resumed} lines" if resumed
                               else "downloading the file")
            with tempfile.TemporaryDirectory(dir=self.deps.work_dir()) as tmp:
                path = os.path.join(tmp, "source")
                await self.stage(path, participant.id)
                if self.view.get("total_lines") is None:
                    total, header = await asyncio.to_thread(_count, path, spec)
                    spec.check_header(header)
                    self.view["total_lines"] = total
                    await self.changed("in_progress", progress_message(self.view))
                await self.import_records(path, spec, participant)
        except FetchError as exc:
            await self.changed("failed", exc.message)
            return
        except GtinError as exc:
            await self.changed("failed", str(exc))
            return
        await self.changed("done", done_message(self.view))
        record_rows("gtin_import", int(self.view.get("processed_lines") or 0)
                    - int(self.checkpoint.get("resumed_from") or 0), time.monotonic() - started)
        if self.checkpoint.get("staged"):
            await (await self.deps.store()).delete(self.checkpoint["source_key"])

    async def stage(self, path: str, participant_id: str) -> None:
        store = await self.deps.store()
        key = self.checkpoint.get("source_key")
        if key is None:
            link = complete_link(self.spec_body["link"])  # as a publisher wrote it (no scheme…)
            key = own_key(link, participant_id, self.deps.settings.public_url)
            if key is None:
                await fetch_to_file(link, path, self.deps.settings.fetch)
                key = f"gtin-imports/{self.task_id}/source"
                await store.put_file(key, path)
                self.checkpoint.update(source_key=key, staged=True)
                await self.save()
                return
            if await store.head(key) is None:
                raise FetchError(422, "upload_missing", "nothing was uploaded to this link yet")
            self.checkpoint.update(source_key=key, staged=False)
        await store.download(key, path)
        with open(path, "rb") as handle:
            sniff(handle.read(1 << 16))

    async def import_records(self, path: str, spec: ImportSpec, participant) -> None:
        copier = CdnCopier(self.deps, participant.id)
        records = iter(FileRecords(path, spec.delimiter, spec.has_header, quotechar=spec.quotechar))
        skip = int(self.checkpoint.get("records") or 0)
        brands: set[str] = set()  # brand names already upserted by this run

        def read() -> asyncio.Future:
            return asyncio.ensure_future(asyncio.to_thread(_take, records, spec, participant,
                                                           BATCH_LINES))

        ahead: asyncio.Future | None = None
        writing: asyncio.Future | None = None  # the previous batch's writes, still in flight
        written: tuple[list, dict] = ([], {})   # its outcomes and lines created/updated/...
        pending: dict[str, dict] = {}           # its documents, as they will be stored
        try:
            if skip:
                await asyncio.to_thread(lambda: sum(1 for _ in islice(records, skip)))
            ahead = read()
            while outcomes := await ahead:
                ahead = read()  # validate the next batch while this one is written
                outcomes = await copier.apply(outcomes)
                oks = [o for o in outcomes if isinstance(o, Ok)]
                ops, docs, tally = await gtin_bulk.prepare_batch(self.db, oks, participant, spec,
                                                                 brands, pending)
                if writing is not None:  # one batch's writes at a time, in file order
                    await writing
                    await self.counted(*written)
                writing = asyncio.ensure_future(gtin_bulk.write_batch(self.db, ops))
                written, pending = (outcomes, tally), docs
            if writing is not None:
                await writing
                await self.counted(*written)
            await self.save_progress()
        finally:
            if writing is not None and not writing.done():
                writing.cancel()  # not counted in the checkpoint: a resumed run writes it again
            if ahead is None or ahead.done():
                records.close()  # else the reading thread still holds it; it is collected later

    async def counted(self, outcomes: list, tally: dict[str, int]) -> None:
        """A batch is written: count it in the view and the checkpoint."""
        ts = now_iso()
        payload = batch_progress(self.view, outcomes, tally, ts)
        found = {name: payload[name] for name in ERROR_LISTS if payload[name]}
        if found:  # every entry is kept; the view lists the first MAX_LISTED of each list
            await import_errors.add(self.db, self.task_id, found)
        self.view = apply_event(self.view, "GtinImportProgressed", payload, ts)
        self.checkpoint["records"] = int(self.checkpoint.get("records") or 0) + len(outcomes)
        if self.progress_due():
            await self.save_progress()


async def run_task(deps: Deps, payload: dict[str, Any]) -> None:
    task_id = str(payload["task_id"])
    doc = await repo.get(deps.db, task_id)
    if doc is None:  # a command published by another system: create the task first
        spec = payload["spec"]
        await repo.create(deps.db, new_task(task_id, payload["participant"],
                                            payload.get("kind", "task"),
                                            spec.get("has_header", True) is not False,
                                            limits(deps.settings), now_iso()), spec)
    elif doc["status"] in TERMINAL:
        return
    async with lifecycle.hold(deps, KIND, task_id) as doc:
        if doc is None:
            return
        run = Run(deps, doc)
        try:
            await run.execute()
        except leases.LeaseLost:
            raise  # taken over: the new owner goes on
        except Exception as exc:  # noqa: BLE001 - never leave a task running forever
            log.exception("import task %s crashed", task_id)
            await run.changed("failed", f"internal error: {type(exc).__name__}: {exc}")


def register(app: faust.App, deps: Deps) -> None:
    register_kind(app, deps, KIND)
    handlers = {"StartGtinImport": lambda msg: run_task(deps, msg.payload)}

    command_agent(app, deps, COMMANDS, "gtin_import", handlers, concurrency=2)

    @app.timer(deps.settings.work.task_purge_interval, on_leader=True)
    @survive_outages
    async def purge():
        for doc in await repo.expired(deps.db, deps.settings.work.task_retention_hours):
            checkpoint = doc.get("checkpoint") or {}
            if checkpoint.get("staged") and checkpoint.get("source_key"):
                await (await deps.store()).delete(checkpoint["source_key"])
            await import_errors.delete(deps.db, doc["_id"])
            await repo.delete(deps.db, doc["_id"])
            await deps.emit(EVENTS, doc["_id"], "GtinImportTaskPurged", {"task_id": doc["_id"]})
