"""`GET /healthz`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.schemas.common import ResponseModel


class Check(ResponseModel):
    ok: bool
    error: str | None = None


class Health(ResponseModel):
    """Readiness of the broker (its generation and the follower's lag), the document store,
    object storage and each worker (liveness: heartbeat age, ready, progress); `degraded`
    (200) while a part answers but does not keep up."""
    status: Literal["ok", "degraded", "unavailable"]
    checks: dict[str, Check] = Field(description="broker, store, objects, workers, …")
