"""Sales analytics: grouped revenue over an organisation's imported rows, and the rows behind a
figure (`GET /api/sales/analytics/`, `GET /api/sales/analytics/rows/`)."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from gateway.schemas.common import Decimal, Page, Period, QueryModel, ResponseModel
from models.analytics.filters import DATES, GROUPS, MAX_TOP

GroupBy = Literal[GROUPS]  # type: ignore[valid-type]


class AnalyticsFilters(QueryModel):
    """Row filters shared by the grouped view and its rows; all that are given must hold."""
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, str_max_length=1000,
                              populate_by_name=True)
    from_: str | None = Field(None, alias="from", description="first month, YYYY-MM (inclusive)")
    to: str | None = Field(None, description="last month, YYYY-MM (inclusive)")
    date: Literal[DATES] = Field("sale", description="which month `from`/`to` bound: the sale "  # type: ignore[valid-type]
                                 "month or the statement period")
    currency: str | None = Field(None, description="rows in this ISO 4217 currency only")
    dsp: str | None = None
    territory: str | None = Field(None, description="ISO 3166-1 alpha-2, or WW")
    artist: str | None = None
    isrc: str | None = None
    upc: str | None = None
    month: str | None = Field(None, description="one sale month, YYYY-MM")
    period: str | None = Field(None, description="one statement period, YYYY-MM")
    file: int | None = Field(None, ge=1, description="one file (the drill-down of group_by=file)")
    format: Literal["json", "csv"] = Field("json", description="csv: the same view as a "
                                           "text/csv download")


class AnalyticsQuery(AnalyticsFilters):
    group_by: GroupBy = Field(description="what a row is")
    top: int | None = Field(None, ge=1, le=MAX_TOP, description="rows kept, the rest summed in "
                            "`others` (default 10; every month for month and period)")
    format: Literal["json", "csv", "xlsx"] = Field(
        "json", description="csv: the same view as a text/csv download; xlsx: as a workbook "
        "(amounts as numbers with their currency, or as exact text where a number would round)")


class RowsQuery(AnalyticsFilters):
    page: int = Field(1, ge=1, le=10**9, description="page number, from 1")
    page_size: int = Field(50, ge=1, le=1000, description="rows per page (at most 1000)")


class Amount(ResponseModel):
    currency: str | None = Field(description="ISO 4217; null for lines that name none")
    amount: Decimal


class Figures(ResponseModel):
    """Quantity and revenue of some rows: per currency (never added across currencies) and
    converted to the base currency."""
    quantity: int
    revenue: list[Amount] = Field(description="exact revenue per currency, by currency code")
    revenue_converted: Decimal = Field(description="in the base currency; partial when "
                                       "`converted_complete` is false (see `missing_rates`)")
    converted_complete: bool


class AnalyticsRow(Figures):
    key: str | None = Field(description="the group's value, for drill-down filters (ISRC or UPC "
                            "for tracks and releases that have one; file id); null: not stated")
    label: str


class RateUsed(ResponseModel):
    from_: str = Field(alias="from")
    to: str
    month: Period | None = None
    rate: Decimal = Field(description="1 `from` = rate `to`")
    source: str = Field(description="file, exchange_rate, organisation, organisation (inverse)")


class RateMissing(ResponseModel):
    from_: str | None = Field(alias="from")
    to: str
    month: Period | None = None
    rows: int


class Analytics(ResponseModel):
    """Revenue grouped by one dimension over the organisation's imported files (voided and
    duplicate files are not counted)."""
    group_by: GroupBy
    from_: Period | None = Field(alias="from")
    to: Period | None
    base_currency: str
    rows: list[AnalyticsRow]
    others: Figures | None = Field(description="every group beyond `top`, summed; null if none")
    totals: Figures
    rates: list[RateUsed]
    missing_rates: list[RateMissing]
    files: int = Field(ge=0, description="files with rows in this view")


class SaleRow(ResponseModel):
    file_id: int
    line: int | None = Field(None, description="line number in the source file")
    sale_month: Period | None = None
    period: Period | None = None
    dsp: str | None = None
    territory: str | None = None
    artist: str | None = None
    track_title: str | None = None
    isrc: str | None = None
    release_title: str | None = None
    upc: str | None = None
    quantity: int | None = None
    revenue: Decimal | None = None
    currency: str | None = None


SaleRowPage = Page[SaleRow]
