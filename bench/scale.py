"""Scenario `scale`: the same batch — sales files from many organisations plus GTIN import
tasks — on 1, 2 and 3 workers behind 2 gateways, each on a fresh embedded stack of its own.
Reports throughput, status-query latency (p50/p99 of every poll, spread over both gateways)
and the peak RSS of every process, and checks every result exactly: each file's snapshot
rows, revenue and quantity against the totals written into it, each task's counts against
the lines generated. Nothing is asserted about time."""
from __future__ import annotations

import asyncio
import os
import secrets
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp

from bench import generate
from bench import tributary as trb
from bench.measure import median, vmhwm_mb

# batch per --size: files, organisations, rows per file, GTIN tasks, lines per task, workers
PLANS = {"tiny": dict(files=6, orgs=3, rows=200, tasks=2, lines=200, workers=(1, 2)),
         "1m": dict(files=300, orgs=30, rows=2_000, tasks=30, lines=2_000, workers=(1, 2, 3)),
         "5m": dict(files=300, orgs=30, rows=10_000, tasks=30, lines=10_000, workers=(1, 2, 3))}
HEADER = ("statement_period\tsale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity"
          "\tcurrency\trevenue\n")
AT_ONCE = 24  # files a client hands in at the same time
TERMINAL = ("FINALIZED", "FAILED")


def plan_for(size: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    plan = dict(PLANS.get(size, PLANS["1m"]))
    plan.update({k: v for k, v in (overrides or {}).items() if v})
    return plan


def sales_text(rows: int, tag: str, period: str = "2025-06",
               sale_period: str = "2025-05") -> tuple[bytes, Decimal, int]:
    """A generic-layout TSV of `rows` lines unique to `tag` (the pipeline refuses the same
    content twice), with its exact revenue and quantity totals."""
    lines, total, quantity = [HEADER], Decimal(0), 0
    for n in range(rows):
        cents = Decimal(n % 997) / 1000
        lines.append(f"{period}\t{sale_period}\tDSP{n % 8}\tUS\tUSRC1760{n % 10000:04d}\t"
                     f"Artist {tag} {n % 300}\tTrack {n % 5000}\t{n % 7}\tUSD\t{cents}\n")
        total += cents
        quantity += n % 7
    return "".join(lines).encode(), total, quantity


def sales_file(path: Path, rows: int, tag: str) -> dict[str, Any]:
    data, total, quantity = sales_text(rows, tag)
    path.write_bytes(data)
    return {"path": path, "rows": rows, "revenue": total, "quantity": quantity}


def inputs(folder: Path, plan: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [dict(sales_file(folder / f"scale-{n}.tsv", plan["rows"], f"s{n}"), org=n % plan["orgs"])
             for n in range(plan["files"])]
    tasks = []
    for t in range(plan["tasks"]):
        prefix = f"030{100 + t}"  # GS1 US 6-digit Company Prefixes, one per participant
        path = folder / f"scale-gtin-{prefix}.csv"
        tasks.append(dict(generate.gtin_file(path, plan["lines"], prefix), path=path,
                          prefix=prefix))
    return files, tasks


class Poller:
    """Status GETs spread over the gateways; every latency is kept."""

    def __init__(self, urls: list[str]) -> None:
        self.urls, self.latencies, self.errors, self._n = urls, [], 0, 0
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))

    async def get(self, path: str, headers: dict) -> tuple[int, Any]:
        self._n += 1
        url = self.urls[self._n % len(self.urls)] + path
        began = time.perf_counter()
        async with self.session.get(url, headers=headers) as resp:
            body = await resp.json(content_type=None)
        self.latencies.append(time.perf_counter() - began)
        if resp.status >= 500:
            self.errors += 1
        return resp.status, body

    async def until(self, path: str, headers: dict, done, timeout: float = 3600) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = await self.get(path, headers)
            if status == 200 and done(body):
                return body
            await asyncio.sleep(0.25)
        raise TimeoutError(f"{path} not done after {timeout}s")


