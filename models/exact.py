"""Exact decimal arithmetic for the whole domain.

Amounts are DECIMAL(38, 18): a sum of them can need more than Python's default 28 significant
digits, and Decimal then rounds silently (a total of 10 billion with 18 decimals loses its last
ones). Every sum of money in models/, agents/ and gateway/ runs in the context set here, so no
code path can forget a `localcontext`: the main thread's context now, and the prototype of
every thread started later (asyncio.to_thread workers, Faust's threads). Rounding stays
explicit (`quantize`) where a figure is meant to be rounded."""
from __future__ import annotations

import decimal

DIGITS = 80   # 38 + 18 digits of any amount, summed over far more lines than a file can hold


def exact_context() -> decimal.Context:
    return decimal.Context(prec=DIGITS, rounding=decimal.ROUND_HALF_EVEN)


def use_exact_decimals() -> None:
    """Make `DIGITS` the precision of this thread and of every thread created from now on."""
    decimal.DefaultContext.prec = DIGITS
    decimal.DefaultContext.rounding = decimal.ROUND_HALF_EVEN
    decimal.setcontext(exact_context())
