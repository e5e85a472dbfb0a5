"""Automatic upload: `POST /api/files/upload_automatically/` (the specification's `url` form
field) and `GET …/{job_id}/`."""
from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from gateway.schemas.common import RequestModel, ResponseModel


class AutoUploadRequest(RequestModel):
    """A Google Drive share link (file or folder) or an http(s) link to one sales file."""
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"url": "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp"}]})
    url: str = Field(max_length=4096, description="a shared link (\"Anyone with the link\")")


class AutoUploadEntry(ResponseModel):
    id: int
    status: str | None = None
    filename: str | None = None
    status_cause: str | None = None
    error_message: str | None = None


class AutoUploadJob(ResponseModel):
    """The files an automatic upload created, those it skipped, and the zips it expands."""
    job_id: str
    status: str = Field(description="RESOLVING, RESOLVED or REJECTED")
    files: list[AutoUploadEntry]
    skipped: list[dict[str, Any]]
    archives: list[dict[str, Any]]
    job_url: str | None = None
    url: str | None = None
    message: str | None = None
    code: str | None = None
    done: bool | None = Field(None, description="true once nothing more will change")
