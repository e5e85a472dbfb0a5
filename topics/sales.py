"""Sales-file commands and events (the public contract for the sales pipeline)."""
from topics.envelope import MessageType
from topics.registry import TopicSpec, register


def _from_v0(payload: dict) -> dict:
    """Version 0 (the legacy API's shape) named the file `id`; version 1 calls it `file_id`."""
    if "file_id" not in payload and "id" in payload:
        payload["file_id"] = payload.pop("id")
    return payload


_record_example = {"organisation": "org-1", "filename": "report.tsv", "filetype": "TSV",
                   "filesize": 1024, "mongo_db_id": "6650c0ffee"}

CREATE = MessageType(
    "CreateSalesFile", "command", 1,
    required=("organisation", "filename", "filetype", "filesize", "mongo_db_id"),
    doc="Register a sales file. `id`/`uuid` may be given (the gateway allocates them); "
        "otherwise the agent allocates them.",
    example={**_record_example, "id": 1, "uuid": "a1b2c3d4"},
)
START_UPLOAD = MessageType(
    "StartSalesFileUpload", "command", 1, required=("file_id",),
    doc="Mark a file UPLOADING (a presigned PUT URL was handed out).", example={"file_id": 1})
PROCESS = MessageType(
    "ProcessSalesFile", "command", 1, required=("file_id",),
    doc="The object is uploaded: check it, mark UPLOADED and start cleaning. Optional "
        "`allow_duplicate_of`: the id of the file this one duplicates, to import a DUPLICATE "
        "anyway. Version 0 (`{\"id\": 1}`) is still accepted.",
    example={"file_id": 1}, upgraders={0: _from_v0})
REIMPORT = MessageType(
    "ReimportSalesFile", "command", 1, required=("file_id",),
    doc="Run the pipeline again from the stored object (from FAILED, PROCESSED, FINALIZED, "
        "VOIDED); the duplicate check runs again. "
        "Version 0 (`{\"id\": 1}`) is still accepted.",
    example={"file_id": 1}, upgraders={0: _from_v0})
VOID = MessageType(
    "VoidSalesFile", "command", 1, required=("file_id",),
    doc="Void a file (from INITIALIZED, UPLOADING, FAILED or FINALIZED): its rows leave the "
        "summary, snapshots and reports; the record stays, status VOIDED. A reimport undoes it.",
    example={"file_id": 1})
CLEAN = MessageType(
    "CleanSalesFile", "command", 1, required=("file_id", "attempt"),
    doc="Detect, normalise and validate the uploaded object.", example={"file_id": 1, "attempt": 1})
IMPORT = MessageType(
    "ImportSalesFile", "command", 1, required=("file_id", "attempt"),
    doc="Write the cleaned rows to Parquet and build the snapshot.",
    example={"file_id": 1, "attempt": 1})

REGISTERED = MessageType(
    "SalesFileRegistered", "event", 1, required=("file_id", "record"),
    doc="A file record was stored; `record` is the whole record.",
    example={"file_id": 1, "record": {**_record_example, "id": 1, "status": "INITIALIZED"}})
REJECTED = MessageType(
    "SalesFileRejected", "event", 1, required=("errors",),
    doc="A CreateSalesFile command was invalid; `errors` maps field → reason.",
    example={"file_id": 1, "errors": {"filesize": "must be a positive integer"}})
STATUS_CHANGED = MessageType(
    "SalesFileStatusChanged", "event", 1, required=("file_id", "status"),
    doc="A file moved to `status`; `fields` holds record fields set with it.",
    example={"file_id": 1, "organisation": "org-1", "status": "CLEANING", "attempt": 1,
             "status_cause": None, "error_message": None, "fields": {}})
PROGRESSED = MessageType(
    "SalesFileProgressed", "event", 1, required=("file_id", "stage"),
    doc="Progress of long work: rows processed and percent.",
    example={"file_id": 1, "stage": "CLEANING", "rows": 50000, "percent": 41.5})

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
    REGISTERED, REJECTED, STATUS_CHANGED, PROGRESSED)
