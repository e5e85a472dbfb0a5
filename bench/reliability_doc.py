"""Write docs/reliability.md from the figures JSON the reliability suite emits.

    TRIBUTARY_RELIABILITY_OUT=/tmp/figures.json pytest tests/reliability
    python -m bench.reliability_doc /tmp/figures.gw*.json [/tmp/more-figures.json ...]

(the suite runs on two test processes, each writing its own figures file: figures.gw0.json, …)

The figures files are merged into docs/reliability-figures.json (committed; without arguments
the document is rendered from it again).

Every number in the document comes from that file (tests/reliability/conftest.py `record`; a
test records its figures only after its assertions held). Rows whose figures are missing say
so: the test did not run, or failed, in that run. tests/unit/test_reliability_doc.py checks that
the committed document is this script's rendering of the committed figures.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

MISSING = "— not in this run"

# (section, figure) → (fault, how it is injected, test file); the outcome is the figure
FAULTS = [
    (("liveness", "sigstop_worker"), "worker hung (SIGSTOP) mid-file",
     "SIGSTOP the worker whose work directory is busy; short heartbeats on that stack only",
     "test_hung_worker.py"),
    (("liveness", "sigstop_gateway"), "gateway hung (SIGSTOP)",
     "SIGSTOP the gateway; short heartbeats on that stack only", "test_hung_worker.py"),
    (("faults", "sigkill_worker_processing"), "worker SIGKILLed while importing",
     "kill when the file shows PROCESSING", "test_faults.py"),
    (("faults", "sigkill_worker_report_running"), "worker SIGKILLed while a report runs",
     "kill when the report shows RUNNING", "test_faults.py"),
    (("faults", "sigkill_worker_gtin_import_task"), "worker SIGKILLed during a GTIN import task",
     "kill after the first lines are imported", "test_faults.py"),
    (("leases", "abandoned_gtin_task"), "GTIN task lease abandoned",
     "a task's lease left to expire", "test_leases.py"),
    (("broker_restart", "healthy_new_generation_s"), "broker SIGKILLed, restarted empty: "
     "seconds until /healthz is ok on the new generation", "`kill_child(\"broker\")` with "
     "requests before, during and after", "test_broker_generations.py"),
    (("broker_restart", "slowest_request_after_s"), "broker SIGKILLed, restarted empty: "
     "slowest request once back, seconds", "as above", "test_broker_generations.py"),
    (("faults", "docstore_restart_during_import"), "document store restarted during an import",
     "`kill_child(\"docstore\")`, same port and file", "test_faults.py"),
    (("faults", "object_store_put_errors"), "object-store write errors",
     "`TRIBUTARY_FAULTS` fails `put_file` calls of one organisation", "test_faults.py"),
    (("faults", "sigterm_worker"), "SIGTERM to a worker mid-cleaning",
     "`kill_child(\"worker-1\", SIGTERM)`", "test_faults.py"),
    (("faults", "sigterm_stack_restart"), "SIGTERM to the whole stack with work in flight",
     "`stack.stop()`, then `start()` on the same data", "test_faults.py"),
    (("scale_failover", "killed"), "worker SIGKILLed under a scaled batch",
     "kill worker-2 of a multi-worker stack mid-batch", "test_scale_failover.py"),
]
LABELS = {
    "load": "Load held (one gateway, several workers; `test_load.py`)",
    "scale_failover": "Failover under a scaled batch (`test_scale_failover.py`)",
    "hostile_bodies": "Hostile request bodies, per body over the body-taking routes "
                      "(`test_hostile_bodies.py`)",
    "parsers": "Parsers under property tests: examples run (`test_parsers_property.py`)",
    "fuzz": "API fuzzing from /api/openapi.json (`test_api_fuzz.py`)",
    "hostile_files": "Hostile files refused (`test_hostile_files.py`)",
    "formulas": "Formula cells (`test_formulas.py`)",
    "fetch": "Links fetched only from public addresses (`test_public_fetch.py`)",
    "access": "Access control over every route (`test_access.py`)",
    "outbox": "Nothing acknowledged is lost: refused publishes, a stopped worker, a lost broker "
              "log, poison creates (`test_outbox.py`, `test_outbox_auto_upload.py`)",
    "storage_limits": "Storage bounded: sales-file upload URLs limited to the declared size and "
                      "single-use, the sweeper (`test_upload_limits.py`, `test_sweeper.py`)",
}


def fmt(value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "<br>".join(fmt(v) for v in value) if value else "none"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(head: tuple[str, ...], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return lines + [""]


def merge(parts: list[dict]) -> dict:
    """Figures of several invocations (e.g. the heavy load tests run apart) as one: later files
    win figure by figure; each invocation's `run` (start, CPUs, load) is kept in `runs`, with
    the tests it ran."""
    merged: dict = {"runs": []}
    for part in parts:
        for run in part.get("runs") or [dict(part.get("run") or {},
                                             tests=sorted(part.get("tests", {})))]:
            merged["runs"].append(run)
        for section, values in part.items():
            if section not in ("run", "runs"):
                merged.setdefault(section, {}).update(values)
    return merged


def _run(figures: dict) -> list[str]:
    tests = figures.get("tests", {})
    outcomes = [t["outcome"] for t in tests.values()]
    counts = {o: outcomes.count(o) for o in ("passed", "failed", "skipped")}
    seconds = round(sum(t.get("seconds", 0) for t in tests.values()), 1)
    out = ["## The runs", "",
           f"{len(tests):,} tests: {counts['passed']:,} passed, {counts['failed']:,} failed, "
           f"{counts['skipped']:,} skipped; {seconds:,} s in the tests' own calls (wall-clock, "
           "on a machine shared with other test runs: see the load averages).", ""]
    runs = [(fmt(r.get("started")), fmt(r.get("cpus")), fmt(r.get("load_average_at_start")),
             fmt(r.get("load_average_at_end")),
             ", ".join(sorted({t.split("::")[0] for t in r.get("tests", [])})) or MISSING)
            for r in figures.get("runs", [])]
    out += _table(("invocation started", "CPUs", "load average at start", "at end",
                   "test files"), runs)
    rows = [(f"`{name}`", t["outcome"], t.get("seconds")) for name, t in sorted(tests.items())]
    return out + _table(("test", "outcome", "seconds"), rows)


def _faults(figures: dict, used: set) -> list[str]:
    rows = []
    for (section, name), fault, how, test in FAULTS:
        used.add((section, name))
        rows.append((fault, how, fmt(figures.get(section, {}).get(name)), f"`{test}`"))
    return ["## Faults injected", ""] + _table(("fault", "how", "outcome (figures)", "test"),
                                                rows)


def _sections(figures: dict, used: set) -> list[str]:
    out: list[str] = []
    for section in list(LABELS) + sorted(set(figures) - set(LABELS) - {"tests", "runs"}):
        items = [(k, v) for k, v in figures.get(section, {}).items() if (section, k) not in used]
        if section not in LABELS and not items:
            continue
        out += [f"### {LABELS.get(section, section.replace('_', ' '))}", ""]
        if not items:
            out += [f"{MISSING}.", ""]
            continue
        out += _table(("figure", "value"), [(k.replace("_", " "), fmt(v)) for k, v in items])
    return ["## Figures by area", ""] + out


HOW = """## How the faults are healed

