"""Report commands and events: monthly (catalog-matched) and unmatched sales reports of one
organisation and one reporting period, written as report.csv.gz to object storage."""
from typing import Literal

from models.reports import TYPES
from topics.envelope import MessageType
from topics.payload import EntityId, Organisation, Payload, Period, StatusChange, Text
from topics.registry import TopicSpec, register

ReportStatus = Literal["PENDING", "RUNNING", "DONE", "FAILED"]


class CreateReportPayload(Payload):
    report_id: EntityId
    organisation: Organisation
    type: Literal[TYPES]  # type: ignore[valid-type]
    period: Period


class ReportStatusPayload(StatusChange):
    report_id: EntityId
    status: ReportStatus


class ReportRejectedPayload(Payload):
    report_id: int
    reason: Text
    organisation: str | None = None

CREATE = MessageType(
    "CreateReport", "command", 1, required=("report_id", "organisation", "type", "period"),
    doc="Build a report: `type` is `monthly` (sales matching the catalog) or `unmatched` (sales "
        "matching nothing), `period` a reporting period `YYYY-MM`. The gateway allocated "
        "`report_id`; redelivery of a finished report does nothing.",
    example={"report_id": 12, "organisation": "org-1", "type": "monthly", "period": "2025-06"},
    model=CreateReportPayload)

STATUS_CHANGED = MessageType(
    "ReportStatusChanged", "event", 1, required=("report_id", "status"),
    doc="A report moved to `status`: PENDING, RUNNING (repeated with `progress`: files_done, "
        "files_total, rows, percent), DONE (`fields.snapshot`, `fields.object_key`) or FAILED "
        "(`status_cause`, `error_message`).",
    example={"report_id": 12, "organisation": "org-1", "status": "RUNNING",
             "progress": {"files_done": 1, "files_total": 3, "rows": 50000, "percent": 33.3},
             "status_cause": None, "error_message": None, "fields": {}}, model=ReportStatusPayload)
REJECTED = MessageType(
    "ReportRejected", "event", 1, required=("report_id", "reason"),
    doc="A CreateReport named an organisation that does not exist; no report was made.",
    example={"report_id": 12, "organisation": "org-9", "reason": "unknown organisation 'org-9'"},
    model=ReportRejectedPayload)

COMMANDS = register(TopicSpec(
    "reports.commands", "commands", key="report_id", consumer="agents.reports",
    doc="Report commands."), CREATE)
EVENTS = register(TopicSpec(
    "reports.events", "events", key="report_id", consumer="agents.reports",
    doc="Status events of reports, folded into the `report_status` table."), STATUS_CHANGED,
    REJECTED)
