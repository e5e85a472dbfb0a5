"""Worker pages look numeric ids up in the store only for ASCII digits: "²" is a digit to
Python's isdigit() but not to int(), and must answer 'not found', not crash the page."""
from __future__ import annotations

import asyncio

from agents.tables import by_number


def test_only_ascii_digits_reach_the_store():
    seen = []

    async def load(n: int):
        seen.append(n)
        return {"id": n}

    stored = by_number(load)
    assert asyncio.run(stored("42")) == {"id": 42}
    assert [asyncio.run(stored(k)) for k in ("²", "-1", "4x", "")] == [None] * 4
    assert seen == [42]
