"""Organisation settings that decide how money and dates are read: the base currency amounts
are converted to (default USD), the locale and the date order (`DMY`/`MDY`) used when a file's
own rows do not settle whether `01/06/2025` is the 1st of June or January 6th."""
from __future__ import annotations

from typing import Any

from models.rates import DEFAULT_BASE, currency_code
from models.sales.dates import order_from_locale, parse_order

KEYS = ("base_currency", "locale", "date_order")


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
    return clean, problems


def effective(org: dict | None) -> dict[str, Any]:
    """The settings of a stored organisation, defaults filled in."""
    org = org or {}
    return {"base_currency": org.get("base_currency") or DEFAULT_BASE,
            "locale": org.get("locale"), "date_order": org.get("date_order")}