A killed or stopped worker's command is redelivered (not committed) or re-issued by the
re-issuer of its entity kind (`agents/tables.py`, from the declaration in `models/lifecycle.py`)
after `TRIBUTARY_STALE_AFTER` seconds without progress once its lease expired; handlers are
idempotent (deterministic object keys, snapshots replaced by file id, GTIN sources merged by
participant and conditions; files, reports and GTIN tasks under a lease with a fencing token). Object-store and MongoDB writes of the cleaning and
import agents retry with backoff (`infra/retry.py`); after the last attempt the file fails with
`STORAGE_ERROR` and its message. Faults are injected in tests only, through
`TRIBUTARY_FAULTS` (object-store calls fail or wait; `infra/storage/faults.py`),
`TRIBUTARY_PUBLISH_FAULTS=N` (the gateway's first N publishes raise, as a broker outage would;
`gateway/bus.py`, set only by `test_outbox.py`) and `TRIBUTARY_WORKER_PUBLISH_FAULTS=Type:N,…` (a
worker's first N publishes of each message type raise; `agents/deps.py`, set only by
`test_outbox_auto_upload.py`).

A worker killed between recording an entity's last status and emitting its event left every
view one status behind for good: the command came again, found the work ended and did nothing
(the failover test met a file FINALIZED in MongoDB and PROCESSED in the gateway, 150 s on).
A command that finds its entity finished now announces the recorded terminal status again,
with every field, the recorded history and time (`agents/lifecycle.announce_settled`); the
folds take that history instead of adding an entry, so an announcement twice is once
(`tests/e2e/contract/test_redelivery.py`, `tests/unit/lifecycle/test_settled.py`).
A change recorded whose event the broker refused (past the retries, so the command is done
with and never comes again) marks its record `unannounced` (`agents/lifecycle.write`); every
5 s the leader announces such a record's stored status again and clears the mark
(`agents/tables.announce_unannounced`). A status announced late never takes a view back: a
fold keeps a view whose last change is newer than the restated status
(`models.lifecycle.outdated`; `tests/unit/agents/test_unannounced.py`).

