"""Organisation settings that decide how money and dates are read: the base currency amounts
are converted to (default USD), the locale and the date order (`DMY`/`MDY`) used when a file's
own rows do not settle whether `01/06/2025` is the 1st of June or January 6th; and
`strict_totals`, which fails a file whose declared totals miss the imported rows by more than
TRIBUTARY_MAX_TOTAL_GAP (models.sales.totals) instead of only warning."""
from __future__ import annotations

from typing import Any

from models.rates import DEFAULT_BASE, currency_code
from models.sales.dates import order_from_locale, parse_order

KEYS = ("base_currency", "locale", "date_order", "strict_totals")
_SWITCH = {"on": True, "true": True, "1": True, "yes": True,
           "off": False, "false": False, "0": False, "no": False}


def switch(value: Any) -> bool | None:
    """`true`/`false` or the CLI's `on`/`off` → bool; None when it is neither."""
    if isinstance(value, bool):
        return value
    return _SWITCH.get(str(value).strip().lower())


def check_settings(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    """Settings given (any subset of KEYS) → (clean values, problems [{field, problem}])."""
    clean: dict[str, Any] = {}
    problems: list[dict] = []
    if data.get("base_currency") not in (None, ""):
        code = currency_code(data["base_currency"])
        if code is None:
            problems.append({"field": "base_currency", "problem": "must be an ISO 4217 currency code"})
        clean["base_currency"] = code
    if data.get("locale") not in (None, ""):
        locale = str(data["locale"]).replace("-", "_")
        if order_from_locale(locale) is None:
            problems.append({"field": "locale", "problem": "must be a CLDR locale such as de_DE or en_US"})
        clean["locale"] = locale
    if data.get("date_order") not in (None, ""):
        order = parse_order(data["date_order"])
        if order is None:
            problems.append({"field": "date_order", "problem": "must be DMY (day-first) or MDY (month-first)"})
        clean["date_order"] = order
    if data.get("strict_totals") is not None:
        strict = switch(data["strict_totals"])
        if strict is None:
            problems.append({"field": "strict_totals", "problem": "must be true or false (on/off)"})
        clean["strict_totals"] = strict
    return clean, problems


def effective(org: dict | None) -> dict[str, Any]:
    """The settings of a stored organisation, defaults filled in."""
    org = org or {}
    return {"base_currency": org.get("base_currency") or DEFAULT_BASE,
            "locale": org.get("locale"), "date_order": org.get("date_order"),
            "strict_totals": bool(org.get("strict_totals"))}
