"""Conversion of line amounts into the organisation's base currency, columnar and exact.

Rates, most specific first: a rate stated in the file (DSR summary `ExchangeRate`), the upload's
`exchange_rate` (the spec's field: the file's currency → base; a file holding several currencies
uses it for the first currency that is not the base and says so), the organisation's rate for the
statement month (`/api/exchange-rates/`, or its inverse). A line without a rate keeps a null
`revenue_converted`: the converted total is then marked incomplete and names the missing pair and
month, while the per-currency figures stay exact.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pyarrow as pa
import pyarrow.compute as pc

from .coded import is_coded
from .schema import AMOUNT, AMOUNT_SCALE

_Q = Decimal(1).scaleb(-AMOUNT_SCALE)
RATE_TYPE = pa.decimal256(30, 18)  # the general product: 38 + 30 + 1 digits fit decimal256
_WIDE = pa.decimal256(38, 18)


def quantize(rate: Decimal) -> Decimal:
    return Decimal(rate).quantize(_Q)


def _digits(value: Decimal) -> tuple[int, int]:
    """(digits before the point, at least 1; digits after it) of `value` without trailing zeros."""
    value = value.normalize()
    after = max(0, -value.as_tuple().exponent)
    return max(1, value.adjusted() + 1), after


def multiply_rounded(revenue: pa.Array, rates: list[Decimal | None], index: pa.Array | None = None) -> pa.Array:
    """`revenue` (AMOUNT) × its rate, rounded half-even at AMOUNT_SCALE places, as AMOUNT; null
    where the rate is None. `rates`: the distinct rates (already quantized), `index`: each row's
    position in them (None: one rate for every row).

    The exact product fits decimal128 when the amounts' integer digits, 18 places and the rates'
    digits add up to at most 38 (a file's amounts under 1e10 and rates of up to 8 places): it is
    computed there, 3x cheaper than Arrow's 256-bit multiply and rescale; otherwise in decimal256.
    Same product, same rounding, either way: Arrow 26 rescales some decimal256 values wrongly, and
    `as_amount` checks each 256-bit result (tests/unit/sales/test_multiply_rounded.py)."""
    known = [r for r in rates if r is not None]
    rate_int, rate_frac = (max(d) for d in zip(*map(_digits, known))) if known else (1, 0)
    low, high = pc.min_max(revenue).values() if len(revenue) else (None, None)
    amount_int = max((_digits(abs(v))[0] for v in (low.as_py(), high.as_py()) if v is not None), default=1)
    p1, p2 = amount_int + AMOUNT_SCALE, rate_int + rate_frac
    if p1 + p2 + 1 <= 38:
        rate_type, amounts = pa.decimal128(p2, rate_frac), _fewer_places(revenue, p1, rate_frac)
    else:
        rate_type, amounts = RATE_TYPE, revenue.cast(_WIDE)
    table = pa.array(rates, rate_type)
    rate = table[0] if index is None else pc.take(table, index)
    return as_amount(pc.multiply(amounts, rate))


def _fewer_places(revenue: pa.Array, precision: int, places: int) -> pa.Array:
    """`revenue` with `places` fewer of its 18 places when it has them to spare (Arrow's cast
    refuses to drop a digit that is not 0), so its product with rates of `places` places is
    exact at 18 places and nothing is rounded: a statement's amounts have 2-10 places. Else at
    18 places, and `as_amount` rounds the product. The round and its rescale were 65 of the
    conversion's 85 ms per 1 M rows; the cast that checks the places takes 25."""
    if places:
        try:
            return revenue.cast(pa.decimal128(precision - places, AMOUNT_SCALE - places))
        except pa.ArrowInvalid:
            pass
    return revenue.cast(pa.decimal128(precision, AMOUNT_SCALE))


def as_amount(exact: pa.Array) -> pa.Array:
    """A decimal array rounded half-even at AMOUNT_SCALE places, as AMOUNT (ArrowInvalid when a
    value does not fit). Arrow 26 rescales some decimal256 values wrongly (the quotient by 1e18
    of 18.446744072079056827 × 1 at 36 places came out 18.446744067127296670; a carry from 1e14
    up was lost), so a decimal256 result is checked with operations that do not divide: the
    rounded value at the exact value's scale may differ from it by less than half its last
    place. The values it does not, and the ties, are rounded by Python's decimal instead."""
    rounded = exact
    if exact.type.scale > AMOUNT_SCALE:
        rounded = pc.round(exact, AMOUNT_SCALE, round_mode="half_to_even")
    out = pc.cast(rounded, AMOUNT)
    if isinstance(exact.type, pa.Decimal256Type) and exact.type.scale > AMOUNT_SCALE and len(exact):
        off = pc.abs(pc.subtract(exact, pc.cast(out, exact.type)))
        half = pa.scalar(_Q / 2, pa.decimal256(exact.type.scale + 1, exact.type.scale))
        wrong = pc.fill_null(pc.greater_equal(off, half), False)
        if pc.any(wrong).as_py():
            with localcontext() as ctx:
                ctx.prec = 100
                fixed = [v.quantize(_Q, rounding=ROUND_HALF_EVEN) for v in exact.filter(wrong).to_pylist()]
            out = pc.replace_with_mask(out, wrong, pa.array(fixed, AMOUNT))
    return out


def inverse(rate: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return quantize(Decimal(1) / Decimal(rate))


@dataclass
class Converter:
    """Per-batch conversion to `base`; remembers which rates it used and which it missed."""

    base: str
    upload_rate: Decimal | None = None
    org_rates: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)  # (from, to, month)
    stated: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)     # rates in the file
    upload_currency: str | None = None       # the currency the upload's exchange_rate was used for
    used: dict[tuple[str | None, str], dict] = field(default_factory=dict)
    missing: Counter = field(default_factory=Counter)                             # (from, month) → rows
    skipped_upload: set[str] = field(default_factory=set)

    def state(self, src: str, dst: str, month: str, rate: Decimal) -> None:
        """A rate the file states (1 `src` = `rate` `dst` in `month`)."""
        if rate and rate > 0:
            self.stated.setdefault((src, dst, month), quantize(rate))

    def rate_for(self, currency: str | None, month: str) -> tuple[Decimal, str] | None:
        if currency == self.base:
            return Decimal(1), "same currency"
        if currency is not None:
            for table, source in ((self.stated, "file"),):
                if (currency, self.base, month) in table:
                    return table[(currency, self.base, month)], source
                if (self.base, currency, month) in table:
                    return inverse(table[(self.base, currency, month)]), f"{source} (inverse)"
        if self.upload_rate is not None:
            if currency is None or self.upload_currency in (None, currency):
                if currency is not None:
                    self.upload_currency = currency
                return quantize(self.upload_rate), "exchange_rate"
            self.skipped_upload.add(currency)
        if currency is None:
            return None
        if (currency, self.base, month) in self.org_rates:
            return quantize(self.org_rates[(currency, self.base, month)]), "organisation"
        if (self.base, currency, month) in self.org_rates:
            return inverse(self.org_rates[(self.base, currency, month)]), "organisation (inverse)"
        return None

    def convert(self, revenue: pa.Array, currency: pa.Array, month: pa.Array) -> pa.Array:
        """revenue × rate(currency, month), rounded half-even at 18 places; null without a rate.
        Python runs once per distinct (currency, month) of the batch, never per row."""
        cur, currencies = _codes(currency, None)
        mon, months = _codes(month, "")
        keys = pc.add(pc.multiply(cur, len(months)), mon)        # one integer per (currency, month)
        counts = pc.value_counts(keys)
        distinct = counts.field("values").to_pylist()
        pairs = [(currencies[k // len(months)], months[k % len(months)]) for k in distinct]
        if len(pairs) == 1 and pairs[0][0] == self.base:
            self._note(self.base, pairs[0][1], (Decimal(1), "same currency"), counts.field("counts")[0].as_py())
            return revenue                       # the usual case: nothing to multiply
        rates: list[Decimal | None] = []
        for (c, m), n in zip(pairs, counts.field("counts").to_pylist()):
            found = self.rate_for(c, m)
            rates.append(found[0] if found else None)
            if found:
                self._note(c, m, found, n)
            else:
                self.missing[(c, m)] += n
        return multiply_rounded(revenue, rates, pc.index_in(keys, value_set=pa.array(distinct, pa.int64())))

    def _note(self, currency: str | None, month: str, found: tuple[Decimal, str], rows: int) -> None:
        entry = self.used.setdefault((currency, month), {
            "from": currency, "to": self.base, "month": month or None,
            "rate": format(found[0].normalize(), "f"), "source": found[1], "rows": 0})
        entry["rows"] += rows

    def report(self) -> dict:
        """`conversion` of the file record: base currency, completeness, rates used and missing."""
        used = [u for u in self.used.values() if u["source"] != "same currency"]
        return {"currency": self.base, "complete": not self.missing,
                "rates": sorted(used, key=lambda u: (u["from"] or "", u["month"] or "")),
                "missing": [{"from": c, "to": self.base, "month": m or None, "rows": n}
                            for (c, m), n in sorted(self.missing.items(), key=lambda x: (x[0][0] or "", x[0][1]))]}

    def warnings(self) -> list[str]:
        out = []
        for (c, m), n in sorted(self.missing.items(), key=lambda x: (x[0][0] or "", x[0][1])):
            if c is None:
                out.append(f"{n} line(s) of {m or 'an unknown month'} name no currency: they are not "
                           f"converted to {self.base} (the converted total is incomplete)")
            else:
                out.append(f"no exchange rate {c}→{self.base} for {m or 'an unknown month'} ({n} line(s)): "
                           f"the converted total is incomplete; add it with POST /api/exchange-rates/ "
                           f"or `tributary rates import`, then reimport the file")
        if self.upload_rate is not None and self.upload_currency is None and \
                not any(c is None for c, _ in self.used):
            out.append(f"exchange_rate {self.upload_rate} was not used: every line is in {self.base}, "
                       "the organisation's base currency")
        if self.skipped_upload:
            out.append(f"exchange_rate {self.upload_rate} was used for {self.upload_currency} only; "
                       f"{', '.join(sorted(self.skipped_upload))} used the organisation's rates")
        return out


def _codes(arr: pa.Array, null: str | None) -> tuple[pa.Array, list]:
    """(int64 code per row, the value of each code): a coded column's own codes (`coded`), a
    plain one's from one hash pass; a null cell takes the last code, whose value is `null`."""
    enc = arr if is_coded(arr) else pc.dictionary_encode(arr)
    names = enc.dictionary.to_pylist() + [null]
    return pc.fill_null(enc.indices.cast(pa.int64()), len(names) - 1), names
