"""What an analytics view asks for: grouping, date range and drill-down filters, checked once.

The wire names (`from`, `to`, `month`, `period`) are the gateway's; here they are plain fields."""
from __future__ import annotations

from dataclasses import dataclass, field

from models.periods import parse_period_strict
from models.rates import currency_code

TIME_GROUPS = ("month", "period")
GROUPS = (*TIME_GROUPS, "dsp", "territory", "artist", "track", "release", "file")
DATES = ("sale", "period")
DEFAULT_TOP = 10
MAX_TOP = 1000


@dataclass(frozen=True)
class Filters:
    """Row filters (each optional; all must hold) shared by the grouped view and the rows."""
    date: str = "sale"            # which month `start`/`end` bound: sale month or statement period
    start: str | None = None      # YYYY-MM, inclusive
    end: str | None = None        # YYYY-MM, inclusive
    currency: str | None = None   # rows in this currency only
    dsp: str | None = None
    territory: str | None = None
    artist: str | None = None
    isrc: str | None = None
    upc: str | None = None
    month: str | None = None      # one sale month
    period: str | None = None     # one statement period
    file: int | None = None       # one file (drill-down of group_by=file)


@dataclass(frozen=True)
class View:
    group_by: str
    filters: Filters = field(default_factory=Filters)
    top: int | None = None        # None: every group (time groupings by default)


def default_top(group_by: str, top: int | None) -> int | None:
    """10 for a ranking, every month for a time series, unless asked."""
    if top is not None:
        return top
    return None if group_by in TIME_GROUPS else DEFAULT_TOP


def check(raw: dict) -> tuple[Filters, list[dict]]:
    """Query values (strings or None) → (Filters, problems [{field, problem}])."""
    problems: list[dict] = []
    values: dict = {}
    for name, wire in (("start", "from"), ("end", "to"), ("month", "month"), ("period", "period")):
        text = raw.get(wire)
        if text in (None, ""):
            continue
        values[name] = parse_period_strict(str(text))
        if values[name] is None:
            problems.append({"field": wire, "problem": "must be YYYY-MM"})
    date = raw.get("date") or "sale"
    if date not in DATES:
        problems.append({"field": "date", "problem": f"must be one of {', '.join(DATES)}"})
    values["date"] = date
    if raw.get("currency"):
        values["currency"] = currency_code(raw["currency"])
        if values["currency"] is None:
            problems.append({"field": "currency", "problem": "must be an ISO 4217 currency code"})
    if raw.get("territory"):
        values["territory"] = str(raw["territory"]).strip().upper()
    if raw.get("isrc"):
        values["isrc"] = str(raw["isrc"]).replace("-", "").strip().upper()
    for name in ("dsp", "artist", "upc"):
        if raw.get(name):
            values[name] = str(raw[name]).strip()
    if raw.get("file") is not None:
        values["file"] = int(raw["file"])
    if values.get("start") and values.get("end") and values["start"] > values["end"]:
        problems.append({"field": "to", "problem": "must not be before `from`"})
    return Filters(**values), problems
