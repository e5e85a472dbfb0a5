"""GS1 Global Product Classification: brick -> class -> family -> segment, and brick attributes.

The default hierarchy (data/, see SOURCES.md) is the June 2020 publication, overlaid with the
December 2024 XML excerpt that also links bricks to their attribute types and values. It is loaded
lazily, once. An operator can load a newer publication with models.gtin.gpc_xml.load_gpc_xml.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from models.gtin.errors import GtinError

LEVELS = ("segment", "family", "class", "brick")
GPC_FIELDS = tuple(f"gpc_{level}" for level in LEVELS)


@dataclass
class GpcHierarchy:
    parent: dict[str, str] = field(default_factory=dict)  # code -> parent code
    level: dict[str, str] = field(default_factory=dict)  # code -> segment|family|class|brick
    title: dict[str, str] = field(default_factory=dict)
    brick_attributes: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    att_types: set[str] = field(default_factory=set)
    att_values: set[str] = field(default_factory=set)

    def add(self, level: str, code: str, title: str, parent: str | None) -> None:
        self.level[code] = level
        self.title[code] = title
        if parent is not None:
            self.parent[code] = parent

    def update(self, other: GpcHierarchy) -> None:
        """Overlay a newer publication (its codes, links and attributes win)."""
        self.parent.update(other.parent)
        self.level.update(other.level)
        self.title.update(other.title)
        self.brick_attributes.update(other.brick_attributes)
        self.att_types |= other.att_types
        self.att_values |= other.att_values

    def chain(self, code: str) -> dict[str, str]:
        """{gpc_<level>: code} for the code and all its ancestors."""
        out: dict[str, str] = {}
        current: str | None = code
        while current is not None:
            out[f"gpc_{self.level[current]}"] = current
            current = self.parent.get(current)
        return out

    def resolve(self, fields: Mapping[str, object]) -> dict[str, str]:
        """Fill gpc_class/family/segment from the most specific code given; check the others agree."""
        given = {name: _code(name, fields.get(name)) for name in GPC_FIELDS}
        given = {name: code for name, code in given.items() if code is not None}
        if not given:
            return {}
        name = max(given, key=GPC_FIELDS.index)
        code, level = given[name], name.removeprefix("gpc_")
        if self.level.get(code) != level:
            raise GtinError(name, f"unknown GPC {level} {code}", value=code)
        chain = self.chain(code)
        for other, value in given.items():
            if chain.get(other) != value:
                raise GtinError(other, f"{value} is not the {other.removeprefix('gpc_')} of {level} {code}"
                                f" (expected {chain.get(other)})", value=value)
        return chain

    def check_brick_attributes(self, brick: str | None, attributes: Mapping[str, object] | None) -> dict[str, str]:
        """Normalise {attType code: attValue code} and check it against the brick where known."""
        if not attributes:
            return {}
        if not isinstance(attributes, Mapping):
            raise GtinError("gpc_brick_attributes", "must be an object {attribute code: value code}")
        if brick is None:
            raise GtinError("gpc_brick_attributes", "needs gpc_brick")
        known = self.brick_attributes.get(brick)
        out: dict[str, str] = {}
        for raw_type, raw_value in attributes.items():
            att = _code("gpc_brick_attributes", raw_type)
            value = _code(f"gpc_brick_attributes.{att}", raw_value)
            if att is None or value is None:
                raise GtinError("gpc_brick_attributes", f"empty attribute code or value for {raw_type!r}")
            if known is not None:
                if att not in known:
                    raise GtinError(f"gpc_brick_attributes.{att}", f"not an attribute of brick {brick}")
                if value not in known[att]:
                    raise GtinError(f"gpc_brick_attributes.{att}", f"{value} is not a value of attribute {att}")
            else:
                if self.att_types and att not in self.att_types:
                    raise GtinError(f"gpc_brick_attributes.{att}", "unknown GPC attribute type")
                if self.att_values and value not in self.att_values:
                    raise GtinError(f"gpc_brick_attributes.{att}", f"unknown GPC attribute value {value}")
            out[att] = value
        return out


def _code(name: str, value: object) -> str | None:
    """An 8-digit GPC code as a string; None/"" mean not given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise GtinError(name, "a GPC code is an 8-digit number")
    text = str(value).strip()
    if not (len(text) == 8 and text.isascii() and text.isdigit()):
        raise GtinError(name, "a GPC code is an 8-digit number", value=text)
    return text
