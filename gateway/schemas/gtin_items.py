"""Wire models of the description service's trade items and sources (specification:
`tests/contract/spec_examples/gtin/`). Requests are typed loosely where the specification
shows several spellings (a code as string or number, conditions as string or list); the
domain rules (check digits, GPC, GDTI, ownership) stay in models/gtin.
"""
from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel, field_validator

from gateway.schemas.gtin_wire import Wire


def _digits_text(value: object) -> object:
    """Codes written as JSON numbers become strings (a GTIN loses no leading zero it had)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_digits_text)]
OneOrMany = str | list[str]


class Conditions(BaseModel):
    """`language` / `country`: one code or a list of codes, echoed as given."""

    model_config = ConfigDict(extra="forbid")
    language: OneOrMany | None = None
    country: OneOrMany | None = None


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conditions: Conditions | None = None
    data: list[dict[str, Any]] = Field(default_factory=list)
    id: str | None = None  # system participant only
    type: str | None = None  # system participant only


class ItemBody(BaseModel):
    """POST /description-service/gtins and PUT /gtins/:id."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": "00000026013992", "name": "ZippityElfBrand T", "brand_id": "ZippityElfBrand",
        "gpc_brick": "10000188", "gpc_brick_attributes": {"20000239": "30002960"}}]})
    id: Code | None = None
    name: str | None = None
    brand_id: Code | None = None
    gpc_segment: Code | None = None
    gpc_family: Code | None = None
    gpc_class: Code | None = None
    gpc_brick: Code | None = None
    gpc_brick_attributes: dict[Code, Code] | None = None
    attachments: list[str] | None = None  # extension: GDTIs attached at creation

    @field_validator("gpc_brick_attributes", mode="before")
    @classmethod
    def _attributes(cls, value: object) -> object:
        """The specification also calls it a list: [{att: value}, …] or [[att, value], …]."""
        if not isinstance(value, list):
            return value
        out: dict[object, object] = {}
        for entry in value:
            if isinstance(entry, dict) and set(entry) >= {"type", "value"}:
                out[entry["type"]] = entry["value"]
            elif isinstance(entry, dict):
                out.update(entry)
            elif isinstance(entry, (list, tuple)) and len(entry) == 2:
                out[entry[0]] = entry[1]
            else:
                raise ValueError("a list of {attribute: value} objects or [attribute, value] pairs")
        return out


class AttachmentsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attachments: list[str]

    @field_validator("attachments", mode="before")
    @classmethod
    def _one(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class DescriptionBody(BaseModel):
    """POST /description-service/description: `sources: []` removes the caller's sources."""

    model_config = ConfigDict(extra="forbid")
    id: Code | None = None
    gtin: Code | None = None  # extension: the GTIN under this name
    sources: list[SourceIn]

    def written(self) -> list[dict[str, Any]]:
        """The sources as the client wrote them (conditions and widgets kept as given)."""
        return [s.model_dump(exclude_unset=True) for s in self.sources]


class DescriptionDeleteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Code | None = None
    gtin: Code | None = None
    conditions: Conditions


class Source(BaseModel):
    conditions: dict[str, OneOrMany]
    data: list[dict[str, Any]]
    id: str
    type: str


class TradeItem(Wire):
    """A GTIN document as every trade-item and description route answers it."""

    EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"warnings"})
    brand_id: str | None = None
    gpc_brick: str | None = None
    gpc_brick_attributes: dict[str, str] | None = None
    gpc_class: str | None = None
    gpc_family: str | None = None
    gpc_segment: str | None = None
    id: str
    name: str | None = None
    owner: str
    sources: list[Source] = Field(default_factory=list)
    type: str = "gtin"
    attachments: list[str] = Field(default_factory=list)  # extension: attached GDTIs
    warnings: list[str] | None = None  # extension: input accepted but not kept, and why


class Attachments(RootModel[list[str]]):
    """The trade item's attachments after the change: a bare list of GDTI URNs."""


class DescriptionQuery(BaseModel):
    id: Code | None = None
    gtin: Code | None = None  # extension


class Deleted(BaseModel):
    """Extension: the specification gives no answer for DELETE."""

    id: str
    deleted: bool
    sources_removed: int


def trade_item(doc: dict[str, Any], warnings: list[str] | None = None) -> dict[str, Any]:
    """The wire form of a stored document (brick attributes: null when there are none)."""
    data = {**doc, "gpc_brick_attributes": doc.get("gpc_brick_attributes") or None,
            "warnings": warnings or None}
    return TradeItem.model_validate(data).wire()
