"""An analytics view of one organisation: its counted files, base currency and rates from
MongoDB, the SQL from models.analytics.query, executed by DuckDB off the event loop; only
grouped figures (or one page of rows) come back into Python."""
from __future__ import annotations

import asyncio

from infra.analytics import answers, rollup
from infra.analytics.duck import Location
from infra.repos import files as file_repo
from infra.repos import orgs
from infra.repos import rates as rate_repo
from models.analytics import query, shape
from models.analytics.convert import late_rates
from models.analytics.filters import Filters, View, default_top
from models.rates import rate_table


class Context:
    """What a view needs besides its filters: base currency, files by path, rates."""

    def __init__(self, location: Location, base: str, records: dict[int, dict], late: list[dict],
                 data_dir: str | None = None):
        self.location, self.base, self.late, self.data_dir = location, base, late, data_dir or "var"
        self.paths = {i: location.path(records[i]["parquet_key"]) for i in sorted(records)}
        self.files = {self.paths[i]: {"id": i, **records[i]} for i in self.paths}
        # converted at import into another base currency than today's: today's rates instead
        self.unstored = [p for p, r in self.files.items()
                         if ((r.get("conversion") or {}).get("currency") or base) != base]

    def roll(self, rollups: dict[str, str]) -> None:
        """Read each file's rollup in place of its rows (row path → rollup path)."""
        self.paths = {i: rollups[p] for i, p in self.paths.items()}
        self.files = {rollups[p]: r for p, r in self.files.items()}
        self.unstored = [rollups[p] for p in self.unstored]

    def rates(self):
        import pyarrow as pa

        from models.sales.schema import AMOUNT

        return pa.table({"currency": pa.array([r["currency"] for r in self.late], pa.string()),
                         "month": pa.array([r["month"] for r in self.late], pa.string()),
                         "rate": pa.array([r["rate"] for r in self.late], AMOUNT)})

    def run(self, *statements: tuple[str, dict], view: View | None = None,
            top: int | None = None) -> list[list[tuple]]:
        """The statements' results (or, with `view`, that grouped view's, from the files'
        rollups when it can), on one cursor of the store's DuckDB (in this thread)."""
        cur = self.location.cursor()
        try:
            if view is not None:
                kind = rollup.usable(view)
                rolled = bool(kind)
                if rolled:
                    self.roll(rollup.ensure(cur, self.location, self.files, kind, self.data_dir))
                statements = (query.grouped(view, self.paths, self.unstored, self.base, top, rolled),)
            cur.register("rates", self.rates())
            return [cur.execute(sql, params).fetchall() for sql, params in statements]
        finally:
            cur.close()


async def _context(db, storage_url: str, organisation: str, data_dir=None) -> Context:
    base = (await orgs.settings(db, organisation))["base_currency"]
    records = await file_repo.counted(db, organisation)
    late = late_rates(base, rate_table(await rate_repo.find(db, organisation)))
    return Context(Location(storage_url), base, records, late, data_dir)


async def grouped(db, storage_url: str, organisation: str, view: View, fresh: bool = False,
                  data_dir=None) -> dict:
    """The view's answer; one asked before over the same files, rates and base currency is
    given again as it was (`fresh`: computed again all the same). Rollups the records do not
    name are built under `data_dir` (the stack's data directory)."""
    ctx = await _context(db, storage_url, organisation, data_dir)
    top = default_top(view.group_by, view.top)
    f = view.filters
    if not ctx.paths:
        return shape.answer(view.group_by, f.start, f.end, ctx.base, top, [], {}, {})
    name = await asyncio.to_thread(answers.key, storage_url, organisation, ctx.base, ctx.files,
                                   ctx.late, view, top)
    kept = None if fresh else answers.get(name)
    if kept is not None:
        return kept
    [lines] = await asyncio.to_thread(ctx.run, view=view, top=top)
    late = {(r["currency"], r["month"]): r for r in ctx.late}
    answer = shape.answer(view.group_by, f.start, f.end, ctx.base, top, lines, ctx.files, late)
    answers.put(name, answer)
    return answer


async def rows(db, storage_url: str, organisation: str, filters: Filters, page: int,
               page_size: int) -> dict:
    ctx = await _context(db, storage_url, organisation)
    out: dict = {"count": 0, "page": page, "page_size": page_size, "results": []}
    if not ctx.paths:
        return out
    count_sql, page_sql, params = query.rows(filters, ctx.paths, page, page_size)
    counted, found = await asyncio.to_thread(ctx.run, (count_sql, params), (page_sql, params))
    ids = {p: r["id"] for p, r in ctx.files.items()}
    return {**out, "count": int(counted[0][0]), "results": [shape.row_record(v, ids) for v in found]}
