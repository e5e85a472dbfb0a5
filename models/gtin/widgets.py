"""Widgets of a GTIN source, in the specification's wire form: one key naming the kind, whose
value is the widget's body, e.g. ``{"text": {"title": "Brand", "text": "Acme", "lines": 10}}``,
``{"link": {"text": "Web site", "url": "http://…"}}``, ``{"image": [{"url": "https://…"}]}``.

That form is what is stored and answered. The older typed form
(``{"type": "text", "title": …, "value": …}``) is still accepted as an extension and converted
to the wire form on the way in, and documents stored earlier in that form are converted when
read (`wire_sources`), so a client of the specification never sees it.
Without the product360 module a participant may use only text, image and nutrition_info.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.gtin.errors import GtinError
from models.gtin.gdti import parse_gdti

Widget = dict[str, Any]
BASIC_WIDGETS = frozenset({"text", "image", "nutrition_info"})
# Widget kinds that need the product360 module (extend as the product grows).
PRODUCT360_WIDGETS = frozenset({"link", "video", "certificates", "documents", "gallery", "social"})
KINDS = BASIC_WIDGETS | PRODUCT360_WIDGETS


def kind_of(widget: Mapping[str, Any]) -> str:
    """The kind of a wire-form widget (its only key)."""
    return next(iter(widget))


def _string(where: str, body: Mapping[str, Any], key: str, required: bool = False) -> None:
    value = body.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise GtinError(f"{where}.{key}", "must be a non-empty string" if required else "must be a string")


def _object(where: str, body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise GtinError(where, "must be an object")
    return body


def _check_text(where: str, body: object) -> Any:
    body = _object(where, body)
    _string(where, body, "title")
    _string(where, body, "text")
    if body.get("title") is None and body.get("text") is None:
        raise GtinError(where, "a text widget needs a title or a text")
    lines = body.get("lines")
    if lines is not None and (isinstance(lines, bool) or not isinstance(lines, int) or lines < 0):
        raise GtinError(f"{where}.lines", "must be a non-negative integer")
    if body.get("markdown") is not None and not isinstance(body["markdown"], bool):
        raise GtinError(f"{where}.markdown", "must be true or false")
    return dict(body)


def _check_image(where: str, body: object) -> Any:
    items = [body] if isinstance(body, Mapping) else body
    if not isinstance(items, list) or not items:
        raise GtinError(where, "an image widget is a list of {url} objects")
    for i, item in enumerate(items):
        _string(f"{where}[{i}]", _object(f"{where}[{i}]", item), "url", required=True)
    return [dict(item) for item in items]


def _check_url_object(where: str, body: object) -> Any:
    body = _object(where, body)
    _string(where, body, "url", required=True)
    for key in ("text", "title", "preview"):
        _string(where, body, key)
    return dict(body)


def _check_certificates(where: str, body: object) -> Any:
    body = _object(where, body)
    _string(where, body, "title")
    entries = body.get("list", [])
    if not isinstance(entries, list):
        raise GtinError(f"{where}.list", "must be a list of certificates")
    for i, entry in enumerate(entries):
        entry = _object(f"{where}.list[{i}]", entry)
        _string(f"{where}.list[{i}]", entry, "img_url")
        if entry.get("gdti") is not None:
            parse_gdti(entry["gdti"], f"{where}.list[{i}].gdti")
        if entry.get("expired") is not None and not isinstance(entry["expired"], bool):
            raise GtinError(f"{where}.list[{i}].expired", "must be true or false")
    return dict(body)


def _check_any(where: str, body: object) -> Any:
    if not isinstance(body, (Mapping, list)):
        raise GtinError(where, "must be an object or a list")
    return body


_CHECKS = {"text": _check_text, "image": _check_image, "link": _check_url_object,
           "video": _check_url_object, "certificates": _check_certificates}


def from_typed(raw: Mapping[str, Any]) -> Widget:
    """The wire form of an older typed widget ``{"type": kind, …}`` (extension)."""
    kind = raw["type"]
    rest = {k: v for k, v in raw.items() if k != "type"}
    if kind == "text":
        body = {k: v for k, v in rest.items() if k != "value"}
        if "value" in rest:
            body["text"] = rest["value"]
        return {"text": body}
    if kind == "image":
        return {"image": [{k: v for k, v in rest.items() if k != "title"}]}
    if kind == "link" and "title" in rest and "text" not in rest:
        rest["text"] = rest.pop("title")
    return {kind: rest}


# Keys older imports added to their `to_country` text widget; today's import writes only
# {title, text}, so old documents read the same as re-imported ones.
_OLD_COUNTRY_KEYS = ("country", "alpha2")


def wire_widget(stored: object) -> object:
    """A stored widget in wire form: an older typed one converted, anything else as stored
    (stored data is not re-validated on read)."""
    if not (isinstance(stored, Mapping) and isinstance(stored.get("type"), str)):
        return stored
    if stored["type"] == "text":
        stored = {k: v for k, v in stored.items() if k not in _OLD_COUNTRY_KEYS}
    return from_typed(stored)


def wire_sources(sources: object) -> object:
    """Stored sources with every widget in wire form (read-time conversion of old documents)."""
    if not isinstance(sources, list):
        return sources
    return [{**s, "data": [wire_widget(w) for w in s["data"]]}
            if isinstance(s, Mapping) and isinstance(s.get("data"), list) else s for s in sources]


def parse_widget(raw: object, where: str = "data[0]") -> Widget:
    """One widget in wire form, validated; GtinError names the offending part."""
    raw = wire_widget(raw)  # the older typed form, converted
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise GtinError(where, 'a widget is an object with one key naming its kind, e.g. '
                        '{"text": {"title": …, "text": …}}')
    kind = kind_of(raw)
    if kind not in KINDS:
        raise GtinError(where, f"unknown widget kind {kind!r}", types=[kind])
    return {kind: _CHECKS.get(kind, _check_any)(f"{where}.{kind}", raw[kind])}


def check_widgets(widgets: object, *, product360: bool, field: str = "data") -> list[Widget]:
    """Validate a widget list (wire form out); without product360 only text, image and
    nutrition_info are allowed, and the error names every kind the participant may not use."""
    if not isinstance(widgets, list):
        raise GtinError(field, "must be a list of widgets")
    out = [parse_widget(w, f"{field}[{i}]") for i, w in enumerate(widgets)]
    if not product360 and (extra := sorted({kind_of(w) for w in out} - BASIC_WIDGETS)):
        raise GtinError(f"{field}.type", f"widget type(s) {', '.join(extra)} need the product360 "
                        f"module; allowed: {', '.join(sorted(BASIC_WIDGETS))}", types=extra)
    return out


def image_items(widget: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The {url} objects of an image widget (empty for other kinds)."""
    body = widget.get("image")
    return body if isinstance(body, list) else []
