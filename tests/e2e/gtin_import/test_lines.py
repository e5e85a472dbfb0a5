"""Imports never lose a line (HTTP → Kafka → import agent → MongoDB → HTTP, default stack)."""
from __future__ import annotations

import csv
import io

import aiohttp

from tests.e2e.gtin_import.conftest import upload, wait_task
from tests.support.participants import BASE, HEADER, gtin_for


def line_numbers(entries: list) -> list[int]:
    """Line numbers of an error list, whether entries are numbers (the spec) or objects."""
    return [e if isinstance(e, int) else e["line"] for e in entries]


async def run(who, text: str | bytes, **spec) -> dict:
    body = {"link": await upload(who, text), "delimiter": ",", "gtin_field": "gtin",
            "name": ["name"], **spec}
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json=body)
    assert status == 200, answer
    task = await wait_task(who.api, answer["id"])
    assert task["status"] == "done", task
    return task


async def test_an_unclosed_quote_on_line_7_of_20_loses_nothing_else(brand):
    """Before: done with total_lines 6, lines 8-20 gone unreported."""
    gtins = [gtin_for(brand.prefix) for _ in range(19)]
    rows = [f"{g},Item {n}" for n, g in enumerate(gtins, 2)]
    rows[5] = f'{gtins[5]},"Item 7 never closes'  # line 7
    task = await run(brand, "gtin,name\n" + "\n".join(rows) + "\n")
    assert task["total_lines"] == task["processed_lines"] == 19
    assert line_numbers(task["bad_lines"]) == [7]
    assert task["counts"]["bad_lines"] == 1 and task["counts"]["imported"] == 18
    for g in gtins[6:]:
        status, doc, _ = await brand.api.get(f"{BASE}/description?id={g}")
        assert status == 200, (g, doc)


async def test_wrong_cell_counts_and_bad_encoding_are_reported_per_line(brand):
    g = [gtin_for(brand.prefix) for _ in range(1503)]
    head = "gtin,name\n" + "".join(f"{x},Crème brûlée au caramel salé {n}\n"
                                    for n, x in enumerate(g[3:]))
    assert len(head.encode()) > 1 << 16  # the encoding is sniffed from the first 64 KiB: UTF-8
    text = (head.encode() + f"{g[0]},Two,extra\n".encode()          # line 1502: 3 cells
            + f"{g[1]},Caf".encode() + b"\xe9\n"                   # line 1503: not UTF-8
            + f"{g[2]},Fine\n".encode())                            # line 1504
    task = await run(brand, text)
    assert task["total_lines"] == task["processed_lines"] == 1503, task
    assert line_numbers(task["bad_lines"]) == [1502, 1503]
    assert task["counts"]["imported"] == 1501


async def test_error_lists_are_complete_behind_a_csv_link(stack, brand, rival):
    """Before: every list silently stopped at 1,000 entries. The status still lists the first
    1,000 with exact counts; the link serves them all."""
    good = [gtin_for(brand.prefix) for _ in range(1_300)]
    wrong = [g[:-1] + str((int(g[-1]) + 1) % 10) for g in good[:1_200]]  # bad check digits
    rows = [f"{g},Item" for g in wrong] + [f"{g},Item,extra" for g in good[1_200:1_250]] \
        + [f"{g},Item" for g in good[1_250:]]
    task = await run(brand, "gtin,name\n" + "\n".join(rows) + "\n")
    assert task["counts"]["bad_gtins"] == 1_200 and len(task["bad_gtins"]) == 1_000
    assert task["counts"]["bad_lines"] == 50 and task["counts"]["imported"] == 50
    assert task["errors_csv"] == f"{BASE}/import/tasks/{task['id']}/errors.csv"
    headers = {HEADER: brand.api.headers[HEADER]}
    async with aiohttp.ClientSession() as http:
        async with http.get(stack.url + task["errors_csv"], headers=headers) as resp:
            assert resp.status == 200 and resp.content_type == "text/csv"
            table = list(csv.DictReader(io.StringIO(await resp.text())))
        async with http.get(stack.url + task["errors_csv"] + "?list=bad_lines",
                            headers=headers) as resp:
            only = list(csv.DictReader(io.StringIO(await resp.text())))
        async with http.get(stack.url + task["errors_csv"],
                            headers={HEADER: rival.api.headers[HEADER]}) as resp:
            assert resp.status == 404  # another participant's task
    gtins = [r for r in table if r["list"] == "bad_gtins"]
    assert [int(r["line"]) for r in gtins] == list(range(2, 1_202))
    assert [r["gtin"] for r in gtins] == wrong and "check digit" in gtins[-1]["reason"]
    assert [int(r["line"]) for r in only] == list(range(1_202, 1_252))
    assert len(table) == 1_250
