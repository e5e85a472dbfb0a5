"""Value tests for layout inference: what a column's sampled cells look like (ISRC-shaped, GTINs
with valid check digits, ISO countries, ISO currencies, periods, integers, decimal amounts, text).

Columnar: the sample of one column is an Arrow array; shape tests are regex kernels, and the
normalisers shared with the cleaner (`models/sales/normalise.py`: python-stdnum GTIN check digits,
pycountry countries and currencies, period spellings) run once per distinct value."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from .. import normalise as nz

_ISRC = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"
_INT = r"^[+-]?[0-9]{1,3}([.,' ]?[0-9]{3})*$|^[+-]?[0-9]+$"
_NUMERIC = r"^[+-]?[0-9.,' ]*[0-9][0-9.,' ]*([eE][+-]?[0-9]+)?$"


@dataclass
class Profile:
    """Shares of the column's non-blank sampled cells passing each test (0..1), and its amounts."""
    filled: int = 0               # non-blank cells in the sample
    isrc: float = 0.0
    upc: float = 0.0
    territory: float = 0.0
    currency: float = 0.0
    period: float = 0.0
    integer: float = 0.0
    decimal: float = 0.0          # parses as an amount
    fractional: float = 0.0       # of those, with a fractional part written
    text: float = 0.0             # not numeric at all
    total: Decimal | None = None  # exact sum of the sampled amounts (decimal columns)
    distinct: int = 0

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()
                if k not in ("total",)}


def _share(mask: pa.Array, n: int) -> float:
    return (pc.sum(pc.cast(mask, pa.int64())).as_py() or 0) / n if n else 0.0


def _distinct_share(values: pa.Array, fn, n: int) -> float:
    """Share of cells whose value `fn` accepts (fn runs once per distinct value)."""
    mapped = nz.map_distinct(values, fn)
    return (n - mapped.null_count) / n if n else 0.0


def _country(value: str) -> str | None:
    """ISO code or exact country name (the cleaner also tries fuzzy names; too slow for every text
    column of a sample, and a test of *how country-like* a column is needs no fuzziness)."""
    v = value.strip()
    if len(v) <= 3 or v.upper() in nz._WORLD:
        return nz.norm_territory(v)
    try:
        return pycountry.countries.lookup(v).alpha_2
    except LookupError:
        return None


def profile(column: pa.Array, decimal_sep: str) -> Profile:
    """Profile one sampled column (strings)."""
    trimmed = pc.utf8_trim_whitespace(column)
    values = trimmed.filter(pc.not_equal(trimmed, ""))
    n = len(values)
    out = Profile(filled=n)
    if n == 0:
        return out
    out.distinct = len(pc.unique(values))
    upper = pc.utf8_upper(pc.replace_substring_regex(values, r"[\s\-.]", ""))
    out.isrc = _share(pc.match_substring_regex(upper, _ISRC), n)
    numeric = pc.match_substring_regex(values, _NUMERIC)
    out.text = 1.0 - _share(numeric, n)
    out.integer = _share(pc.match_substring_regex(values, _INT), n)
    digits = pc.replace_substring_regex(values, r"^\"|\"$|\.0$", "")
    if out.integer > 0.5 or out.text < 0.5:
        out.upc = _distinct_share(digits, nz.norm_upc, n)
    if out.text > 0.5:
        out.territory = _distinct_share(values, _country, n)
        out.currency = _distinct_share(values, nz.norm_currency, n)
    periods = nz.map_distinct(values, nz.norm_period)
    plain_int = pc.match_substring_regex(values, r"^[0-9]{1,5}$")   # 12 or 2025 is a count, not a month
    out.period = _share(pc.and_(pc.is_valid(periods), pc.invert(plain_int)), n)
    amounts, bad = nz.to_amount(values, decimal_sep, None)
    ok = pc.is_valid(amounts) if bad is None else pc.and_(pc.is_valid(amounts), pc.invert(pc.fill_null(bad, False)))
    out.decimal = _share(ok, n)
    if out.decimal > 0:
        out.fractional = _share(pc.match_substring(values, decimal_sep), n)
        out.total = pc.sum(amounts.filter(ok)).as_py() or Decimal(0)
    return out


def amount_of(text: str, decimal_sep: str) -> Decimal | None:
    """One cell as an exact amount (a stated total), or None."""
    arr, bad = nz.to_amount(pa.array([text.strip()], pa.string()), decimal_sep, None)
    return arr[0].as_py() if arr[0].is_valid and not (bad is not None and bad[0].as_py()) else None
