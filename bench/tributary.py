"""Driving Tributary over its public HTTP API (and its CLI for organisations and participants),
as a user would: register → presigned PUT → process → FINALIZED, catalog import, reports,
GTIN import tasks. Times are taken from the entity's own status history where it has one, so
polling never adds to them."""
from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.measure import cpu_seconds, reset_hwm, vmhwm_mb
from bench.processes import terminate
from bench.threaded_server import ThreadedServer

GTIN_TICKET = "authenticateit_identity_ticket"


def cli(data_dir: Path, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tributary", "--data-dir", str(data_dir), *args],
                         check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


class Client:
    """One authenticated caller of the gateway (a sales organisation or a GTIN participant)."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base, self.headers = base.rstrip("/"), headers
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Client":
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3600))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()

    async def call(self, method: str, path: str, **kw) -> tuple[int, Any]:
        async with self.session.request(method, self.base + path, headers=self.headers,
                                        **kw) as resp:
            return resp.status, await resp.json(content_type=None)

    async def put_file(self, url: str, path: Path) -> None:
        with open(path, "rb") as handle:
            async with self.session.put(url, data=handle) as resp:
                assert resp.status in (200, 201, 204), await resp.text()

    async def wait(self, path: str, done, timeout: float, interval: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = await self.call("GET", path)
            if status == 200 and done(body):
                return body
            await asyncio.sleep(interval)
        raise TimeoutError(f"{path} not done after {timeout}s")


class Stack:
    """A running embedded stack (ours, or one given by its data dir) and its processes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.url = self.state["gateway_url"]
        self.urls = self.state.get("gateway_urls") or [self.url]

    @property
    def state(self) -> dict:
        """stack.json as the supervisor last wrote it: a restarted worker has a new pid, and a
        stale one would read as idle (`settle` would not wait) with no peak RSS."""
        return json.loads((self.data_dir / "stack.json").read_text())

    def pid(self, name: str) -> int | None:
        return self.state["children"].get(name)

    def workers(self) -> list[int]:
        return [pid for name, pid in self.state["children"].items() if name.startswith("worker")]

    def restarts(self) -> dict:
        """The supervisor's restarts so far, by process (exits, hangs, recycling, reasons)."""
        return self.state.get("restarts", {})

    def reset_rss(self) -> bool:
        return all([reset_hwm(pid) for pid in self.workers()])

    def settle(self, window: float = 0.5, idle: float = 0.05, limit: float = 180) -> float:
        """Wait until the workers are idle (under `idle` CPU seconds per `window`, twice in a
        row): the work a file starts after FINALIZED (its rollups) then does not run into the
        baseline measured next, nor into the next file. Seconds waited."""
        started, quiet = time.monotonic(), 0
        while quiet < 2 and time.monotonic() - started < limit:
            before = sum(cpu_seconds(pid) for pid in self.workers())
            time.sleep(window)
            quiet = quiet + 1 if sum(cpu_seconds(pid) for pid in self.workers()) - before < idle else 0
        return round(time.monotonic() - started, 2)

    def worker_rss_mb(self) -> float | None:
        values = [v for v in (vmhwm_mb(pid) for pid in self.workers()) if v is not None]
        return max(values) if values else None

    def org(self, name: str) -> Client:
        org = cli(self.data_dir, "org", "create", f"{name}-{secrets.token_hex(3)}")
        return Client(self.url, {"Authorization": f"Bearer {org['token']}"})

    def participant(self, prefix: str) -> tuple[str, Client]:
        urn = f"urn:bench:{secrets.token_hex(4)}"
        cli(self.data_dir, "participant", "create", "--id", urn, "--type", "brand",
            "--prefix", prefix)
        session = cli(self.data_dir, "session", "create", "--participant", urn, "--user", "bench")
        return urn, Client(self.url, {GTIN_TICKET: session["ticket"]})


async def ingest(api: Client, path: Path, interval: float = 0.25,
                 timeout: float = 3600) -> dict[str, Any]:
    """Register, upload and process one sales file; seconds from the `process` request to the
    FINALIZED status event, and the time of each stage."""
    size = path.stat().st_size
    status, rec = await api.call("POST", "/api/files/salesfiles/", json={
        "filename": path.name, "filetype": path.suffix[1:].upper(), "filesize": size,
        "mongo_db_id": "bench"})
    assert status == 201, rec
    fid = rec["id"]
    status, up = await api.call("POST", f"/api/files/salesfiles/{fid}/process/",
                                json={"action": "upload"})
    assert status == 200, up
    await api.put_file(up["presigned_url"], path)
    override = None
    for _ in range(2):  # a benchmark imports the same statement again: name the original
        started = time.time()
        status, body = await api.call("POST", f"/api/files/salesfiles/{fid}/process/",
                                      json={"action": "process", "allow_duplicate_of": override})
        assert status == 202, body
        final = await api.wait(f"/api/files/salesfiles/{fid}/",
                               lambda b: b["status"] in ("FINALIZED", "FAILED"), timeout, interval)
        if final.get("status_cause") != "DUPLICATE":
            break
        override = final["duplicate_of"]
    if final["status"] != "FINALIZED":
        raise RuntimeError(f"file {fid} failed: {final.get('status_cause')} "
                           f"{final.get('error_message')}")
    at = {h["status"]: ts(h["ts"]) for h in final["history"]}
    stages = {"cleaning_s": at["CLEANED"] - at["CLEANING"],
              "import_s": at["PROCESSED"] - at["PROCESSING"],
              "finalize_s": at["FINALIZED"] - at["PROCESSED"]}
    return {"seconds": at["FINALIZED"] - started, "rows": final.get("total_rows"), "id": fid,
            "record": final, **{k: round(v, 3) for k, v in stages.items()}}


async def import_catalog(api: Client, path: Path, timeout: float = 600) -> dict:
    status, body = await api.call("POST", "/api/catalog/imports/", json={
        "filename": path.name, "filesize": path.stat().st_size})
    assert status == 201, body
    await api.put_file(body["presigned_url"], path)
    status, accepted = await api.call("POST", f"/api/catalog/imports/{body['id']}/process/")
    assert status == 202, accepted
    return await api.wait(f"/api/catalog/imports/{body['id']}",
                          lambda b: b["status"] in ("DONE", "FAILED"), timeout, 0.25)


async def report(api: Client, period: str, kind: str = "monthly",
                 timeout: float = 3600) -> dict[str, Any]:
    started = time.time()
    status, body = await api.call("POST", "/api/reports/", json={"type": kind, "period": period})
    assert status == 202, body
    final = await api.wait(f"/api/reports/{body['id']}",
                           lambda b: b["status"] in ("DONE", "FAILED"), timeout, 0.25)
    if final["status"] != "DONE":
        raise RuntimeError(f"report failed: {final}")
    done = next((h["ts"] for h in final.get("history", []) if h.get("status") == "DONE"), None)
    seconds = (ts(done) if done else time.time()) - started
    return {"seconds": seconds, "report": final}


GTIN_SPEC = {"delimiter": ",", "has_header": True, "gtin_field": "gtin", "name": ["name"],
             "brand": "brand", "fields": [{"field": "description", "title": "Description",
                                           "position": 0}],
             "conditions": {"language": ["en"], "country": ["276"]}}


async def gtin_import(api: Client, link: str, timeout: float = 7200,
                      interval: float = 0.5) -> dict[str, Any]:
    started = time.time()
    status, body = await api.call("POST", "/description-service/import/tasks",
                                  json={"link": link, **GTIN_SPEC})
    assert status == 200, body
    final = await api.wait(f"/description-service/import/tasks/{body['id']}",
                           lambda b: b["status"] in ("done", "failed"), timeout, interval)
    if final["status"] != "done":
        raise RuntimeError(f"import task failed: {final.get('message')}")
    end = ts(final["finished_at"]) if final.get("finished_at") else ts(final["ts"])
    return {"seconds": end - started, "task": final, "id": body["id"]}


class FileServer(ThreadedServer):
    """Serves local files at http://127.0.0.1:PORT/<name> from a thread (the import link)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        app = web.Application()
        app.router.add_get("/{name}", lambda r: web.FileResponse(
            self.folder / r.match_info["name"], headers={"Content-Type": "text/csv"}))
        super().__init__(app, "bench-files")

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"


class OwnStack:
    """`tributary up --port 0` in a data directory of our own, stopped (SIGTERM) on exit."""

    def __init__(self, data_dir: Path, workers: int = 1, gateways: int = 1) -> None:
        self.data_dir, self.workers, self.proc = Path(data_dir), workers, None
        self.gateways = gateways

    def __enter__(self) -> Stack:
        import os

        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "stack.json").unlink(missing_ok=True)
        env = {**os.environ, "TRIBUTARY_FETCH_ALLOW": "loopback"}
        for name in ("TRIBUTARY_KAFKA_URL", "TRIBUTARY_MONGO_URL", "TRIBUTARY_STORAGE_URL",
                     "TRIBUTARY_PUBLIC_URL"):
            env.pop(name, None)
        with open(self.data_dir / "up.log", "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tributary", "--data-dir", str(self.data_dir), "up",
                 "--port", "0", "--workers", str(self.workers),
                 "--gateways", str(self.gateways)],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tributary up exited; see {self.data_dir / 'up.log'}")
            try:
                stack = Stack(self.data_dir)
                with urllib.request.urlopen(stack.url + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return stack
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.3)
        raise TimeoutError("stack not healthy after 180 s")

    def __exit__(self, *exc) -> None:
        terminate(self.proc, 60)
