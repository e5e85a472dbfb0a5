"""Shared shapes: request/response bases, the problem document, paging."""
from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[int, Field(ge=1, le=2**53, description="numeric id")]
Timestamp = Annotated[str, Field(description="ISO 8601 date-time (UTC)",
                                 json_schema_extra={"format": "date-time"})]
Decimal = Annotated[str, Field(description="exact decimal number as text", examples=["12.50"],
                               json_schema_extra={"pattern": r"^-?\d+(\.\d+)?$"})]
Period = Annotated[str, Field(description="reporting period YYYY-MM", examples=["2025-06"],
                              json_schema_extra={"pattern": r"^\d{4}-(0[1-9]|1[0-2])$"})]


class RequestModel(BaseModel):
    """A request body: unknown fields are refused (400 naming them)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=10_000)


class QueryModel(BaseModel):
    """Query parameters: unknown parameters are ignored (caches and proxies add some)."""
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, str_max_length=1000)


class ResponseModel(BaseModel):
    """An answer: the declared fields are guaranteed; fields added later pass through."""
    model_config = ConfigDict(extra="allow")


class FieldProblem(BaseModel):
    field: str = Field(description="dotted path into the body, or the parameter's name; "
                                   "`body` for the whole body", examples=["period"])
    problem: str = Field(examples=["required"])
    model_config = ConfigDict(extra="allow")


class Problem(BaseModel):
    """RFC 9457 problem document: every error answer of the gateway."""
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "urn:tributary:problem:validation_error", "title": "Validation error",
        "status": 400, "detail": "the body has problems: period: required",
        "code": "validation_error", "instance": "/api/reports/",
        "errors": [{"field": "period", "problem": "required"}]}]})

    type: str = Field(description="urn:tributary:problem:<code>")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(description="machine-readable name of the problem")
    instance: str | None = Field(None, description="the request path")
    errors: list[FieldProblem] = Field(description="each field at fault (may be empty)")


class PageQuery(QueryModel):
    page: int = Field(1, ge=1, le=10**9, description="page number, from 1")
    page_size: int = Field(50, ge=1, le=500, description="entries per page (at most 500)")

    @property
    def skip(self) -> int:
        """Entries on the pages before this one."""
        return (self.page - 1) * self.page_size

    def answer(self, count: int, results: list) -> dict:
        """The Page body: this page's `results` of `count` entries in all."""
        return {"count": count, "page": self.page, "page_size": self.page_size, "results": results}


T = TypeVar("T")


class Page(ResponseModel, Generic[T]):
    count: int = Field(ge=0, description="entries matching, over all pages")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    results: list[T]


class Accepted(ResponseModel):
    """The id of the entity a command was published for, and its status when answered."""
    id: Any
    status: str