Nothing acknowledged is lost (`test_outbox.py`): every command the gateway answers 201/202 for
is stored in MongoDB with its record before it is published (the outbox, `infra/outbox.py`), and
the relay (`agents/outbox.py`) publishes again whatever no worker has handled: a publish the
broker refused, a command a stopped worker never took, a GTIN change event (before, one whose
publish failed after the store write was lost). A refused publish answers 202 at once; after
10 unhandled tries the entity is FAILED with status_cause `UNDELIVERED`. Poison creates never
answer "accepted" and vanish: a `filesize` past 2^53 or text with a lone surrogate is a 400
(`validation_error`, `invalid_text`); a create published straight onto the topic that the
worker cannot apply reads FAILED `REJECTED` with the reason (and a `SalesFileRejected` event).
What a 201/202 names is readable and listed at once: a sales file, a GTIN import task, an
automatic-upload job, a catalog import and a report (PENDING) are stored with their first status
in the write that stores their command; the worker's create is a no-op on that record and only
announces it.
Automatic uploads (`test_outbox_auto_upload.py`): the records a job lists are stored by the
worker with their creates, and the fetches and zip expansions it schedules, and the pipeline
commands of each fetched or expanded file, are stored in the job or file record before they are
published, so the relay delivers what the broker refused or lost (the test turns the
automatic-upload reconciler off to show it); a fetch or expansion waits its turn behind the
folder's other files, so it is given up after 60 tries (about an hour), not 10. The reconciler (`agents/auto_upload.py`,
`TRIBUTARY_AUTO_UPLOAD_STALE_AFTER`) remains for a worker that dies in the middle of a download
(the relay drops a fetch's entry once its file moved to UPLOADING); it follows the kit's
re-issuer rules: a record under a live lease is left alone, a re-sent fetch marks `reissued_at`
(once per period) and never refreshes `updated_at`. The job's RESOLVED answer and its fetch
entries are one compare-and-set write, made only while the job is still RESOLVING.

Hung processes (`infra/liveness.py`): every worker and the gateway's event reader rewrite a
heartbeat file with their progress each `TRIBUTARY_HEARTBEAT_INTERVAL` seconds; the supervisor
(`infra/stack/up.py`) SIGKILLs and restarts a process whose heartbeat stops for
`TRIBUTARY_HEARTBEAT_MISSES` intervals, that stays in table recovery (or, connected, whose event
reader stalls) past `TRIBUTARY_RECOVERY_LIMIT`, or that gives no first heartbeat within that
bound. A process that keeps failing soon after a start is restarted with a doubling delay; one
that exits cleanly (stopped with SIGTERM) is restarted after 0.5 s (`infra/stack/processes.py`). A table partition whose changelog ends before the offset the table
remembers is rebuilt from the changelog start instead of failing Faust's consistency check
(`agents/faust_tuning.py`); keys a table lacks meanwhile are read from MongoDB. That rebuild is
unit-tested only (`tests/unit/test_liveness.py`): the suite cannot provoke it. Faust's own check
is off (`recovery_consistency_check=False`, so `ConsistencyError` is never raised), tables live
in memory, so a table's remembered changelog offsets die with its process, and a changelog only
ends before them when the broker lost its log under a running worker (Tansu's memory engine
cannot delete records: `docs/operations.md`). On a new broker generation a worker leaves within
about a second (`agents/generation.py`) and starts with no remembered offsets. Kept running
instead (tried once with that exit switched off: the broker SIGKILLed under one worker that had
folded three files, 2026-12-03), the worker logged "Heartbeat failed: local member_id was not
recognized; resetting and re-joining group", adopted the new generation, then logged nothing
for 120 s: no rebuild, no error, so the path was not reached in the suite's time. A worker stuck
so is restarted by the liveness bound (`TRIBUTARY_RECOVERY_LIMIT`, 120 s), again with no
remembered offsets. What the suite shows against failure 3's crash loop is the broker-restart
test above: each worker leaves once and comes back.
`/healthz` says `degraded` while a process is not alive or not ready and another worker is
ready, `unavailable` (503) while no worker is (the other one rebalancing after the stopped one
left the group): the hung-worker test takes either, never `ok`, with the stopped worker named
not alive.

Storage (`test_upload_limits.py`, `test_sweeper.py`): a sales file's upload URL takes one PUT
of at most its declared `filesize` (`gateway/upload_links.py`, `gateway/upload_guard.py`); a
catalog import's URL likewise takes one PUT of at most its declared `filesize` (without one, at
most `TRIBUTARY_CATALOG_MAX_MB`), only while the import is UPLOADING or FAILED `NOT_UPLOADED`;
a re-upload asks `POST /api/catalog/imports/{id}/upload/` for a fresh URL. The sweeper (`agents/sweeper.py`) fails sales files left INITIALIZED or UPLOADING
and catalog imports left UPLOADING past `TRIBUTARY_UPLOAD_TTL` (FAILED `EXPIRED`) and deletes
their uploads, the objects of rejected files and stale partial uploads.

