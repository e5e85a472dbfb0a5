"""The bulk-import task request body, parsed and validated (all problems reported at once).

`fields` is the specification's map {column: widget description}, where a description is an
object {title?, widget?, action?, position?} or, short form, a string (the title of a text
widget): `{"Brand": {"title": "Brand", "position": 1}, "GST_Reported_Date": "Date"}`.
`additional_widgets` is the specification's list `[{"position": 4, "widgets": [widget, …]}]`.
Extensions: `fields` as a list of {field, title?, widget?, action?, position?}, and an
additional widget written `{position, type, …}` or `{position, widget: {…}}`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.gtin.conditions import check_conditions
from models.gtin.errors import GtinError, MultiError
from models.gtin.tabular import DELIMITERS
from models.gtin.widgets import parse_widget

FIELD_WIDGETS = ("text", "image")
ACTIONS = ("copy_to_cdn", "to_country")
GPC_FIELD_KEYS = ("gpc_segment_field", "gpc_family_field", "gpc_class_field", "gpc_brick_field")


@dataclass(frozen=True)
class FieldSpec:
    field: str  # column name (header name, or "1", "2", ... without a header)
    title: str | None = None
    widget: str | None = None  # text | image; a title alone means text
    action: str | None = None  # copy_to_cdn (image) | to_country (GTIN column)
    position: int | None = None


@dataclass(frozen=True)
class ImportSpec:
    link: str
    gtin_field: str
    delimiter: str = ","
    has_header: bool = True
    quotechar: str | None = '"'
    fields: tuple[FieldSpec, ...] = ()
    name: tuple[str, ...] = ()
    brand: str | None = None
    conditions: dict[str, Any] = field(default_factory=dict)  # as the client wrote them
    gpc_fields: dict[str, str] = field(default_factory=dict)  # gpc_brick -> column, ...
    additional_widgets: tuple[tuple[int, dict[str, Any]], ...] = ()
    replace_included_conditions: bool = False
    pad_gtin: bool = False  # left-pad 9-13 digit codes that lost leading zeros (spreadsheets)

    def columns(self) -> set[str]:
        cols = {self.gtin_field, *self.name, *(f.field for f in self.fields), *self.gpc_fields.values()}
        return cols | ({self.brand} if self.brand else set())

    def check_header(self, header: Sequence[str] | None) -> None:
        """Every column the spec names must exist in the file's header (or be a valid position)."""
        known = set(header) if header is not None else None
        missing = sorted(c for c in self.columns()
                         if (c not in known if known is not None else not (c.isdigit() and int(c) >= 1)))
        if missing:
            raise GtinError("fields", f"column(s) not in the file: {', '.join(missing)}", columns=missing)

    @classmethod
    def parse(cls, body: object) -> ImportSpec:
        if not isinstance(body, Mapping):
            raise GtinError("body", "must be an object")
        errors: list[GtinError] = []

        def get(key: str, check: Any, default: Any = None) -> Any:
            if body.get(key) is None:
                return default
            try:
                return check(key, body[key])
            except GtinError as exc:
                errors.append(exc)
                return default

        link = get("link", _text)
        gtin_field = get("gtin_field", _text)
        for key, value in (("link", link), ("gtin_field", gtin_field)):
            if value is None and not any(e.field == key for e in errors):
                errors.append(GtinError(key, "required"))
        fields = get("fields", _fields, ())
        for f in fields:
            if f.action == "to_country" and f.field != gtin_field:
                errors.append(GtinError("fields", f"to_country only applies to the GTIN column ({f.field})"))
        quotechar = body.get("quotechar", '"')  # null: no quoting at all (Open Food Facts TSV)
        if quotechar not in ('"', "'", None):
            errors.append(GtinError("quotechar", "must be '\"', \"'\" or null"))
        spec_kwargs = dict(
            delimiter=get("delimiter", _choice(DELIMITERS), ","),
            has_header=get("has_header", _bool, True),
            quotechar=quotechar,
            fields=fields,
            name=tuple(get("name", _names, ())),
            brand=get("brand", _text),
            conditions=get("conditions", lambda k, v: check_conditions(v), {}),
            gpc_fields={k.removesuffix("_field"): v for k in GPC_FIELD_KEYS if (v := get(k, _text))},
            additional_widgets=get("additional_widgets", _additional, ()),
            replace_included_conditions=get("replace_included_conditions", _bool, False),
            pad_gtin=get("pad_gtin", _bool, False),
        )
        if errors:
            raise errors[0] if len(errors) == 1 else MultiError(errors)
        return cls(link=link, gtin_field=gtin_field, **spec_kwargs)


