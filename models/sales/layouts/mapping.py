"""Organisation-defined layouts: a mapping is plain data (stored per organisation) turned into a Layout."""
from __future__ import annotations

from typing import Any, Mapping

from .base import TabularLayout, tabular


def layout_from_mapping(mapping: Mapping[str, Any]) -> TabularLayout:
    """Keys: name, columns {source header: canonical field}, required_headers (default: all mapped
    headers), header_row (1-based, optional), skip_top, skip_bottom, date_format (strptime),
    decimal_separator, thousands_separator, default_currency, constants {canonical field: value}.
    Several headers mapped to one field are coalesced per row: the first non-blank cell wins."""
    by_field: dict[str, list[str]] = {}
    for source, fld in mapping["columns"].items():
        by_field.setdefault(fld, []).append(source)
    required = mapping.get("required_headers") or list(mapping["columns"])
    return tabular(
        f"org:{mapping['name']}",
        {f: tuple(s) for f, s in by_field.items()},
        required=set(required),
        constants=dict(mapping.get("constants") or {}),
        date_format=mapping.get("date_format"),
        decimal_sep=mapping.get("decimal_separator"),
        thousands_sep=mapping.get("thousands_separator"),
        default_currency=mapping.get("default_currency"),
        header_row=mapping.get("header_row"),
        skip_top=int(mapping.get("skip_top") or 0),
        skip_bottom=int(mapping.get("skip_bottom") or 0),
        priority=100,
        coalesce=True,
    )