A broker that lost its log is a new generation (`infra/generation.py`): the gateway rewinds its
reader, rebuilds its views and republishes waiting commands; workers leave and are started
fresh; reconcilers re-issue work in flight. What the broker-restart rows above measure is all
this document claims about it. The embedded broker's memory engine ignores retention (measured,
`docs/operations.md`, "Broker log"), so the retention the contract topics are created with
bounds the log on Kafka only; on the embedded stack `tributary up` bounds the broker's memory
instead: past `TRIBUTARY_BROKER_MAX_RSS_MB` (1536) it restarts the broker empty, and the
generation handling above and the outbox bring the work back from MongoDB
(`tests/reliability/test_broker_memory.py`: recycled past a 96 MiB bound, a file accepted
before and one registered after both exact).
"""


def render(figures: dict) -> str:
    used: set = set()
    lines = ["# Reliability and security: what the suite proves, with figures", "",
             "Written by `python -m bench.reliability_doc` from `docs/reliability-figures.json`, "
             "the figures files of runs of `tests/reliability/` (see the script's docstring); "
             "nothing here is copied by hand. A test records its figures only after its "
             f"assertions held, so \"{MISSING}\" means it did not run or failed in that run.",
             "", "```bash", "TRIBUTARY_RELIABILITY_OUT=/tmp/figures.json "
             ".venv/bin/pytest tests/reliability",
             ".venv/bin/python -m bench.reliability_doc /tmp/figures.gw*.json", "```", ""]
    lines += _run(figures) + _faults(figures, used) + _sections(figures, used)
    return "\n".join(lines) + "\n" + HOW


def main(argv: list[str]) -> int:
    """`[RUN.json ...]`: merge these figures files into docs/reliability-figures.json first
    (replacing it); then write docs/reliability.md from it."""
    figures_path, target = Path("docs/reliability-figures.json"), Path("docs/reliability.md")
    if argv:
        merged = merge([json.loads(Path(a).read_text()) for a in argv])
        figures_path.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    target.write_text(render(json.loads(figures_path.read_text())))
    print(f"{target} written from {figures_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
