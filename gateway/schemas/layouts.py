"""Organisation layout mappings: `POST/GET /api/layouts/`, `GET/PUT/DELETE …/{id}/`. The model
gives the shape; models/sales/layouts/validate.py checks the values (every problem listed)."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from gateway.schemas.common import RequestModel, ResponseModel, Timestamp

EXAMPLE = {"name": "Acme Distribution", "required_headers": ["Monat", "Titel", "Betrag"],
           "columns": {"Monat": "period", "Titel": "track_title", "Betrag": "revenue"},
           "decimal_separator": ",", "default_currency": "EUR"}


class LayoutMapping(RequestModel):
    """How files of one layout map onto the canonical sales fields."""
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})
    name: str = Field(max_length=100)
    columns: dict[str, str] = Field(description="source header → canonical field; one maps "
                                                "to revenue", max_length=500)
    required_headers: list[str] | None = Field(None, max_length=500, description="headers that "
                                               "identify the layout (default: the columns)")
    header_row: int | None = Field(None, description="1-based line of the header")
    skip_top: int | None = None
    skip_bottom: int | None = None
    date_format: str | None = Field(None, max_length=50, examples=["%d.%m.%Y"])
    decimal_separator: str | None = Field(None, max_length=1, description="'.' or ','")
    thousands_separator: str | None = Field(None, max_length=1)
    default_currency: str | None = Field(None, max_length=3, description="ISO 4217")
    constants: dict[str, str] | None = Field(None, description="canonical field → fixed value")


class Layout(ResponseModel):
    """A stored mapping of the organisation."""
    id: int
    name: str
    columns: dict[str, str]
    required_headers: list[str] = Field(default_factory=list)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class LayoutList(ResponseModel):
    count: int
    results: list[Layout]


class LayoutConfirm(RequestModel):
    """The proposal from a file's status (`{"mapping": {...}, …}`, other keys ignored) or the
    mapping's own fields at the top level."""
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"mapping": EXAMPLE}, EXAMPLE]})
    mapping: LayoutMapping | None = None


class LayoutConfirmed(ResponseModel):
    layout: Layout
    file: dict = Field(description="the file's id and status (REIMPORT once reimporting)")
    replaced: bool = Field(description="true when a layout of that name was replaced")
