"""Domain errors of the GTIN description service."""
from __future__ import annotations


class GtinError(ValueError):
    """A domain rule failed. `field` names the offending input, `reason` says which rule."""

    def __init__(self, field: str, reason: str, **details: object) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.details = details

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "reason": self.reason, **self.details}


class SourceNotFound(GtinError):
    """delete_source matched no source of the participant (HTTP 404)."""


class MultiError(GtinError):
    """Several fields are invalid (e.g. an import spec); `errors` lists each one."""

    def __init__(self, errors: list[GtinError]) -> None:
        super().__init__(",".join(e.field for e in errors), "; ".join(str(e) for e in errors))
        self.errors = errors

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "reason": self.reason, "errors": [e.as_dict() for e in self.errors]}
