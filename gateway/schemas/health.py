"""`GET /healthz`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.schemas.common import ResponseModel


class Check(ResponseModel):
    ok: bool
    error: str | None = None


class Health(ResponseModel):
    """Readiness of the broker, the document store, object storage and the workers."""
    status: Literal["ok", "unavailable"]
    checks: dict[str, Check] = Field(description="broker, store, objects, workers, …")
