"""Automatic upload from Google Drive and http(s) links: commands and job events.

A job (one submitted link) is resolved once (list the files, create their records through
`CreateSalesFile`), then each file is fetched into object storage and handed to the normal
pipeline with `ProcessSalesFile`; zip archives found in folders are expanded by their own command.
"""
from typing import Any, Literal

from pydantic import Field

from topics.envelope import MessageType
from topics.payload import EntityId, Organisation, Payload, Text
from topics.registry import TopicSpec, register

JobId = Field(min_length=1, max_length=100, description="job id (`au-…`)")


class ResolvePayload(Payload):
    job_id: str = JobId
    organisation: Organisation
    url: str = Field(min_length=1, max_length=4096)


class FetchFilePayload(Payload):
    job_id: str = JobId
    file_id: EntityId
    organisation: Organisation


class ExpandArchivePayload(Payload):
    job_id: str = JobId
    organisation: Organisation
    drive_file_id: str = Field(min_length=1, max_length=500)
    name: str = Field(min_length=1, max_length=1000)
    path: str | None = None
    size: int | None = Field(None, ge=0)
    md5: str | None = None


class ResolvedPayload(Payload):
    job_id: str
    status: Literal["RESOLVED", "RESOLVING"]
    organisation: str | None = None
    files: list[dict[str, Any]] = Field(default_factory=list)
    skipped: list[dict[str, Any]] = Field(default_factory=list)
    archives: list[dict[str, Any]] = Field(default_factory=list)


class RejectedPayload(Payload):
    job_id: str
    code: str = Field(description="machine-readable reason (private, direct_zip, …)")
    message: Text


class ArchiveExpandedPayload(Payload):
    job_id: str
    drive_file_id: str
    status: Literal["EXPANDED", "FAILED"]
    files: list[dict[str, Any]] = Field(default_factory=list)
    skipped: list[dict[str, Any]] = Field(default_factory=list)
    status_cause: str | None = None
    error_message: str | None = None

RESOLVE = MessageType(
    "ResolveAutoUpload", "command", 1, required=("job_id", "organisation", "url"),
    doc="List what the link points at, create a record per supported file, schedule fetches.",
    example={"job_id": "au-1f2e3d", "organisation": "org-1",
             "url": "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp"},
    model=ResolvePayload)
FETCH_FILE = MessageType(
    "FetchAutoUploadFile", "command", 1, required=("job_id", "file_id", "organisation"),
    doc="Download one Drive file into the record's object key, then process it.",
    example={"job_id": "au-1f2e3d", "file_id": 7, "organisation": "org-1"},
    model=FetchFilePayload)
EXPAND_ARCHIVE = MessageType(
    "ExpandAutoUploadArchive", "command", 1,
    required=("job_id", "organisation", "drive_file_id", "name"),
    doc="Download a zip found in a shared folder, expand it safely, create a record per "
        "supported member and process each.",
    example={"job_id": "au-1f2e3d", "organisation": "org-1", "drive_file_id": "1ZzYyXx",
             "name": "bundle.zip", "path": "2025/bundle.zip", "size": 2048, "md5": "9e107d9d"},
    model=ExpandArchivePayload)

_files_example = [{"id": 7, "uuid": "a1b2c3d4", "filename": "june.csv", "status": "INITIALIZED",
                   "upload_mode": "AUTOMATICALLY", "duplicate": False}]
RESOLVED = MessageType(
    "AutoUploadResolved", "event", 1, required=("job_id", "status"),
    doc="The link was listed: `files` (records created or found again), `skipped` "
        "(path and reason), `archives` (zips to expand).",
    example={"job_id": "au-1f2e3d", "organisation": "org-1", "status": "RESOLVED",
             "files": _files_example, "skipped": [{"path": "notes.pdf", "reason": "unsupported"}],
             "archives": [{"drive_file_id": "1ZzYyXx", "path": "bundle.zip", "status": "PENDING"}]},
    model=ResolvedPayload)
REJECTED = MessageType(
    "AutoUploadRejected", "event", 1, required=("job_id", "code", "message"),
    doc="The link cannot be imported (private, a direct zip, unsupported, no API key, an "
        "unknown organisation…).",
    example={"job_id": "au-1f2e3d", "code": "private", "message": "share it with anyone"},
    model=RejectedPayload)
ARCHIVE_EXPANDED = MessageType(
    "AutoUploadArchiveExpanded", "event", 1, required=("job_id", "drive_file_id", "status"),
    doc="A zip was expanded (`status` EXPANDED, with its files and skipped members) or "
        "refused (`status` FAILED, `status_cause` CORRUPTED, `error_message`).",
    example={"job_id": "au-1f2e3d", "drive_file_id": "1ZzYyXx", "status": "EXPANDED",
             "files": _files_example, "skipped": []}, model=ArchiveExpandedPayload)

COMMANDS = register(TopicSpec(
    "auto_upload.commands", "commands", key="job_id", consumer="agents.auto_upload",
    doc="Automatic-upload jobs to resolve."), RESOLVE)
FETCH_COMMANDS = register(TopicSpec(
    "auto_upload.fetch.commands", "commands", key="file_id", consumer="agents.auto_upload",
    doc="Downloads of files and archives behind a link (keyed by file id or Drive id), kept "
        "apart from resolving so a long download never delays the answer to a new link."),
    FETCH_FILE, EXPAND_ARCHIVE)
EVENTS = register(TopicSpec(
    "auto_upload.events", "events", key="job_id", consumer="gateway.routes.auto_upload",
    doc="Outcome of automatic-upload jobs (the gateway waits for them to answer)."),
    RESOLVED, REJECTED, ARCHIVE_EXPANDED)
