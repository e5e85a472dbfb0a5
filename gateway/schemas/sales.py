"""Sales-file bodies: the shapes of the sales specification (`POST /api/files/salesfiles/`,
`…/{id}/process/`, `…/{id}/snapshot/`, `GET /api/sales/summary/`) plus this service's extras
(listing filters, history, progress, warnings)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from gateway.schemas.common import Page, PageQuery, Period, RequestModel, ResponseModel, Timestamp
from models.files import STATUSES
from models.new_file import NewSalesFile, Upper
from models.sales.totals import TOTALS_CHECKS

Status = Literal[STATUSES]  # type: ignore[valid-type]


class SalesFileCreate(NewSalesFile):
    """The specification's create form (form data or JSON); `organisation` is the token's."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "filename": "spotify-2025-06.tsv", "filetype": "TSV", "filesize": 2048,
        "mongo_db_id": "665f00aa"}]})

    organisation: int | str | None = Field(None, description="ignored: the Bearer token names "
                                                             "the organisation")
    allow_duplicate: bool = Field(False, description="ignored: a duplicate is imported only by a "
                                  "process request naming its original (allow_duplicate_of)")
    allow_duplicate_of: int | None = Field(None, description="ignored here, see the process action")


class StatusFields(ResponseModel):
    """A status with its cause and message (FAILED: why, in words)."""
    status: Status
    status_cause: str | None = None
    error_message: str | None = None


class HistoryEntry(StatusFields):
    ts: Timestamp


class SalesFile(ResponseModel):
    """A sales-file record (the specification's fields, then this service's)."""
    id: int
    uuid: str = Field(description="8 characters")
    filename: str
    filetype: str
    filesize: int
    mongo_db_id: str | None = None
    status: Status
    total_rows: int | None = None
    total_artists: int | None = None
    status_cause: str | None = None
    error_message: str | None = None
    total_local: Any = Field(None, description="total revenue of the file")
    reporting_period: Period | None = None
    upload_mode: str | None = None
    response_module: str | None = None
    module_response: str | None = None
    organisation: int | str
    exchange_rate: Any = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    progress: dict[str, Any] | None = None
    warnings: list[Any] = Field(default_factory=list)


class SalesFileAccepted(ResponseModel):
    """202: the record and its command are stored (durable), a worker has not registered it
    yet; follow `GET …/{id}/`."""
    id: int
    uuid: str
    status: Literal["INITIALIZED"]
    message: str


class SalesFilePage(Page[SalesFile]):
    pass


class SalesFileQuery(PageQuery):
    status: Annotated[Status, Upper] | None = Field(None, description="only files in this "
                                                    "status (any case)")
    reporting_period: Period | None = Field(None, description="only files of this period")
    period: Period | None = Field(None, description="alias of reporting_period")
    totals_check: Annotated[Literal[TOTALS_CHECKS], Upper] | None = Field(  # type: ignore[valid-type]
        None, description="only files whose declared totals check is MATCH, MISMATCH, "
        "PENDING_PARTS or NONE")


class SalesFileAction(RequestModel):
    """`upload` (a presigned PUT URL), `process` (after the PUT) or `reimport`."""
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "upload"},
                                                              {"action": "process"}]})
    id: int | None = Field(None, description="ignored: the path names the file")
    action: Literal["upload", "process", "reimport"]
    allow_duplicate: bool = Field(False, description="not enough on its own: name the original "
                                  "with allow_duplicate_of")
    allow_duplicate_of: int | None = Field(None, description="process: the id of the file this "
                                           "DUPLICATE duplicates, to import it anyway (recorded "
                                           "as duplicate_override)")
    date_order: str | None = Field(None, description="process/reimport: read dates such as "
                                   "01/06/2025 day-first (`DMY`) or month-first (`MDY`) when the "
                                   "file's rows do not settle it (docs/money.md)")


class UploadLink(ResponseModel):
    id: int
    presigned_url: str = Field(
        description="PUT the file's bytes here, once: at most `filesize` bytes (a larger body is "
                    "413; the size is signed into the URL), and no PUT after a first one succeeded "
                    "or once the file left UPLOADING (409)",
        examples=["http://127.0.0.1:8080/_objects/uploads/1/1/original.tsv?expires=…&size=120"
                  "&signature=…"])
    expires_at: Timestamp


class StatusAnswer(StatusFields):
    id: int


class RevenueEntry(ResponseModel):
    name: str | None = None
    revenue: Any = None
    quantity: Any = None


class Snapshot(ResponseModel):
    """Totals of one processed file, per artist, DSP, territory, track and release."""
    byArtist: list[RevenueEntry]
    byDSP: list[RevenueEntry]
    byTerritory: list[RevenueEntry]
    byTrack: list[RevenueEntry]
    byRelease: list[RevenueEntry]
    totals: dict[str, Any] | None = None


class Summary(ResponseModel):
    """All-time counts of the organisation's processed files."""
    files: int
    artists: int
    releases: int
    tracks: int
    total_gross: Any = Field(description="total revenue (exact decimal text)")
    organisation: int | str | None = None
    by_period: list[dict[str, Any]] = Field(default_factory=list)
    updated_at: Timestamp | None = None

