"""Reporting periods as `YYYY-MM`."""
from __future__ import annotations

import re

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period_strict(text: str) -> str | None:
    """`YYYY-MM` with a real month, else None."""
    match = _PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        return None
    return f"{match.group(1)}-{match.group(2)}"
