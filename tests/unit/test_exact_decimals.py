"""Sums of DECIMAL(38, 18) amounts are exact in every thread, not rounded at Python's default
28 significant digits (models.exact)."""
from __future__ import annotations

import asyncio
import threading
from decimal import Decimal

import models  # noqa: F401  (importing the domain sets the context)
from models.sales.money_summary import summarise

BIG = Decimal("12345678901.123456789012345678")   # 29 significant digits
TWICE = Decimal("24691357802.246913578024691356")


def _sum() -> Decimal:
    return BIG + BIG


def test_sum_is_exact_in_this_thread():
    assert _sum() == TWICE
    assert str(_sum()) == "24691357802.246913578024691356"


def test_sum_is_exact_in_a_thread_started_later():
    out = []
    thread = threading.Thread(target=lambda: out.append(_sum()))
    thread.start()
    thread.join()
    assert out == [TWICE]


def test_sum_is_exact_in_asyncio_worker_threads():
    assert asyncio.run(asyncio.to_thread(_sum)) == TWICE


def test_organisation_summary_keeps_every_decimal():
    snap = {"byCurrency": [{"currency": "EUR", "period": "2025-06", "rows": 1,
                            "revenue": str(BIG), "revenue_converted": str(BIG)}],
            "conversion": {"currency": "EUR"}}
    out = summarise([snap, snap], "EUR", {})
    assert Decimal(out["total_gross"]) == TWICE
    assert Decimal(out["by_currency"][0]["revenue"] if isinstance(out["by_currency"], list)
                   else out["by_currency"]["EUR"]["revenue"]) == TWICE
