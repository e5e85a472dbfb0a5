"""An analytics view of one organisation: its counted files, base currency and rates from
MongoDB, the SQL from models.analytics.query, executed by DuckDB off the event loop; only
grouped figures (or one page of rows) come back into Python."""
from __future__ import annotations

import asyncio

from infra.analytics.duck import Location
from infra.repos import files as file_repo
from infra.repos import orgs
from infra.repos import rates as rate_repo
from models.analytics import query, shape
from models.analytics.convert import late_rates
from models.analytics.filters import Filters, View, default_top
from models.rates import rate_table


async def _context(db, organisation: str) -> tuple[str, dict, list[dict]]:
    base = (await orgs.settings(db, organisation))["base_currency"]
    files = await file_repo.counted(db, organisation)
    late = late_rates(base, rate_table(await rate_repo.find(db, organisation)))
    return base, files, late


def _relations(location: Location, files: dict, base: str, late: list[dict]):
    import pyarrow as pa

    from models.sales.schema import AMOUNT

    ids = sorted(files)
    file_table = pa.table({
        "path": pa.array([location.path(files[i]["parquet_key"]) for i in ids], pa.string()),
        "file_id": pa.array(ids, pa.int64()),
        # the import converted into today's base currency (else the organisation's rates now)
        "stored_ok": pa.array([((files[i].get("conversion") or {}).get("currency") or base) == base
                               for i in ids], pa.bool_())})
    rate_rel = pa.table({"currency": pa.array([r["currency"] for r in late], pa.string()),
                         "month": pa.array([r["month"] for r in late], pa.string()),
                         "rate": pa.array([r["rate"] for r in late], AMOUNT)})
    return file_table, rate_rel


def _paths(location: Location, files: dict) -> list[str]:
    return [location.path(files[i]["parquet_key"]) for i in sorted(files)]


async def grouped(db, storage_url: str, organisation: str, view: View) -> dict:
    base, files, late = await _context(db, organisation)
    top = default_top(view.group_by, view.top)
    f = view.filters
    if not files:
        return shape.answer(view.group_by, f.start, f.end, base, top, [], {}, {})
    location = Location(storage_url)
    sql, params = query.grouped(view, _paths(location, files), base, top)

    def run() -> list[tuple]:
        cur = location.cursor(*_relations(location, files, base, late))
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()

    lines = await asyncio.to_thread(run)
    by_pair = {(r["currency"], r["month"]): r for r in late}
    return shape.answer(view.group_by, f.start, f.end, base, top, lines, files, by_pair)


async def rows(db, storage_url: str, organisation: str, filters: Filters, page: int,
               page_size: int) -> dict:
    base, files, late = await _context(db, organisation)
    out: dict = {"count": 0, "page": page, "page_size": page_size, "results": []}
    if not files:
        return out
    location = Location(storage_url)
    count_sql, page_sql, params = query.rows(filters, _paths(location, files), page, page_size)

    def run() -> tuple[int, list[tuple]]:
        cur = location.cursor(*_relations(location, files, base, late))
        try:
            count = cur.execute(count_sql, params).fetchone()[0]
            return count, cur.execute(page_sql, params).fetchall()
        finally:
            cur.close()

    count, found = await asyncio.to_thread(run)
    return {**out, "count": int(count), "results": [shape.row_record(v) for v in found]}



