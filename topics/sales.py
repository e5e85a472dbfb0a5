"""Sales-file commands and events (the public contract for the sales pipeline).

Ids: an outside system may allocate `id` (and `uuid`) of a new file itself, or omit them and
read the allocated ones from `SalesFileRegistered`. A command naming a file that does not exist
is answered by `SalesFileCommandRejected`; a `CreateSalesFile` for an unknown organisation by
`SalesFileRejected`; a payload that breaks its model is dead-lettered with the errors."""
from typing import Any, Literal

from pydantic import ConfigDict, Field

from models.files import STATUSES
from models.new_file import NewSalesFile
from topics.envelope import MessageType
from topics.payload import EntityId, Organisation, Payload, StatusChange, Text
from topics.registry import TopicSpec, register

Status = Literal[STATUSES]  # type: ignore[valid-type]


class CreateSalesFilePayload(NewSalesFile):
    """The specification's create form plus the owner and (optionally) the ids."""
    model_config = ConfigDict(extra="allow")
    organisation: Organisation
    id: EntityId | None = Field(None, description="allocated by the agent when absent")
    uuid: str | None = Field(None, min_length=1, max_length=64)
    allow_duplicate: bool = False
    source: dict[str, Any] | None = Field(None, description="where an automatic upload took "
                                                            "the file from")


class FileCommand(Payload):
    file_id: EntityId
    allow_duplicate: bool = False
    allow_duplicate_of: EntityId | None = Field(None, description="the file this one may "
                                                                "duplicate (ProcessSalesFile)")
    date_order: Literal["DMY", "MDY"] | None = Field(
        None, description="Process/Reimport: read dates such as 01/06/2025 day-first (DMY) or "
                          "month-first (MDY) when the file's rows do not settle it")
    reason: Text | None = None


class FileWork(Payload):
    file_id: EntityId
    attempt: int = Field(ge=0, le=10**6)


class Registered(Payload):
    file_id: EntityId
    record: dict[str, Any]


class Rejected(Payload):
    file_id: EntityId | None = None
    errors: dict[str, str] | list[dict[str, Any]] = Field(
        description="field → problem (or [{field, problem}])")


class CommandRejected(Payload):
    file_id: int
    command: str = Field(description="the rejected command's type")
    reason: Text
    message_id: str | None = None


class StatusChanged(StatusChange):
    file_id: EntityId
    status: Status
    attempt: int | None = None


class Progressed(Payload):
    file_id: EntityId
    stage: str
    rows: int | None = Field(None, ge=0)
    percent: float | None = Field(None, ge=0, le=100)


def _from_v0(payload: dict) -> dict:
    """Version 0 (the legacy API's shape) named the file `id`; version 1 calls it `file_id`."""
    if "file_id" not in payload and "id" in payload:
        payload["file_id"] = payload.pop("id")
    return payload


def _file_command(name: str, doc: str, *, work: bool = False, **more: Any) -> MessageType:
    """A command on one file: FileCommand names the file; FileWork, a pipeline stage's work,
    names the file and the attempt."""
    fields = ("file_id", "attempt") if work else ("file_id",)
    return MessageType(name, "command", 1, required=fields, doc=doc, example=dict.fromkeys(fields, 1),
                       model=FileWork if work else FileCommand, **more)


_record_example = {"organisation": "org-1", "filename": "report.tsv", "filetype": "TSV",
                   "filesize": 1024, "mongo_db_id": "6650c0ffee"}

CREATE = MessageType(
    "CreateSalesFile", "command", 1,
    required=("organisation", "filename", "filetype", "filesize", "mongo_db_id"),
    doc="Register a sales file. `id`/`uuid` may be given (the gateway allocates them); "
        "otherwise the agent allocates them.",
    example={**_record_example, "id": 1, "uuid": "a1b2c3d4"}, model=CreateSalesFilePayload,
)
START_UPLOAD = _file_command(
    "StartSalesFileUpload", "Mark a file UPLOADING (a presigned PUT URL was handed out).")
