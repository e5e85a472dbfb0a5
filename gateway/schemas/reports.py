"""Report and catalog bodies: `POST/GET /api/reports/`, `/api/catalog/imports/`, `/api/catalog/`."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from gateway.schemas.common import Page, PageQuery, Period, RequestModel, ResponseModel, Timestamp
from models.reports import TYPES

ReportType = Literal[TYPES]  # type: ignore[valid-type]


def _period(value: Any) -> Any:
    from models.periods import parse_period_strict

    if not isinstance(value, str) or parse_period_strict(value) is None:
        raise ValueError("a reporting period YYYY-MM")
    return parse_period_strict(value)


class ReportRequest(RequestModel):
    """A monthly (catalog-matched) or unmatched report of one reporting period."""
    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "monthly",
                                                               "period": "2025-06"}]})
    type: ReportType = Field(description="monthly: sales matched to the catalog; unmatched: "
                                         "the rest")
    period: Period

    _check_period = field_validator("period", mode="before")(lambda cls, v: _period(v))


class ReportAccepted(ResponseModel):
    id: int
    status: str = Field(description="PENDING, RUNNING, DONE or FAILED", examples=["PENDING"])


class Report(ResponseModel):
    """A report: status, progress, snapshot and (once DONE) a 24-hour download link."""
    id: int
    type: ReportType
    period: Period
    status: str = Field(description="PENDING, RUNNING, DONE or FAILED")
    organisation: int | str | None = None
    status_cause: str | None = None
    error_message: str | None = None
    progress: dict[str, Any] | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)
    snapshot: dict[str, Any] | None = None
    stale: bool | None = Field(None, description="true when the period's processed files "
                                                 "changed since the report ran")
    stale_reason: dict[str, Any] | None = None
    download_url: str | None = None
    download_expires_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class ReportPage(Page[Report]):
    pass


class ReportQuery(PageQuery):
    type: ReportType | None = None
    period: Period | None = None

    _check_period = field_validator("period", mode="before")(lambda cls, v: _period(v))


class CatalogImportRequest(RequestModel):
    """A catalog file to import (CSV, TSV, TXT, XLSX or XLS)."""
    model_config = ConfigDict(json_schema_extra={"examples": [{"filename": "catalog.csv",
                                                               "filesize": 1024}]})
    filename: str = Field(max_length=255, description="ends in .csv, .tsv, .txt, .xlsx or .xls")
    filesize: int | None = Field(None, gt=0, le=2**53, description="bytes (checked at process)")

    @field_validator("filename")
    @classmethod
    def _name(cls, value: str) -> str:
        import os

        from models.catalog import EXCEL_EXT, TEXT_EXT
        if not value or "/" in value:
            raise ValueError("required: a file name without '/', at most 255 characters")
        if os.path.splitext(value.lower())[1] not in TEXT_EXT | EXCEL_EXT:
            raise ValueError("must end in .csv, .tsv, .txt, .xlsx or .xls")
        return value

    @field_validator("filesize", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if value == "" else value


class CatalogUpload(ResponseModel):
    id: int
    status: str
    filename: str
    presigned_url: str = Field(description="PUT the catalog file here")
    expires_at: Timestamp


class CatalogImport(ResponseModel):
    """A catalog import: status, progress, rows read and rejected."""
    id: int
    status: str = Field(description="UPLOADING, UPLOADED, PROCESSING, DONE or FAILED")
    organisation: int | str | None = None
    filename: str | None = None
    filetype: str | None = None
    filesize: int | None = None
    status_cause: str | None = None
    error_message: str | None = None
    progress: dict[str, Any] | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)
    updated_at: Timestamp | None = None


class CatalogImportPage(Page[CatalogImport]):
    pass


class CatalogStatus(ResponseModel):
    id: int
    status: str


class CatalogQuery(PageQuery):
    isrc: str | None = Field(None, max_length=64)
    upc: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=500, description="part of the track title")
    artist: str | None = Field(None, max_length=500, description="part of the artist name")


class CatalogEntry(ResponseModel):
    isrc: str | None = None
    upc: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class CatalogSearch(Page[CatalogEntry]):
    """A page of the organisation's current catalog version (null fields when none yet)."""
    version: int | None
    import_id: int | None
    switched_at: Timestamp | None
    catalog_rows: int
