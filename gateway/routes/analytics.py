"""Sales analytics of the calling organisation, computed by DuckDB over its sales Parquet
(infra/analytics): revenue grouped by month, statement period, DSP, territory, artist, track,
release or file, and the rows behind any figure; `format=csv` gives the same view as CSV,
`format=xlsx` (grouped views) as a workbook."""
from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import Media, endpoint
from gateway.errors import invalid
from gateway.keys import DB, SETTINGS
from gateway.schemas.analytics import Analytics, AnalyticsFilters, AnalyticsQuery, RowsQuery, SaleRowPage
from infra.analytics import run
from models.analytics import csv_out, xlsx_out
from models.analytics.filters import Filters, View, check

CSV = Media("text/csv", "the same view as CSV (format=csv)")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX = Media(XLSX_TYPE, "the same view as an XLSX workbook (format=xlsx)", binary=True)


def _filters(query: AnalyticsFilters) -> Filters:
    raw = query.model_dump(by_alias=True, exclude={"format", "group_by", "top", "page", "page_size"})
    filters, problems = check(raw)
    if problems:
        raise invalid("; ".join(f"{p['field']}: {p['problem']}" for p in problems), problems)
    return filters


def _csv(text: str, name: str) -> web.Response:
    return web.Response(text=text, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@endpoint(auth=organisation, query=AnalyticsQuery, responses={200: Analytics}, also={200: (CSV, XLSX)},
          errors=(400, 401), tags=("sales",))
async def analytics(request: web.Request, query: AnalyticsQuery):
    """Quantity and revenue grouped by one dimension: exact per currency, converted to the base
    currency with the rates named; the top groups and the rest as `others`. An answer asked
    before over the same files and rates is given again (`Cache-Control: no-cache`: computed)."""
    org = await organisation(request)
    view = View(query.group_by, _filters(query), query.top)
    settings = request.app[SETTINGS]
    fresh = "no-cache" in request.headers.get("Cache-Control", "")
    answer = await run.grouped(request.app[DB], settings.storage_url, org, view, fresh,
                               settings.data_dir)
    if query.format == "csv":
        return _csv(csv_out.grouped_csv(answer), f"analytics-{query.group_by}")
    if query.format == "xlsx":
        body = await asyncio.to_thread(xlsx_out.grouped_xlsx, answer)
        return web.Response(body=body, content_type=XLSX_TYPE, headers={
            "Content-Disposition": f'attachment; filename="analytics-{query.group_by}.xlsx"'})
    return answer


@endpoint(auth=organisation, query=RowsQuery, responses={200: SaleRowPage}, also={200: CSV},
          errors=(400, 401), tags=("sales",))
async def analytics_rows(request: web.Request, query: RowsQuery):
    """The imported rows behind a view (same filters), in file and line order, one page."""
    org = await organisation(request)
    settings = request.app[SETTINGS]
    page = await run.rows(request.app[DB], settings.storage_url, org, _filters(query),
                          query.page, query.page_size)
    if query.format == "csv":
        return _csv(csv_out.rows_csv(page), f"analytics-rows-{query.page}")
    return page


def setup(app: web.Application) -> None:
    app.router.add_get("/api/sales/analytics/", analytics)
    app.router.add_get("/api/sales/analytics/rows/", analytics_rows)
