"""Validation of an organisation mapping (POST/PUT /api/layouts/) into the stored shape that
`layout_from_mapping` reads. Every problem is reported, each naming its field."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..normalise import norm_currency
from ..schema import FIELDS
from .base import norm_header
from .mapping import layout_from_mapping

MAPPABLE = tuple(f for f in FIELDS if f != "line")          # `line` is always computed
DECIMAL_SEPS = (".", ",")
THOUSANDS_SEPS = (",", ".", " ", "'", "\u00a0", "")
KEYS = ("name", "required_headers", "header_row", "skip_top", "skip_bottom", "columns", "date_format",
        "decimal_separator", "thousands_separator", "default_currency", "constants")


def _int(body: dict, key: str, minimum: int, problems: list[dict]) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.append({"field": key, "problem": f"must be an integer ≥ {minimum}"})
        return None
    return value


def validate_mapping(body: Any) -> tuple[dict, list[dict]]:
    """(mapping in the stored shape, problems [{"field", "problem"}]); the mapping is usable only
    when problems is empty."""
    if not isinstance(body, dict):
        return {}, [{"field": "", "problem": "the body must be a JSON object"}]
    problems: list[dict] = []
    unknown = sorted(set(body) - set(KEYS))
    for key in unknown:
        problems.append({"field": key, "problem": f"unknown key; allowed: {', '.join(KEYS)}"})
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        problems.append({"field": "name", "problem": "a non-empty string of at most 100 characters"})
    columns = body.get("columns")
    if not isinstance(columns, dict) or not columns:
        problems.append({"field": "columns", "problem": "an object {source header: canonical field}, not empty"})
        columns = {}
    required = body.get("required_headers")
    if required is None:
        required = list(columns)
    elif not isinstance(required, list) or not required or not all(isinstance(h, str) and h.strip() for h in required):
        problems.append({"field": "required_headers", "problem": "a non-empty list of header names"})
        required = []
    required_norm = {norm_header(h) for h in required}
    for source, fld in columns.items():
        if fld not in MAPPABLE:
            problems.append({"field": f"columns.{source}",
                             "problem": f"unknown canonical field {fld!r}; known: {', '.join(MAPPABLE)}"})
        if required and norm_header(source) not in required_norm:
            problems.append({"field": f"columns.{source}",
                             "problem": f"column {source!r} is not in required_headers, so the file may not have it"})
    if columns and "revenue" not in columns.values():
        problems.append({"field": "columns", "problem": "one column must map to 'revenue'"})
    constants = body.get("constants") or {}
    if not isinstance(constants, dict) or any(k not in MAPPABLE or not isinstance(v, str) for k, v in constants.items()):
        problems.append({"field": "constants", "problem": "an object {canonical field: text value}"})
        constants = {}
    header_row = _int(body, "header_row", 1, problems)
    skip_top = _int(body, "skip_top", 0, problems) or 0
    skip_bottom = _int(body, "skip_bottom", 0, problems) or 0
    if header_row is not None and header_row <= skip_top:
        problems.append({"field": "header_row", "problem": "must come after the skipped top lines"})
    date_format = body.get("date_format")
    if date_format is not None:
        try:
            ok = isinstance(date_format, str) and "%" in date_format and \
                datetime.strptime(datetime(2025, 6, 30).strftime(date_format), date_format).month == 6
        except ValueError:
            ok = False
        if not ok:
            problems.append({"field": "date_format", "problem": "a strptime format with a month, e.g. %d.%m.%Y"})
    dec = body.get("decimal_separator")
    if dec is not None and dec not in DECIMAL_SEPS:
        problems.append({"field": "decimal_separator", "problem": "one of '.' or ','"})
    thou = body.get("thousands_separator")
    if thou is not None and (thou not in THOUSANDS_SEPS or thou == dec):
        problems.append({"field": "thousands_separator",
                         "problem": "one of ',', '.', ' ', \"'\" or '' and not the decimal separator"})
    currency = body.get("default_currency")
    if currency is not None and (not isinstance(currency, str) or norm_currency(currency) is None):
        problems.append({"field": "default_currency", "problem": "an ISO 4217 code such as EUR"})
        currency = None
    mapping = {"name": name.strip() if isinstance(name, str) else name, "required_headers": list(required),
               "header_row": header_row, "skip_top": skip_top, "skip_bottom": skip_bottom, "columns": dict(columns),
               "date_format": date_format, "decimal_separator": dec, "thousands_separator": thou,
               "default_currency": norm_currency(currency) if currency else None, "constants": dict(constants)}
    if not problems:
        try:
            layout_from_mapping(mapping)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append({"field": "", "problem": str(exc)})
    return mapping, problems