async def _hand_in(client: trb.Client, other: trb.Client, item: dict) -> tuple[int, float]:
    """Register and upload through one gateway, process through the other."""
    path: Path = item["path"]
    status, rec = await client.call("POST", "/api/files/salesfiles/", json={
        "filename": path.name, "filetype": "TSV", "filesize": path.stat().st_size,
        "mongo_db_id": "bench"})
    assert status in (201, 202), rec
    record = f"/api/files/salesfiles/{rec['id']}/"
    await client.wait(record, lambda v: True, 300, 0.1)  # a 202: being stored
    status, up = await client.call("POST", record + "process/", json={"action": "upload"})
    assert status == 200, up
    # under load the answer may come before the UPLOADING event (the PUT needs it)
    await client.wait(record, lambda v: v["status"] == "UPLOADING", 300, 0.1)
    await client.put_file(up["presigned_url"], path)
    started = time.time()
    status, body = await other.call("POST", f"/api/files/salesfiles/{rec['id']}/process/",
                                    json={"action": "process"})
    assert status == 202, body
    return rec["id"], started


async def _accounts(stack: trb.Stack, orgs: int, tasks: list[dict]):
    async def org(n: int) -> dict:
        return await asyncio.to_thread(trb.cli, stack.data_dir, "org", "create", f"scale-{n}")

    async def participant(task: dict) -> dict:
        urn = f"urn:bench:scale:{secrets.token_hex(4)}"
        await asyncio.to_thread(trb.cli, stack.data_dir, "participant", "create", "--id", urn,
                                "--type", "brand", "--prefix", task["prefix"])
        return await asyncio.to_thread(trb.cli, stack.data_dir, "session", "create",
                                       "--participant", urn, "--user", "bench")

    tokens = await asyncio.gather(*(org(n) for n in range(orgs)))
    tickets = await asyncio.gather(*(participant(t) for t in tasks))
    return ([{"Authorization": f"Bearer {o['token']}"} for o in tokens],
            [{trb.GTIN_TICKET: s["ticket"]} for s in tickets])