PROCESS = _file_command(
    "ProcessSalesFile",
    "The object is uploaded: check it, mark UPLOADED and start cleaning. Optional "
    "`allow_duplicate_of`: the id of the file this one duplicates, to import a DUPLICATE "
    "anyway. Version 0 (`{\"id\": 1}`) is still accepted.", upgraders={0: _from_v0})
REIMPORT = _file_command(
    "ReimportSalesFile",
    "Run the pipeline again from the stored object (from FAILED, PROCESSED, FINALIZED, "
    "VOIDED); the duplicate check runs again. "
    "Version 0 (`{\"id\": 1}`) is still accepted.", upgraders={0: _from_v0})
VOID = _file_command(
    "VoidSalesFile",
    "Void a file (from INITIALIZED, UPLOADING, FAILED or FINALIZED): its rows leave the "
    "summary, snapshots and reports; the record stays, status VOIDED. A reimport undoes it.")
CLEAN = _file_command("CleanSalesFile", "Detect, normalise and validate the uploaded object.", work=True)
IMPORT = _file_command("ImportSalesFile", "Write the cleaned rows to Parquet and build the snapshot.", work=True)

REGISTERED = MessageType(
    "SalesFileRegistered", "event", 1, required=("file_id", "record"),
    doc="A file record was stored; `record` is the whole record.",
    example={"file_id": 1, "record": {**_record_example, "id": 1, "status": "INITIALIZED"}},
    model=Registered)
REJECTED = MessageType(
    "SalesFileRejected", "event", 1, required=("errors",),
    doc="A CreateSalesFile command was refused (e.g. an unknown organisation); `errors` maps "
        "field → reason.",
    example={"file_id": 1, "errors": {"organisation": "unknown organisation 'org-9'"}},
    model=Rejected)
COMMAND_REJECTED = MessageType(
    "SalesFileCommandRejected", "event", 1, required=("file_id", "command", "reason"),
    doc="A command named a file that does not exist; nothing changed.",
    example={"file_id": 404, "command": "ProcessSalesFile", "reason": "no sales file 404",
             "message_id": "0f6a3c2e9b7d4e18a5c1f2b3d4e5f607"}, model=CommandRejected)
STATUS_CHANGED = MessageType(
    "SalesFileStatusChanged", "event", 1, required=("file_id", "status"),
    doc="A file moved to `status`; `fields` holds record fields set with it.",
    example={"file_id": 1, "organisation": "org-1", "status": "CLEANING", "attempt": 1,
             "status_cause": None, "error_message": None, "fields": {}}, model=StatusChanged)
PROGRESSED = MessageType(
    "SalesFileProgressed", "event", 1, required=("file_id", "stage"),
    doc="Progress of long work: rows processed and percent.",
    example={"file_id": 1, "stage": "CLEANING", "rows": 50000, "percent": 41.5}, model=Progressed)

FILE_COMMANDS = register(TopicSpec(
    "sales.files.commands", "commands", key="file_id", consumer="agents.registration",
    doc="Lifecycle commands of sales-file records."), CREATE, START_UPLOAD, PROCESS, REIMPORT,
    VOID)
CLEAN_COMMANDS = register(TopicSpec(
    "sales.cleaning.commands", "commands", key="file_id", consumer="agents.cleaning",
    doc="Cleaning work."), CLEAN)
IMPORT_COMMANDS = register(TopicSpec(
    "sales.import.commands", "commands", key="file_id", consumer="agents.importing",
    doc="Import work."), IMPORT)
FILE_EVENTS = register(TopicSpec(
    "sales.files.events", "events", key="file_id", consumer="agents.status_table",
    doc="Status events of sales files, folded into the file-status table."),
    REGISTERED, REJECTED, COMMAND_REJECTED, STATUS_CHANGED, PROGRESSED)
