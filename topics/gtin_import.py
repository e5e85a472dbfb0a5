"""GTIN bulk-import tasks: the command that starts (or resumes) one, and the events that the
task-status table folds (`models.gtin_tasks.apply_event`). Key: the task id."""
from typing import Any, Literal

from pydantic import Field

from topics.envelope import MessageType
from topics.payload import Payload
from topics.registry import TopicSpec, register

TaskId = Field(min_length=1, max_length=100, description="task id")


class StartPayload(Payload):
    task_id: str = TaskId
    participant: str = Field(min_length=1, max_length=500, description="participant URN")
    spec: dict[str, Any] = Field(description="the body of POST /description-service/import/tasks")
    kind: Literal["task", "parse"] = "task"


class TaskChangedPayload(Payload):
    task_id: str = TaskId
    task: dict[str, Any] = Field(description="the whole status view")


class ProgressedPayload(Payload):
    task_id: str = TaskId
    processed_lines: int = Field(ge=0)
    total_lines: int | None = Field(None, ge=0)
    counts: dict[str, int] = Field(default_factory=dict)


class PurgedPayload(Payload):
    task_id: str = TaskId

_TASK_ID = "6f1c2d9e8a7b4c3d"
_PARTICIPANT = "urn:example:participant:brand-a"
_SPEC = {"link": "https://files.example/catalogue.csv", "delimiter": ",", "has_header": True,
         "gtin_field": "gtin", "name": ["name"], "brand": "brand",
         "conditions": {"language": ["en"], "country": ["036"]},
         "fields": [{"field": "description", "title": "Description", "position": 0}]}
_TASK = {"id": _TASK_ID, "status": "in_progress", "message": "processed 1000 of 5000 lines",
         "ts": "2025-06-01T10:00:02.000+00:00", "kind": "task", "participant": _PARTICIPANT,
         "total_lines": 5000, "processed_lines": 1000, "has_header": True,
         "bad_lines": [{"line": 17, "reason": "syntax: expected 4 fields, got 3"}],
         "bad_gtins": [{"line": 9, "gtin": "123"}],
         "bad_prefixes": [{"line": 12, "gtin": "05012345000010"}],
         "counts": {"imported": 997, "created": 990, "updated": 5, "unchanged": 2,
                    "bad_lines": 1, "bad_gtins": 1, "bad_prefixes": 1},
         "limits": {"max_file_bytes": 1073741824, "max_listed_errors": 1000, "batch_lines": 1000},
         "created_at": "2025-06-01T10:00:00.000+00:00", "finished_at": None}

START = MessageType(
    "StartGtinImport", "command", 1, required=("task_id", "participant", "spec"),
    doc="Run (or resume from its last checkpoint) an import task. `spec` is the request body of "
        "POST /description-service/import/tasks; `kind` is `task` or `parse` (legacy route). "
        "Redelivery is harmless: a finished task is skipped, a running one resumes.",
    example={"task_id": _TASK_ID, "participant": _PARTICIPANT, "kind": "task", "spec": _SPEC},
    model=StartPayload)

CHANGED = MessageType(
    "GtinImportTaskChanged", "event", 1, required=("task_id", "task"),
    doc="The task changed status (started, in_progress, done, failed) or resumed; `task` is the "
        "whole status view, which replaces the table's (a finished view is never replaced by an "
        "unfinished one).",
    example={"task_id": _TASK_ID, "task": _TASK}, model=TaskChangedPayload)
PROGRESSED = MessageType(
    "GtinImportProgressed", "event", 1, required=("task_id", "processed_lines"),
    doc="Throttled progress: absolute counters, plus the error entries found since the previous "
        "event (folded by line number, so a repeated event adds nothing).",
    example={"task_id": _TASK_ID, "processed_lines": 2000, "total_lines": 5000,
             "counts": {"imported": 1996, "created": 1990, "updated": 4, "unchanged": 2,
                        "bad_lines": 2, "bad_gtins": 1, "bad_prefixes": 1},
             "bad_lines": [{"line": 1502, "reason": "syntax: unexpected end of data"}],
             "bad_gtins": [], "bad_prefixes": [], "message": "processed 2000 of 5000 lines"},
    model=ProgressedPayload)
PURGED = MessageType(
    "GtinImportTaskPurged", "event", 1, required=("task_id",),
    doc="A finished task passed its retention time and was deleted.",
    example={"task_id": _TASK_ID}, model=PurgedPayload)

COMMANDS = register(TopicSpec(
    "gtin.import.commands", "commands", key="task_id", consumer="agents.gtin_import",
    doc="GTIN import work, one command per task run."), START)
EVENTS = register(TopicSpec(
    "gtin.import.events", "events", key="task_id", consumer="agents.gtin_import",
    doc="Status of GTIN import tasks, folded into the `gtin_import_tasks` table."),
    CHANGED, PROGRESSED, PURGED)
