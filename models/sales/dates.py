"""Day-first or month-first: which reading of `01/06/2025` a file uses.

Decided per file: from its rows (a first number above 12 means day-first, a second number above 12
month-first), else from the layout's declared format, else from the request or the organisation
(`date_order`, or its locale's short date pattern), else month-first. Whatever decided it is
recorded (`DateOrder.report`), and a reading no row confirmed is a warning saying how to change it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

DMY, MDY = "DMY", "MDY"
ORDERS = (DMY, MDY)
# a/b/yyyy or a/b/yy (also `.` and `-`), optionally followed by a time
SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[\sT].*)?$")


class DateOrderRestart(Exception):
    """Rows contradict the provisional reading: clean the file again with `order`."""

    def __init__(self, order: str, example: str) -> None:
        super().__init__(f"dates read {order}: {example!r}")
        self.order, self.example = order, example


def parse_order(value: object) -> str | None:
    """`DMY`/`day-first`/`dd/mm` → DMY; `MDY`/`month-first`/`mm/dd` → MDY; else None."""
    v = re.sub(r"[^a-z]", "", str(value or "").lower())
    if v in ("dmy", "dayfirst", "ddmm", "ddmmyyyy", "day"):
        return DMY
    if v in ("mdy", "monthfirst", "mmdd", "mmddyyyy", "month"):
        return MDY
    return None


def order_from_format(fmt: str | None) -> str | None:
    """A strptime format's order (`%d.%m.%Y` → DMY), None when it names no day or no month."""
    if not fmt or "%d" not in fmt or "%m" not in fmt:
        return None
    return DMY if fmt.index("%d") < fmt.index("%m") else MDY


def order_from_locale(locale: str | None) -> str | None:
    """The order of a CLDR locale's short date pattern (`de_DE` → DMY, `en_US` → MDY)."""
    if not locale:
        return None
    try:
        from babel import Locale

        pattern = Locale.parse(str(locale).replace("-", "_")).date_formats["short"].pattern
    except Exception:  # noqa: BLE001 - unknown locale: no opinion
        return None
    d, m = pattern.find("d"), pattern.find("M")
    if d < 0 or m < 0:
        return None
    return DMY if d < m else MDY


@dataclass
class DateOrder:
    """The reading used for a file and the evidence seen while cleaning it.

    `order`/`source`: the reading in force and what chose it (`rows`, `layout`, `request`,
    `organisation`, `default`). A value only one reading accepts is evidence; evidence against a
    reading no row chose raises DateOrderRestart (the file is cleaned again, rarely)."""

    order: str = MDY
    source: str = "default"
    evidence: dict[str, str] = field(default_factory=dict)   # order → first example
    ambiguous: list[str] = field(default_factory=list)       # a few values both readings accept
    ambiguous_count: int = 0

    def month_of(self, value: str) -> tuple[int, int] | None:
        """(year, month) of a slashed date under this reading; None when it is not one."""
        m = SLASHED.match(value.strip())
        if m is None:
            return None
        a, b, y = int(m[1]), int(m[2]), m[3]
        year = int(y) if len(y) == 4 else 2000 + int(y)
        if a > 12 >= b:
            self._saw(DMY, value)
            return year, b
        if b > 12 >= a:
            self._saw(MDY, value)
            return year, a
        if a != b:
            self.ambiguous_count += 1
            if len(self.ambiguous) < 3:
                self.ambiguous.append(value.strip())
        return year, (b if self.order == DMY else a)

    def _saw(self, order: str, value: str) -> None:
        self.evidence.setdefault(order, value.strip())
        if self.source != "rows" and order != self.order:
            raise DateOrderRestart(order, value.strip())
        if self.source != "rows":
            self.source = "rows"

    def report(self) -> dict:
        """What the file record shows as `date_order`."""
        out = {"order": self.order, "source": self.source, "ambiguous_dates": self.ambiguous_count}
        if self.ambiguous:
            out["ambiguous_examples"] = self.ambiguous
        if len(self.evidence) > 1:
            out["conflicting_examples"] = dict(self.evidence)
        return out

    def warning(self) -> str | None:
        """Text for the file's warnings when the reading was not settled by the rows."""
        if len(self.evidence) > 1:
            return (f"dates are written both ways ({self.evidence[DMY]!r} is day-first, "
                    f"{self.evidence[MDY]!r} month-first); ambiguous ones were read "
                    f"{_name(self.order)}")
        if self.source == "rows" or not self.ambiguous_count or self.source in ("layout", "request"):
            return None
        example = self.ambiguous[0]
        why = {"organisation": "the organisation's date_order/locale setting",
               "default": "no row has a day above 12 and no setting says otherwise"}[self.source]
        return (f"{self.ambiguous_count} distinct date(s) such as {example!r} could be day-first or "
                f"month-first; read {_name(self.order)} ({why}). To change it, process the file "
                f"again with \"date_order\": \"{DMY if self.order == MDY else MDY}\" or set "
                f"date_order on the organisation")


def _name(order: str) -> str:
    return "day-first (DD/MM/YYYY)" if order == DMY else "month-first (MM/DD/YYYY)"


def provisional(layout_format: str | None, layout_order: str | None, requested: str | None,
                org_order: str | None, org_locale: str | None) -> DateOrder:
    """The reading to start with, before any row is seen: the request's explicit choice, the
    layout's declared format, the organisation's setting or locale, month-first."""
    for order, source in ((parse_order(requested), "request"),
                          (order_from_format(layout_format) or layout_order, "layout"),
                          (parse_order(org_order) or order_from_locale(org_locale), "organisation")):
        if order:
            return DateOrder(order=order, source=source)
    return DateOrder()
