"""Wire models of the description service's import routes: preview, import tasks, the legacy
parser. A task's stored view (models/gtin_tasks.py) keeps richer internals; `task_status`
renders the specification's shape from it, with the richer parts as named extensions.
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from gateway.schemas.gtin_items import Conditions
from gateway.schemas.gtin_wire import Wire

NO_QUOTA = "undefined"  # the specification's value: no GTIN quota applies to the participant


class FieldWidget(BaseModel):
    """A value of the `fields` map: a text widget (`title`) or an image (`widget: "image"`);
    `action`: `copy_to_cdn` (image) or `to_country` (the GTIN column). Values are checked by
    the domain (models/gtin/import_spec.py), which names the offending field."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    widget: str | None = Field(None, description='"text" or "image"')
    action: str | None = Field(None, description='"copy_to_cdn" or "to_country"')
    position: int | None = None
    field: str | None = None  # extension: the column, in the list form of `fields`


class AdditionalWidgets(BaseModel):
    model_config = ConfigDict(extra="allow")  # extension: {position, type, …} / {position, widget}
    position: int
    widgets: list[dict[str, Any]] | None = None


class PreviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "link": "https://dev-cdn.shping.com/2017/11/22/f6ba5d7f.csv", "delimiter": ",",
        "num_lines": 3, "has_header": True}]})
    link: str
    delimiter: Literal[",", "\t", ";", "|"] = ","
    has_header: bool = True
    num_lines: int = Field(default=10, ge=0, le=1000)
    quotechar: Literal['"', "'"] | None = '"'  # extension; null: no quoting


class ImportBody(BaseModel):
    """POST /description-service/import/tasks and /parse/file."""

    model_config = ConfigDict(extra="forbid")
    link: str
    gtin_field: str
    delimiter: Literal[",", "\t", ";", "|"] = ","
    has_header: bool = True
    fields: dict[str, FieldWidget | str] | list[FieldWidget] | None = None
    name: str | list[str] | None = None
    brand: str | None = None
    conditions: Conditions | None = None
    gpc_segment_field: str | None = None
    gpc_family_field: str | None = None
    gpc_class_field: str | None = None
    gpc_brick_field: str | None = None
    additional_widgets: list[AdditionalWidgets] | None = None
    replace_included_conditions: bool = False
    quotechar: Literal['"', "'"] | None = '"'  # extension
    pad_gtin: bool = False  # extension: left-pad GTINs a spreadsheet shortened

    def written(self) -> dict[str, Any]:
        """The description as the client wrote it (what the task stores and runs)."""
        return self.model_dump(exclude_unset=True)


class Preview(Wire):
    """The first lines of the file: `header` (or "1", "2", … without one) and `records`."""

    EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"bad_lines"})
    header: list[str]
    records: list[dict[str, str]]
    bad_lines: list[dict[str, Any]] | None = None  # extension: lines the preview could not read


class UploadCreated(BaseModel):
    """Extension: a presigned PUT for a file to import, and the `link` to give to preview or
    import (read from the object store directly)."""

    id: str
    upload_url: str
    method: Literal["PUT"] = "PUT"
    link: str
    expires_at: str


class TaskStarted(BaseModel):
    id: str
    status: str
    ts: str


class Limits(BaseModel):
    current: int | str = NO_QUOTA
    max: int | str = NO_QUOTA


class GtinProblem(BaseModel):
    """A line whose GTIN is invalid (gtin null: the line has none) or not the participant's."""

    model_config = ConfigDict(extra="allow")  # extension: reason / prefix
    gtin: str | None
    line: int


class TaskStatus(Wire):
    """An import task's status in the specification's shape, with documented extensions."""

    EXTENSIONS: ClassVar[frozenset[str]] = frozenset({
        "bad_prefixes", "detail", "counts", "bad_line_details", "file_limits", "kind",
        "created_at", "finished_at", "errors_csv"})
    limits: Limits = Field(default_factory=Limits)
    bad_lines: list[int] = Field(default_factory=list)
    bad_gtins: list[GtinProblem] = Field(default_factory=list)
    message: str
    id: str
    status: Literal["started", "in_progress", "done", "failed"]
    processed_lines: int = 0
    total_lines: int | None = None
    has_header: bool = True
    ts: str
    bad_prefixes: list[GtinProblem] | None = None
    detail: str | None = None  # extension: what the task is doing / did, in words
    counts: dict[str, Any] | None = None  # extension: exact counts (lists may be capped)
    bad_line_details: list[dict[str, Any]] | None = None  # extension: {line, reason}
    file_limits: dict[str, Any] | None = None  # extension: size limits of the import
    kind: str | None = None
    created_at: str | None = None
    finished_at: str | None = None
    errors_csv: str | None = None  # extension: every entry of the error lists, as CSV


class TaskList(BaseModel):
    tasks: list[dict[str, Any]]


class ParseStatus(BaseModel):
    message: str
    status: str
    ts: str


class ParseStarted(RootModel[str]):
    """The specification's answer to POST /parse/file: the JSON string "Task in progress"."""


def _line(entry: Any) -> int:
    return entry["line"] if isinstance(entry, dict) else int(entry)


def _gtin_problem(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "gtin": entry.get("gtin") or None, "line": entry["line"]}


def message_of(view: dict[str, Any]) -> str:
    """`success` (the specification's word) unless the task failed: then why."""
    if view.get("status") == "failed":
        return view.get("message") or "failed"
    return "success"


def task_status(view: dict[str, Any]) -> dict[str, Any]:
    """The specification's status of a task from its stored view."""
    bad_lines = view.get("bad_lines") or []
    data = {
        "bad_lines": [_line(e) for e in bad_lines],
        "bad_gtins": [_gtin_problem(e) for e in view.get("bad_gtins") or []],
        "bad_prefixes": [_gtin_problem(e) for e in view.get("bad_prefixes") or []],
        "message": message_of(view), "detail": view.get("message"),
        "bad_line_details": [e for e in bad_lines if isinstance(e, dict)],
        "file_limits": view.get("limits"),
        **{k: view.get(k) for k in ("id", "status", "ts", "kind", "created_at", "finished_at",
                                    "counts", "errors_csv")},
        "processed_lines": view.get("processed_lines") or 0,
        "total_lines": view.get("total_lines"),
        "has_header": view.get("has_header") is not False,
    }
    return TaskStatus.model_validate(data).wire()
