"""Catalog-import commands and events: an organisation's catalog of releases and tracks is
loaded from an uploaded CSV/TSV/XLSX file, one immutable version per successful import."""
from topics.envelope import MessageType
from topics.registry import TopicSpec, register

CREATE = MessageType(
    "CreateCatalogImport", "command", 1, required=("import_id", "organisation", "filename"),
    doc="Register a catalog import; the gateway allocated `import_id` and hands out a presigned "
        "PUT URL for `object_key`. `filesize` (bytes) is optional and checked on process.",
    example={"import_id": 7, "organisation": "org-1", "filename": "catalog.xlsx",
             "filetype": "XLSX", "filesize": 20480,
             "object_key": "catalog-uploads/org-1/7/original.xlsx"})
PROCESS = MessageType(
    "ProcessCatalogImport", "command", 1, required=("import_id",),
    doc="The upload is in place: read it, normalise ISRC/UPC, count and sample bad rows, write "
        "catalog version N+1 and make it current in one update.",
    example={"import_id": 7})

STATUS_CHANGED = MessageType(
    "CatalogImportStatusChanged", "event", 1, required=("import_id", "status"),
    doc="An import moved to `status` (UPLOADING, UPLOADED, PROCESSING, DONE, FAILED); `fields` "
        "holds record fields set with it (rows, bad_rows, bad_samples, version, ...). PROCESSING "
        "events repeat with `progress` while rows are read.",
    example={"import_id": 7, "organisation": "org-1", "status": "DONE", "status_cause": None,
             "error_message": None,
             "fields": {"version": 3, "rows": 1200, "bad_rows": 2,
                        "bad_samples": [{"line": 14, "reason": "invalid ISRC 'XX-1'"}]}})

COMMANDS = register(TopicSpec(
    "catalog.commands", "commands", key="import_id", consumer="agents.catalog",
    doc="Catalog-import commands."), CREATE, PROCESS)
EVENTS = register(TopicSpec(
    "catalog.events", "events", key="import_id", consumer="agents.catalog",
    doc="Status events of catalog imports, folded into the `catalog_imports` table."),
    STATUS_CHANGED)
