"""Catalog-import commands and events: an organisation's catalog of releases and tracks is
loaded from an uploaded CSV/TSV/XLSX file, one immutable version per successful import."""
from typing import Literal

from pydantic import Field

from topics.envelope import MessageType
from topics.payload import EntityId, Organisation, Payload, StatusChange, Text
from topics.registry import TopicSpec, register


class CreateImportPayload(Payload):
    import_id: EntityId
    organisation: Organisation
    filename: str = Field(min_length=1, max_length=255)
    filetype: str | None = Field(None, max_length=10)
    filesize: int | None = Field(None, ge=1, le=2**53)
    object_key: str | None = Field(None, max_length=1024)


class ProcessImportPayload(Payload):
    import_id: EntityId


class ImportStatusPayload(StatusChange):
    import_id: EntityId
    status: Literal["UPLOADING", "UPLOADED", "PROCESSING", "DONE", "FAILED"]


class ImportRejectedPayload(Payload):
    import_id: int
    command: str
    reason: Text

CREATE = MessageType(
    "CreateCatalogImport", "command", 1, required=("import_id", "organisation", "filename"),
    doc="Register a catalog import; the gateway allocated `import_id` and hands out a presigned "
        "PUT URL for `object_key`. `filesize` (bytes) is optional and checked on process.",
    example={"import_id": 7, "organisation": "org-1", "filename": "catalog.xlsx",
             "filetype": "XLSX", "filesize": 20480,
             "object_key": "catalog-uploads/org-1/7/original.xlsx"}, model=CreateImportPayload)
PROCESS = MessageType(
    "ProcessCatalogImport", "command", 1, required=("import_id",),
    doc="The upload is in place: read it, normalise ISRC/UPC, count and sample bad rows, write "
        "catalog version N+1 and make it current in one update.",
    example={"import_id": 7}, model=ProcessImportPayload)

STATUS_CHANGED = MessageType(
    "CatalogImportStatusChanged", "event", 1, required=("import_id", "status"),
    doc="An import moved to `status` (UPLOADING, UPLOADED, PROCESSING, DONE, FAILED); `fields` "
        "holds record fields set with it (rows, bad_rows, bad_samples, version, ...). PROCESSING "
        "events repeat with `progress` while rows are read.",
    example={"import_id": 7, "organisation": "org-1", "status": "DONE", "status_cause": None,
             "error_message": None,
             "fields": {"version": 3, "rows": 1200, "bad_rows": 2,
                        "bad_samples": [{"line": 14, "reason": "invalid ISRC 'XX-1'"}]}},
    model=ImportStatusPayload)
REJECTED = MessageType(
    "CatalogImportRejected", "event", 1, required=("import_id", "command", "reason"),
    doc="A command named an unknown organisation or catalog import; nothing changed.",
    example={"import_id": 7, "command": "ProcessCatalogImport", "reason": "no catalog import 7"},
    model=ImportRejectedPayload)

COMMANDS = register(TopicSpec(
    "catalog.commands", "commands", key="import_id", consumer="agents.catalog",
    doc="Catalog-import commands."), CREATE, PROCESS)
EVENTS = register(TopicSpec(
    "catalog.events", "events", key="import_id", consumer="agents.catalog",
    doc="Status events of catalog imports, folded into the `catalog_imports` table."),
    STATUS_CHANGED, REJECTED)
