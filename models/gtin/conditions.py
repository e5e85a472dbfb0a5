"""Source conditions (language ISO 639-1, country ISO 3166-1 numeric) and widget checks."""
from __future__ import annotations

from collections.abc import Mapping

import pycountry

from models.gtin.errors import GtinError

Conditions = dict[str, list[str]]

BASIC_WIDGETS = frozenset({"text", "image", "nutrition_info"})
# Widget types that need the product360 module (extend as the product grows).
PRODUCT360_WIDGETS = frozenset({"link", "video", "certificates", "documents", "gallery", "social"})
_REQUIRED = {"text": "value", "image": "url", "link": "url", "video": "url"}


def _as_list(name: str, value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise GtinError(f"conditions.{name}", "must be a string or a list of strings")


def _language(value: object) -> str:
    code = value.strip().lower() if isinstance(value, str) else ""
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise GtinError("conditions.language", f"{value!r} is not an ISO 639-1 language code", value=value)
    return code


def _country(value: object) -> str:
    code = value.strip() if isinstance(value, str) else ""
    if not (len(code) == 3 and code.isascii() and code.isdigit()) or pycountry.countries.get(numeric=code) is None:
        raise GtinError("conditions.country", f"{value!r} is not an ISO 3166-1 numeric country code like \"036\"",
                        value=value)
    return code


def normalise_conditions(conditions: object) -> Conditions:
    """{language, country} -> sorted, de-duplicated lists; missing keys become []."""
    if conditions is None:
        conditions = {}
    if not isinstance(conditions, Mapping):
        raise GtinError("conditions", "must be an object with language and/or country")
    unknown = set(conditions) - {"language", "country"}
    if unknown:
        raise GtinError("conditions", f"unknown condition(s): {', '.join(sorted(map(str, unknown)))}")
    return {
        "language": sorted({_language(v) for v in _as_list("language", conditions.get("language"))}),
        "country": sorted({_country(v) for v in _as_list("country", conditions.get("country"))}),
    }


def included(inner: Conditions, outer: Conditions) -> bool:
    """True if every language and country of `inner` is also in `outer` (plain per-key subset)."""
    return all(set(inner.get(k, ())) <= set(outer.get(k, ())) for k in ("language", "country"))


def check_widgets(widgets: object, *, product360: bool, field: str = "data") -> list[dict[str, object]]:
    """Validate a widget list; without product360 only text, image and nutrition_info are allowed.

    The error names every widget type the participant may not use.
    """
    if not isinstance(widgets, list):
        raise GtinError(field, "must be a list of widgets")
    for i, widget in enumerate(widgets):
        if not isinstance(widget, Mapping) or not isinstance(widget.get("type"), str):
            raise GtinError(f"{field}[{i}]", "a widget is an object with a string 'type'")
    kinds = {w["type"] for w in widgets}
    unknown = sorted(kinds - BASIC_WIDGETS - PRODUCT360_WIDGETS)
    if unknown:
        raise GtinError(f"{field}.type", f"unknown widget type(s): {', '.join(unknown)}", types=unknown)
    if not product360 and (extra := sorted(kinds - BASIC_WIDGETS)):
        raise GtinError(f"{field}.type", f"widget type(s) {', '.join(extra)} need the product360 module;"
                        f" allowed: {', '.join(sorted(BASIC_WIDGETS))}", types=extra)
    for i, widget in enumerate(widgets):
        key = _REQUIRED.get(widget["type"])
        if key and not isinstance(widget.get(key), str):
            raise GtinError(f"{field}[{i}].{key}", f"a {widget['type']} widget needs a string {key!r}")
    return [dict(w) for w in widgets]