def _text(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GtinError(key, "must be a non-empty string")
    return value


def _bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise GtinError(key, "must be true or false")
    return value


def _choice(options: Sequence[str]) -> Any:
    def check(key: str, value: object) -> str:
        if value not in options:
            raise GtinError(key, f"must be one of {', '.join(map(repr, options))}", value=value)
        return value  # type: ignore[return-value]
    return check


def _position(key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise GtinError(key, "position must be a non-negative integer")
    return value


def _names(key: str, value: object) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise GtinError(key, "must be a column name or a list of column names")
    return names


def _field(where: str, column: object, item: object) -> FieldSpec:
    if isinstance(item, str):  # short form: the title of a text widget
        item = {"title": item}
    if not isinstance(item, Mapping):
        raise GtinError(where, "must be an object {title?, widget?, action?, position?} or a title")
    column = _text(f"{where}.field", column)
    title = _text(f"{where}.title", item["title"]) if item.get("title") is not None else None
    widget = _choice(FIELD_WIDGETS)(f"{where}.widget", item["widget"]) if item.get("widget") else None
    action = _choice(ACTIONS)(f"{where}.action", item["action"]) if item.get("action") else None
    position = _position(f"{where}.position", item["position"]) if item.get("position") is not None else None
    if action == "copy_to_cdn" and widget != "image":
        raise GtinError(f"{where}.action", "copy_to_cdn needs \"widget\": \"image\"")
    if title is None and widget is None and action is None:
        raise GtinError(where, "needs a title, a widget or an action")
    return FieldSpec(column, title, widget, action, position)


def _fields(key: str, value: object) -> tuple[FieldSpec, ...]:
    """The `fields` map {column: description} (or, extension, a list of {field, …})."""
    if isinstance(value, Mapping):
        return tuple(_field(f"{key}.{column}", column, item) for column, item in value.items())
    if not isinstance(value, list):
        raise GtinError(key, "must be an object {column: {title?, widget?, action?, position?}}")
    out = []
    for i, item in enumerate(value):
        column = item.get("field") if isinstance(item, Mapping) else None
        out.append(_field(f"{key}[{i}]", column, item))
    return tuple(out)


def _additional(key: str, value: object) -> tuple[tuple[int, dict[str, Any]], ...]:
    """[{position, widgets: [widget, …]}] -> ((position, widget), …) in wire form.

    Extensions: {position, type, …} and {position, widget: {…}} (one widget each)."""
    if not isinstance(value, list):
        raise GtinError(key, "must be a list of {position, widgets}")
    out = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, Mapping) or "position" not in item:
            raise GtinError(where, "must be an object with a position")
        position = _position(f"{where}.position", item["position"])
        if "widgets" in item:
            widgets = item["widgets"]
            if not isinstance(widgets, list):
                raise GtinError(f"{where}.widgets", "must be a list of widgets")
        elif isinstance(item.get("widget"), Mapping):
            widgets = [item["widget"]]
        else:
            widgets = [{k: v for k, v in item.items() if k != "position"}]
        for j, widget in enumerate(widgets):
            out.append((position, parse_widget(widget, f"{where}.widgets[{j}]")))
    return tuple(out)
