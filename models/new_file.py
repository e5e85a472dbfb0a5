"""The fields of a new sales-file record, as the sales specification's create form lists them.

One declaration serves the HTTP body (`POST /api/files/salesfiles/`, form or JSON) and the
`CreateSalesFile` command payload: values come as form strings or JSON values, an empty string
counts as absent, and each rule names its field when it fails.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

FILETYPES = ("CSV", "TXT", "TSV", "XLS", "XLSX", "ZIP")  # ZIP: expanded, members imported as files
UPLOAD_MODES = ("MANUALLY", "AUTOMATICALLY")

Upper = BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v)
Text = Annotated[str, Field(max_length=2000)]


def _decimal(value: Any, *, positive: bool) -> str:
    if isinstance(value, bool):
        raise ValueError("must be a decimal number")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or (positive and number <= 0):
        raise ValueError("must be a positive decimal number" if positive
                         else "must be a decimal number")
    return str(number)


class NewSalesFile(BaseModel):
    """A sales file to register (fields of the specification's create form)."""
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    filename: str = Field(description="the file's name: at most 255 characters, no '/'",
                          examples=["spotify-2025-06.tsv"],
                          json_schema_extra={"minLength": 1, "maxLength": 255})
    filetype: Annotated[Literal[FILETYPES], Upper] = Field(  # type: ignore[valid-type]
        description="CSV, TXT, TSV, XLS, XLSX or ZIP (any case; a zip is expanded and its members imported as files)", examples=["TSV"])
    filesize: int = Field(ge=0, le=2**53, description="size in bytes", examples=[2048])
    mongo_db_id: str = Field(min_length=1, max_length=64,
                             description="the client's id for the data", examples=["665f00aa"])
    status: Literal["INITIALIZED"] = Field("INITIALIZED", description="a new file starts as "
                                           "INITIALIZED")
    upload_mode: Annotated[Literal[UPLOAD_MODES], Upper] = "MANUALLY"  # type: ignore[valid-type]
    total_rows: int | None = Field(None, ge=0, le=2**53)
    total_artists: int | None = Field(None, ge=0, le=2**53)
    total_local: str | None = Field(None, description="a decimal number", examples=["12.50"])
    exchange_rate: str | None = Field(None, description="a positive decimal number",
                                      examples=["1.0850"])
    reporting_period: str | None = Field(None, description="YYYY-MM", examples=["2025-06"])
    status_cause: Text | None = None
    error_message: Text | None = None
    response_module: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str) -> str:
        if not value or len(value) > 255 or "/" in value or "\x00" in value:
            raise ValueError("must be a file name of at most 255 characters, without '/'")
        return value

    @field_validator("filetype", "upload_mode", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else value

    @field_validator("total_local", mode="before")
    @classmethod
    def _total(cls, value: Any) -> str:
        return _decimal(value, positive=False)

    @field_validator("exchange_rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> str:
        return _decimal(value, positive=True)

    @field_validator("reporting_period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> str:
        from models.periods import parse_period_strict

        parsed = parse_period_strict(str(value))
        if parsed is None:
            raise ValueError("must be YYYY-MM")
        return parsed
