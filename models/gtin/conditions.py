"""Source conditions: `language` (ISO 639-1) and `country` (three-digit numeric code), each a
string or a list of strings.

Conditions are stored and answered exactly as the client wrote them (a string stays a string);
`normalise_conditions` gives the comparable form used to match sources. Country codes are
three digits: ISO 3166-1 numeric codes and the UN M49 area codes the specification's own
examples use ("046", "054") alike, so any three-digit code is accepted.
"""
from __future__ import annotations

from collections.abc import Mapping

import pycountry

from models.gtin.errors import GtinError

Conditions = dict[str, list[str]]
KEYS = ("language", "country")


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
    if not (len(code) == 3 and code.isascii() and code.isdigit()):
        raise GtinError("conditions.country", f"{value!r} is not a three-digit numeric country code "
                        "like \"036\"", value=value)
    return code


def normalise_conditions(conditions: object) -> Conditions:
    """{language, country} -> sorted, de-duplicated lists; missing keys become []."""
    if conditions is None:
        conditions = {}
    if not isinstance(conditions, Mapping):
        raise GtinError("conditions", "must be an object with language and/or country")
    unknown = set(conditions) - set(KEYS)
    if unknown:
        raise GtinError("conditions", f"unknown condition(s): {', '.join(sorted(map(str, unknown)))}")
    return {
        "language": sorted({_language(v) for v in _as_list("language", conditions.get("language"))}),
        "country": sorted({_country(v) for v in _as_list("country", conditions.get("country"))}),
    }


def check_conditions(conditions: object) -> dict[str, object]:
    """Validate conditions and return them as given (a copy; missing → `{}`)."""
    normalise_conditions(conditions)
    if not conditions:
        return {}
    return {k: (list(v) if isinstance(v, (list, tuple)) else v)
            for k, v in conditions.items()}  # type: ignore[union-attr]


def included(inner: Conditions, outer: Conditions) -> bool:
    """True if every language and country of `inner` is also in `outer` (plain per-key subset)."""
    return all(set(inner.get(k, ())) <= set(outer.get(k, ())) for k in KEYS)
