"""Automatic-upload jobs (`auto_uploads`, keyed by job id): the gateway stores a job RESOLVING,
the resolving agent ends it RESOLVED (files found) or REJECTED (the link was refused). Its
outcome goes out as AutoUploadResolved / AutoUploadRejected (agents/auto_upload_jobs.py)."""
from __future__ import annotations

from models.lifecycle import NEW, EntityKind

STATUSES = ("RESOLVING", "RESOLVED", "REJECTED")
TERMINAL = ("RESOLVED", "REJECTED")


def apply_job(view: dict | None, event_type: str, payload: dict, ts: str) -> dict | None:
    """The stored job after `AutoUploadJobChanged` (a store-only event: the job's new fields)."""
    if event_type != "AutoUploadJobChanged":
        return None
    return {**(view or {}), **payload["job"], "updated_at": ts}


KIND = EntityKind(
    name="automatic upload", collection="auto_uploads", events="auto_upload.events",
    key_field="job_id", status_event="AutoUploadJobChanged", statuses=STATUSES,
    terminal=TERMINAL,
    transitions={NEW: STATUSES, "RESOLVING": ("RESOLVED", "REJECTED")},
    fold=apply_job, status_of=lambda payload: payload["job"]["status"], numeric=False)
