"""Every error entry of a GTIN import task as CSV: `GET …/import/tasks/{id}/errors.csv`
(`?list=bad_lines|bad_gtins|bad_prefixes` for one list). The task status lists the first
1,000 entries of each list with exact counts and this link (`errors_csv`); the agent stores
them all (infra/repos/import_errors.py)."""
from __future__ import annotations

import csv
import io

from aiohttp import web

from gateway.contract import Media, endpoint
from gateway.errors import bad_request, not_found
from gateway.gtin_auth import current_participant
from gateway.keys import DB
from infra.repos import import_errors
from infra.repos import import_tasks as repo
from models.gtin_tasks import ERROR_LISTS

BASE = "/description-service"
COLUMNS = ("list", "line", "gtin", "prefix", "range", "reason")
_FLUSH_ROWS = 1000


@endpoint(responses={200: Media("text/csv", "list,line,gtin,prefix,range,reason: every entry, "
                                "in list then line order")}, errors=(400, 401, 403, 404))
async def errors_csv(request: web.Request) -> web.StreamResponse:
    participant, _ = await current_participant(request)
    task_id = request.match_info["task_id"]
    name = request.query.get("list")
    if name is not None and name not in ERROR_LISTS:
        raise bad_request(f"list must be one of {', '.join(ERROR_LISTS)}", field="list")
    doc = await repo.get(request.app[DB], task_id) if task_id.isalnum() else None
    if doc is None or doc.get("participant") != participant.id:
        raise not_found(f"no task {task_id}")
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{task_id}-{name or "errors"}.csv"'})
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = 0
    async for entry in import_errors.entries(request.app[DB], task_id, name):
        writer.writerow([entry.get(column) if entry.get(column) is not None else ""
                         for column in COLUMNS])
        rows += 1
        if rows % _FLUSH_ROWS == 0:
            await response.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(f"{BASE}/import/tasks/{{task_id}}/errors.csv", errors_csv)
