"""Load on one gateway and two workers (a stack of our own): 60 small sales files uploaded and
processed concurrently (20 at a time from the client: three full waves, so both workers are busy
and the client always has 20 in flight) and 10 GTIN import tasks at once, beside them.
Every one reaches a terminal state with exact totals and no answer is a 5xx; the time taken and
the peak memory (VmHWM) of each process are recorded in the figures file."""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from tests.e2e.gtin_import.conftest import new_participant, upload
from tests.reliability.conftest import peak_memory_kb, record, sales_file
from tests.support.http import Api
from tests.support.participants import BASE, gtin_for
from tests.support.stack import RunningStack, cli

FILES, FILE_ROWS, AT_ONCE = 60, 20, 20
TASKS, TASK_LINES = 10, 200


@pytest.fixture(scope="module")
def lstack(tmp_path_factory):
    stack = RunningStack(tmp_path_factory.mktemp("load"), workers=2).start()
    yield stack
    stack.discard()


class Counting(Api):
    """An Api that remembers every status code it saw."""

    statuses: list[int] = []

    async def call(self, method, path, **kw):
        status, body, headers = await super().call(method, path, **kw)
        self.statuses.append(status)
        return status, body, headers


async def _one_file(api: Api, n: int) -> tuple[dict, Decimal, int]:
    from tests.support.sales import process, register, upload

    data, total, quantity = sales_file(FILE_ROWS, tag=f"load{n}")
    rec = await register(api, f"load-{n}.tsv", data)
    await upload(api, rec["id"], data)
    await process(api, rec["id"])
    final = await api.wait_for(f"/api/files/salesfiles/{rec['id']}/",
                               lambda b: b["status"] in ("FINALIZED", "FAILED"), timeout=240,
                               interval=0.5)
    return final, total, quantity


async def test_60_files_and_10_gtin_tasks_at_once_on_two_workers(lstack):
    api = Counting(lstack.url, cli(lstack.data_dir, "org", "create", "Load Label")["token"])
    who = new_participant(lstack)
    who.api.__class__ = Counting
    links = []
    for t in range(TASKS):
        lines = ["gtin,name"] + [f"{gtin_for(who.prefix, number=t * TASK_LINES + i)},Item {i}"
                                 for i in range(TASK_LINES)]
        links.append(await upload(who, "\n".join(lines) + "\n"))
    gate = asyncio.Semaphore(AT_ONCE)

    async def bounded(n: int):
        async with gate:
            return await _one_file(api, n)

    async def task(link: str) -> dict:
        body = {"link": link, "gtin_field": "gtin", "name": "name",
                "fields": [{"field": "name", "title": "Name"}],
                "conditions": {"language": ["en"], "country": [str(276)]}}
        status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json=body)
        assert status == 200, answer
        return await who.api.wait_for(f"{BASE}/import/tasks/{answer['id']}",
                                      lambda b: b["status"] in ("done", "failed"),
                                      timeout=240, interval=0.5)

    started = time.monotonic()
    results = await asyncio.gather(*(bounded(n) for n in range(FILES)),
                                   *(task(link) for link in links))
    elapsed = time.monotonic() - started
    files, tasks = results[:FILES], results[FILES:]
    assert [f["status"] for f, _, _ in files] == ["FINALIZED"] * FILES, \
        [f for f, _, _ in files if f["status"] != "FINALIZED"][:3]
    for final, total, _ in files:
        assert final["total_rows"] == FILE_ROWS and Decimal(final["total_local"]) == total
    assert [t["status"] for t in tasks] == ["done"] * TASKS
    assert all(t["counts"]["imported"] == TASK_LINES == t["processed_lines"] for t in tasks)
    status, summary, _ = await api.get("/api/sales/summary/")
    assert status == 200
    assert summary["files"] == FILES  # each file counted once in the summary
    assert not [s for s in Counting.statuses if s >= 500], "a 5xx answer under load"
    memory = peak_memory_kb(lstack)
    # default heartbeat settings: no process under this load was taken for hung
    hung = {name: r for name, r in lstack.state.get("restarts", {}).items() if r["hung"]}
    assert not hung, hung
    record("load", "files", FILES)
    record("load", "rows_per_file", FILE_ROWS)
    record("load", "client_concurrency", AT_ONCE)
    record("load", "gtin_tasks", TASKS)
    record("load", "lines_per_task", TASK_LINES)
    record("load", "workers", 2)
    record("load", "seconds", round(elapsed, 1))
    record("load", "requests", len(Counting.statuses))
    record("load", "http_5xx", 0)
    record("load", "processes_restarted_as_hung", 0)
    record("load", "peak_rss_mb", {k: round(v / 1024, 1) for k, v in memory.items()})
    print(f"\nload: {FILES} files + {TASKS} GTIN tasks in {elapsed:.1f}s; "
          f"peak RSS (MB): { {k: round(v / 1024) for k, v in memory.items()} }")
