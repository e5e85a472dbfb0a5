"""Typed message payloads: the pydantic base and field types every topic's models share.

A `MessageType(..., model=SomePayload)` is validated on both sides: `topics.envelope.decode`
(consumers) turns a payload that breaks its model into `InvalidPayload`, which agents
dead-letter with the validation errors, and producers check before sending
(`topics.registry.check_outgoing`). Payloads accept fields they do not know (a newer producer
may add some; consumers ignore them), so only the declared fields are a promise.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

EntityId = Annotated[int, Field(ge=1, le=2**53, description="numeric entity id")]
Organisation = Annotated[str, Field(min_length=1, max_length=200,
                                    description="organisation id (`tributary org create`)")]
Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM",
                              examples=["2025-06"])]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Text = Annotated[str, Field(max_length=10_000)]


class Payload(BaseModel):
    """A message payload: declared fields are checked, undeclared ones pass through."""
    model_config = ConfigDict(extra="allow")


class StatusChange(Payload):
    """An entity moved to a status: its owner, why (when FAILED) and record fields set with it."""
    organisation: str | None = None
    status_cause: str | None = None
    error_message: str | None = None
    progress: dict[str, Any] | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


def problems(exc: ValidationError) -> list[dict[str, str]]:
    """`[{field, problem}]`, the gateway's error-list shape, for a payload's validation errors."""
    out = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err.get("loc") or ()) or "payload"
        problem = "missing (required)" if err.get("type") == "missing" else \
            str(err.get("msg", "invalid")).removeprefix("Value error, ")
        out.append({"field": field, "problem": problem})
    return out


def validate(model: type[BaseModel], payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the model reads it (coerced values, undeclared fields kept)."""
    return model.model_validate(payload).model_dump(mode="json", exclude_unset=True)
