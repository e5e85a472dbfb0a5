"""One import record -> a GTIN description (or the reason it cannot be one). No I/O: images marked
`copy_to_cdn` are left for the agent to copy and re-point.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from models.gtin.codes import normalise_gtin
from models.gtin.country import country_of_registration
from models.gtin.errors import GtinError
from models.gtin.gpc import GpcHierarchy
from models.gtin.gpc_data import default_hierarchy
from models.gtin.import_spec import FieldSpec, ImportSpec
from models.gtin.ownership import refusal
from models.gtin.sources import Participant, Source
from models.gtin.tabular import BadLine
from models.gtin.widgets import check_widgets, image_items

COUNTRY_TITLE = "Country of registration"


@dataclass(frozen=True)
class Ok:
    line: int
    gtin: str  # 14 digits
    name: str | None
    brand: str | None  # brand name; the agent resolves it to brand_id
    gpc: dict[str, str]  # gpc_brick/class/family/segment that could be derived
    source: Source


@dataclass(frozen=True)
class BadGtin:
    line: int
    gtin: str | None  # None: the line has no GTIN
    reason: str


@dataclass(frozen=True)
class BadPrefix:
    line: int
    gtin: str
    prefix: str  # company prefix (or GTIN-8, or closed GS1 range) the participant does not own
    range: str | None = None  # the closed GS1 range (restricted, coupons...) the GTIN is in


LineOutcome = Union[Ok, BadLine, BadGtin, BadPrefix]


def _gtin(spec: ImportSpec, raw: str) -> str:
    text = raw.strip()
    if spec.pad_gtin and 9 <= len(text) < 14 and text.isascii() and text.isdigit():
        text = text.zfill(14)  # leading zeros lost by a spreadsheet; < 8 digits is never padded
    return normalise_gtin(text, field=spec.gtin_field)


def _field_widget(f: FieldSpec, value: str, gtin14: str) -> dict[str, Any] | None:
    """The wire-form widget of one mapped field (None: nothing to show)."""
    if f.action == "to_country":
        reg = country_of_registration(gtin14)
        if reg is None:
            return None
        return {"text": {"title": f.title or COUNTRY_TITLE, "text": reg.name}}
    if not value:
        return None
    if f.widget == "image":
        image: dict[str, Any] = {"url": value}
        if f.action == "copy_to_cdn":
            image["copy_to_cdn"] = True
        return {"image": [image]}
    return {"text": {"title": f.title, "text": value} if f.title else {"text": value}}


def build_widgets(spec: ImportSpec, record: Mapping[str, str], gtin14: str) -> list[dict[str, Any]]:
    """Field widgets ordered by position (default: their order in `fields`); additional widgets at theirs.

    On equal positions an additional widget comes first, i.e. it is inserted at that index.
    """
    keyed: list[tuple[int, int, int, dict[str, Any]]] = []
    for i, f in enumerate(spec.fields):
        widget = _field_widget(f, record.get(f.field, "").strip(), gtin14)
        if widget is not None:
            keyed.append((f.position if f.position is not None else i, 1, i, widget))
    for i, (position, widget) in enumerate(spec.additional_widgets):
        keyed.append((position, 0, i, dict(widget)))
    return [w for *_, w in sorted(keyed, key=lambda k: k[:3])]


def map_line(spec: ImportSpec, record: Mapping[str, str] | BadLine, participant: Participant, *, line: int,
             gpc: GpcHierarchy | None = None) -> LineOutcome:
    """Outcome of one record: Ok, BadLine (syntax, GPC or widget problem), BadGtin or BadPrefix."""
    if isinstance(record, BadLine):
        return record
    raw = record.get(spec.gtin_field)
    if raw is None:
        return BadLine(line, f"syntax: no column {spec.gtin_field!r}")
    try:
        gtin14 = _gtin(spec, raw)
    except GtinError as exc:
        return BadGtin(line, raw.strip() or None, exc.reason)
    refused = refusal(gtin14, participant.prefixes, participant.gtin8, system=participant.system)
    if refused is not None:
        return BadPrefix(line, gtin14, refused.prefix, refused.closed.describe() if refused.closed else None)
    try:
        gpc_codes = (gpc or default_hierarchy()).resolve(
            {level: record.get(column, "").strip() for level, column in spec.gpc_fields.items()})
        widgets = check_widgets(build_widgets(spec, record, gtin14),
                                product360=participant.product360 or participant.system)
    except GtinError as exc:
        return BadLine(line, str(exc))
    name = " ".join(v for column in spec.name if (v := record.get(column, "").strip())) or None
    brand = record.get(spec.brand, "").strip() or None if spec.brand else None
    source: Source = {"id": participant.id, "type": "gs1" if participant.system else participant.type,
                      "conditions": spec.conditions, "data": widgets}
    return Ok(line, gtin14, name, brand, gpc_codes, source)


def pending_cdn_copies(outcome: Ok) -> list[dict[str, Any]]:
    """The {url} objects of the outcome's image widgets the agent must copy to the CDN (then set
    url, drop the mark)."""
    return [image for w in outcome.source["data"] for image in image_items(w)  # type: ignore[union-attr]
            if image.get("copy_to_cdn")]
