"""Voiding a sales file (`DELETE /api/files/salesfiles/{id}/`): its rows leave the statements;
apart from gateway/routes/files.py, whose helpers it uses, as files uses the statement checks."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint
from gateway.errors import conflict
from gateway.routes import files
from gateway.schemas.sales import StatusAnswer
from models.files import VOIDABLE


@endpoint(auth=organisation, responses={200: StatusAnswer}, errors=(401, 404, 409))
async def void(request: web.Request):
    """Void a file: its rows leave the summary, snapshots and reports; the record stays
    (status VOIDED, with its history) and a reimport undoes it."""
    org = await organisation(request)
    view = await files._owned(request, org)
    if view["status"] == "VOIDED":
        return {"id": view["id"], "status": "VOIDED"}
    if view["status"] not in VOIDABLE:
        raise conflict(f"a file in status {view['status']} cannot be voided; wait until it is "
                       f"one of {', '.join(VOIDABLE)}", current_status=view["status"])
    result = await files._wait_status(request, "VoidSalesFile", view, ("VOIDED",))
    return result


def setup(app: web.Application) -> None:
    app.router.add_delete("/api/files/salesfiles/{file_id}/", void)