async def batch(stack: trb.Stack, urls: list[str], files: list[dict], tasks: list[dict],
                orgs: int) -> dict[str, Any]:
    """Run one batch on a running stack; throughput, latency and exactness."""
    org_headers, task_headers = await _accounts(stack, orgs, tasks)
    server = trb.FileServer(tasks[0]["path"].parent) if tasks else None
    poller = Poller(urls)
    gate = asyncio.Semaphore(AT_ONCE)
    mismatches: list[str] = []
    try:
        async def one_file(n: int, item: dict) -> dict:
            headers = org_headers[item["org"]]
            async with gate, trb.Client(urls[n % 2], headers) as a, \
                    trb.Client(urls[(n + 1) % 2], headers) as b:
                file_id, started = await _hand_in(a, b, item)
            path = f"/api/files/salesfiles/{file_id}/"
            final = await poller.until(path, headers, lambda v: v["status"] in TERMINAL)
            status, snap = await poller.get(path + "snapshot/", headers)
            totals = snap.get("totals", {}) if status == 200 else {}
            if (final["status"] != "FINALIZED" or totals.get("rows") != item["rows"]
                    or Decimal(str(totals.get("revenue"))) != item["revenue"]
                    or int(totals.get("quantity", -1)) != item["quantity"]):
                mismatches.append(f"file {file_id}: {final['status']} {totals}")
            done = [h["ts"] for h in final.get("history", []) if h["status"] == "FINALIZED"]
            return {"started": started, "ended": trb.ts(done[-1]) if done else time.time()}

        async def one_task(n: int, task: dict) -> dict:
            headers = task_headers[n]
            started = time.time()
            async with trb.Client(urls[n % 2], headers) as api:
                status, body = await api.call("POST", "/description-service/import/tasks",
                                              json={"link": server.url(task["path"].name),
                                                    **trb.GTIN_SPEC})
            assert status == 200, body
            final = await poller.until(f"/description-service/import/tasks/{body['id']}",
                                       headers, lambda v: v["status"] in ("done", "failed"))
            counts = final.get("counts") or {}
            if (final["status"] != "done" or final.get("processed_lines") != task["lines"]
                    or counts.get("imported") != task["valid"]
                    or len(final.get("bad_gtins") or []) != task["bad_check"]
                    or len(final.get("bad_prefixes") or []) != task["foreign"]
                    or len(final.get("bad_lines") or []) != task["malformed"]):
                mismatches.append(f"task {body['id']}: {final['status']} {counts} "
                                  f"expected {task['valid']} of {task['lines']}")
            end = final.get("finished_at") or final.get("ts")
            return {"started": started, "ended": trb.ts(end) if end else time.time()}

        began = time.monotonic()
        results = await asyncio.gather(*(one_file(n, f) for n, f in enumerate(files)),
                                       *(one_task(n, t) for n, t in enumerate(tasks)))
        wall = time.monotonic() - began
    finally:
        await poller.session.close()
        if server:
            server.stop()
    spans = [r for r in results]
    first = min(r["started"] for r in spans)
    last = max(r["ended"] for r in spans)
    rows = sum(f["rows"] for f in files)
    lines = sum(t["lines"] for t in tasks)
    lat = sorted(poller.latencies)
    return {"files": len(files), "rows": rows, "gtin_tasks": len(tasks), "gtin_lines": lines,
            "seconds": round(last - first, 2), "wall_s": round(wall, 1),
            "rows_per_s": round(rows / (last - first)) if last > first else None,
            "files_per_s": round(len(files) / (last - first), 2) if last > first else None,
            "gtin_lines_per_s": round(lines / (last - first)) if last > first else None,
            "status_requests": len(lat), "status_5xx": poller.errors,
            "status_p50_ms": round(median(lat) * 1000, 2) if lat else None,
            "status_p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2)
            if lat else None,
            "exact": not mismatches, "mismatches": mismatches[:10]}


async def _all_up(stack: trb.Stack, workers: int, timeout: float = 120) -> trb.Stack:
    """The state file once every worker and both gateways are in it (gateway 1 answers
    before the others are written down)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack = trb.Stack(stack.data_dir)
        names = stack.state.get("children", {})
        if sum(n.startswith("worker") for n in names) == workers and "gateway-2" in names:
            return stack
        await asyncio.sleep(0.2)
    raise TimeoutError("the stack did not write down all its processes")


async def scale(ctx) -> dict[str, Any]:
    """Scenario entry point (bench.scenarios.SCENARIOS["scale"])."""
    plan = plan_for(ctx.size, ctx.shared.get("scale_overrides"))
    files, tasks = await asyncio.to_thread(inputs, ctx.inputs / f"scale-{ctx.size}", plan)
    out: dict[str, Any] = {"plan": {k: v for k, v in plan.items() if k != "workers"},
                           "gateways": 2, "runs": []}
    for workers in plan["workers"]:
        load_before = round(os.getloadavg()[0], 2)
        with trb.OwnStack(ctx.work / f"scale-{workers}w", workers=workers, gateways=2) as stack:
            stack = await _all_up(stack, workers)
            result = await batch(stack, stack.urls, files, tasks, plan["orgs"])
            result["rss_mb"] = {name: vmhwm_mb(pid) for name, pid in stack.state["children"].items()}
        result.update(workers=workers, load_avg=[load_before, round(os.getloadavg()[0], 2)])
        out["runs"].append(result)
    base = out["runs"][0].get("rows_per_s") or 0
    for run in out["runs"]:
        run["speedup"] = round(run["rows_per_s"] / base, 2) if base and run["rows_per_s"] else None
    out["exact"] = all(r["exact"] for r in out["runs"])
    return out
