"""Value normalisers. Scalar functions (one value) plus columnar wrappers that apply them to the
distinct values of an Arrow array only, so a 5-million-row file costs one call per distinct value."""
from __future__ import annotations

import calendar
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from .coded import is_coded, null_where
from .dates import DateOrder
from .identifiers import isrc_column, norm_isrc, norm_upc, upc_column
from .money import as_amount
from .plain_cells import all_plain
from .schema import AMOUNT, AMOUNT_LIMIT, AMOUNT_SCALE

_WORLD = {"WW", "WORLD", "WORLDWIDE", "WORLD WIDE", "GLOBAL", "ALL", "ROW", "INTERNATIONAL"}
_TERRITORY_ALIASES = {"UK": "GB", "EL": "GR", "XK": "XK", "ROM": "RO"}  # ROM: ISO 3166 alpha-3 until 2002
_CURRENCY_ALIASES = {"RUR": "RUB", "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
_MONTHS["sept"] = 9


def _localised_months() -> None:
    """Month names of German, French, Spanish, Portuguese, Italian and Dutch exports (babel/CLDR),
    accents dropped (`März` → marz), English spellings kept where they collide."""
    import unicodedata

    from babel.dates import get_month_names

    for locale in ("de", "fr", "es", "pt", "it", "nl"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                key = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip(".")
                _MONTHS.setdefault(key, number)


_localised_months()


def norm_territory(value: str) -> str | None:
    """ISO 3166-1 alpha-2 from alpha-2, alpha-3, numeric (`276`), English names (pycountry) and
    names in any CLDR language (babel: `Deutschland`, `Allemagne`); `UK` → GB; worldwide → WW."""
    v = value.strip().upper()
    if v in _WORLD:
        return "WW"
    if v in _TERRITORY_ALIASES:
        return _TERRITORY_ALIASES[v]
    country = None
    if v.isdigit():
        country = pycountry.countries.get(numeric=v.zfill(3)) if len(v) <= 3 else None
    elif len(v) == 2:
        country = pycountry.countries.get(alpha_2=v)
    elif len(v) == 3:
        country = pycountry.countries.get(alpha_3=v)
    if country is None and len(v) > 3:
        try:
            country = pycountry.countries.lookup(value.strip())
        except LookupError:
            country = None
    if country is not None:
        return country.alpha_2
    if len(v) > 2:
        from .countries import country_by_name

        code = country_by_name(value)
        if code is None and len(v) > 5:
            try:
                return pycountry.countries.search_fuzzy(value.strip())[0].alpha_2
            except LookupError:
                return None
        return code
    return None


def norm_currency(value: str) -> str | None:
    v = value.strip().upper()
    v = _CURRENCY_ALIASES.get(v, v)
    return v if len(v) == 3 and pycountry.currencies.get(alpha_3=v) is not None else None


_PERIOD_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int]]]] = [
    (re.compile(r"^(\d{4})[-/._](\d{1,2})(?:[-/._]\d{1,2})?(?:[T ].*)?$"), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})(\d{2})(?:\d{2})?$"), lambda m: (int(m[1]), int(m[2]))),
    # MM/DD/YYYY (US, Apple, CD Baby) — DD/MM/YYYY only when the first number cannot be a month
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s.*)?$"),
     lambda m: (int(m[3]), int(m[1]) if int(m[1]) <= 12 else int(m[2]))),
    # MM/DD/YY with an optional time (Bandcamp `11/25/22 5:45pm`)
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})(?:\s.*)?$"),
     lambda m: (2000 + int(m[3]), int(m[1]) if int(m[1]) <= 12 else int(m[2]))),
    (re.compile(r"^(\d{1,2})[/.-](\d{4})$"), lambda m: (int(m[2]), int(m[1]))),
    (re.compile(r"^([^\W\d_]+)\.?[\s\-/.,]+(\d{4}|\d{2})$"), lambda m: (_year(m[2]), _month(m[1]))),
    (re.compile(r"^(\d{4})[\s\-/.,]+([^\W\d_]+)$"), lambda m: (int(m[1]), _month(m[2]))),
]


def _month(name: str) -> int:
    import unicodedata

    return _MONTHS.get(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower(), 0)


def _year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def norm_period(value: str, date_format: str | None = None, order: DateOrder | None = None) -> str | None:
    """A date or month in any common spelling → `YYYY-MM` (YYYY-MM, YYYY-MM-DD, YYYYMMDD, JUN-25,
    June 2025, MM/DD/YYYY, `10/15/2023 12:00:00 AM`...). An explicit strptime format wins; a
    `DateOrder` reads (and records) `a/b/yyyy` dates day-first or month-first."""
    v = value.strip()
    if date_format:
        try:
            d = datetime.strptime(v, date_format)
            return f"{d.year:04d}-{d.month:02d}"
        except ValueError:
            return None
    if order is not None:
        found = order.month_of(v)
        if found is not None:
            year, month = found
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 <= year <= 2999 else None
    for pattern, extract in _PERIOD_PATTERNS:
        m = pattern.match(v)
        if m:
            year, month = extract(m)
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return f"{year:04d}-{month:02d}"
            return None
    return None


class DistinctCache:
    """Normalised values of the distinct inputs seen so far, kept as two aligned Arrow arrays so a
    batch is mapped with one `index_in` + `take`; only values never seen before reach Python.
    Safe to share between threads: (keys, values) is read and replaced as one tuple (two threads
    adding at once may lose one's additions, which only costs recomputing them)."""

    MAX = 500_000

    def __init__(self) -> None:
        self.state = (pa.array([], pa.string()), pa.array([], pa.string()))

    def map(self, arr: pa.Array, fn: Callable[[str], str | None]) -> pa.Array:
        if arr.type != pa.string():
            arr = arr.cast(pa.string())
        keys, values = self.state
        idx = pc.index_in(arr, value_set=keys)
        unseen = pc.and_(pc.is_null(idx), pc.is_valid(arr))
        if not pc.any(unseen).as_py():
            return pc.take(values, idx)
        if len(keys) + pc.sum(unseen).as_py() > self.MAX:   # start again from this batch's values
            new = pc.unique(arr.drop_null())
            mapped = _map_values(new, fn)
            self.state = (new, mapped)
            return pc.take(mapped, pc.index_in(arr, value_set=new))
        new = pc.unique(arr.filter(unseen))
        mapped = _map_values(new, fn)
        values = pa.concat_arrays([values, mapped])   # this call's own arrays: another thread
        self.state = (pa.concat_arrays([keys, new]), values)   # may replace the state meanwhile
        # the new values' indices follow the old keys: only the (smaller) new set is looked up again
        idx = pc.coalesce(idx, pc.add(pc.index_in(arr, value_set=new), pa.scalar(len(keys), pa.int32())))
        return pc.take(values, idx)


def _map_values(distinct: pa.Array, fn: Callable[[str], str | None]) -> pa.Array:
    columnar = COLUMNAR.get(fn)
    return columnar(distinct) if columnar else pa.array([fn(v) for v in distinct.to_pylist()], pa.string())


# same results, in kernels (`identifiers`)
COLUMNAR: dict[Callable, Callable[[pa.Array], pa.Array]] = {norm_isrc: isrc_column, norm_upc: upc_column}


def map_distinct(arr: pa.Array, fn: Callable[[str], str | None], cache: DistinctCache | None = None) -> pa.Array:
    """Apply `fn` to each distinct non-null value of a string array once (across batches when the
    same `DistinctCache` is passed again). Nulls stay null."""
    if len(arr) == 0:
        return pa.array([], pa.string())
    if not isinstance(cache, DistinctCache):
        cache = DistinctCache()
    return cache.map(arr, fn)


# ---- amounts -------------------------------------------------------------------------------------

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$"
_JUNK = "[\\s\u00a0\u202f'’$€£¥]|^[A-Z]{3}\\s*|\\s*[A-Z]{3}$"


def sniff_decimal_sep(values: list[str]) -> str:
    """`,` when the sample only makes sense with decimal commas (1.234,56 / 0,5), else `.`."""
    comma = dot = 0
    for v in values:
        v = v.strip()
        if re.search(r",\d{1,2}$|,\d{4,}$|^-?0,\d", v) or re.search(r"\.\d{3},\d+$", v):
            comma += 1
        elif re.search(r"\.\d+$", v):
            dot += 1
    return "," if comma > dot else "."


def clean_number_text(arr: pa.Array, decimal_sep: str = ".", thousands_sep: str | None = None) -> pa.Array:
    """Strip currency symbols/spaces/thousands separators; `(1.5)` → `-1.5`; decimal comma → point."""
    s = pc.utf8_trim_whitespace(arr)
    s = pc.replace_substring_regex(s, _JUNK, "")
    s = pc.replace_substring_regex(s, r"^\((.*)\)$", r"-\1")
    s = pc.replace_substring_regex(s, r"^(.*[0-9.])-$", r"-\1")
    thousands = thousands_sep if thousands_sep is not None else ("." if decimal_sep == "," else ",")
    if thousands:
        s = pc.replace_substring(s, thousands, "")
    if decimal_sep != ".":
        s = pc.replace_substring(s, decimal_sep, ".")
    return s


def _plain_shape(decimal_sep: str, thousands_sep: str | None, integers: bool) -> tuple[int, int]:
    """Cells that need no cleaning: an optional minus, at most this many digits, and (for `.`
    decimals) a fraction of at most this many (0: none)."""
    if integers:
        return 18, 0
    if decimal_sep == "." and thousands_sep != ".":
        return 20, 18
    return 20, 0


def _plain_pattern(digits: int, fraction: int, sep: str = ".") -> str:
    """`_plain_shape` as the regex each cell is matched with when not every cell is plain."""
    return rf"^-?\d{{1,{digits}}}" + (rf"({re.escape(sep)}\d{{1,{fraction}}})?" if fraction else "") + "$"


_COMMA_PLAIN = (20, 18, ",")


def _plain(arr: pa.Array, digits: int, fraction: int, sep: str = ".") -> tuple[pa.Array | None, int]:
    """The mask of the cells matching `_plain_pattern` (None: every cell, found without a regex
    by `plain_cells.all_plain`) and how many they are."""
    if all_plain(arr, digits, fraction, sep):
        return None, len(arr)
    plain = pc.fill_null(pc.match_substring_regex(arr, _plain_pattern(digits, fraction, sep)), False)
    return plain, pc.sum(plain).as_py() or 0


def _fast_or_slow(arr: pa.Array, shape: tuple[int, int], to_type: pa.DataType, slow,
                  notes: dict | None = None, comma: bool = False) -> tuple[pa.Array, pa.Array]:
    """Cast the cells of `shape` (`_plain_shape`) straight to `to_type` (exact: they fit the
    type without rounding); only the other cells go through `slow` (-> values, invalid mask).
    `notes`, when given, receives `cleaned`: the mask of the cells that needed cleaning (None:
    every cell plain). `comma`: cells written `-0,5` (decimal comma, no other character) are
    cast too, their comma made a point (what the cleaning makes of them; they still count as
    cleaned)."""
    commas = _plain(arr, *_COMMA_PLAIN) if comma else None
    if commas is not None and commas[0] is None:
        # every cell is `-0,5` or `-5`: of those, `shape`'s (no fraction) are the ones without a
        # comma, found without a regex
        plain = pc.invert(pc.match_substring(arr, ","))
        nplain = pc.sum(plain).as_py() or 0
    else:
        plain, nplain = _plain(arr, *shape)
    if notes is not None:
        notes["cleaned"] = None if nplain == len(arr) else pc.and_(pc.invert(plain), pc.is_valid(arr))
    direct = arr
    if commas is not None:
        plain, nplain = commas
        direct = pc.replace_substring(arr, ",", ".") if nplain else arr
    if nplain == len(arr):
        return pc.cast(direct, to_type), pa.repeat(pa.scalar(False), len(arr))
    if nplain == 0:
        return slow(arr)
    other = pc.invert(plain)
    values, bad = slow(arr.filter(other))
    fast = pc.cast(pc.if_else(plain, direct, pa.scalar(None, pa.string())), to_type)
    return (pc.replace_with_mask(fast, other, values),
            pc.replace_with_mask(pa.repeat(pa.scalar(False), len(arr)), other, bad))


def to_amount(arr: pa.Array, decimal_sep: str = ".", thousands_sep: str | None = None,
              notes: dict | None = None) -> tuple[pa.Array, pa.Array]:
    """String array → (decimal128(38,18) array, invalid mask). Empty cells are null, not invalid.
    Plain decimals (`-123.45`, the vast majority) are cast directly; the rest is cleaned first."""
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return _fast_or_slow(arr, _plain_shape(decimal_sep, thousands_sep, False), AMOUNT,
                         lambda a: _to_amount_slow(a, decimal_sep, thousands_sep), notes,
                         comma=decimal_sep == "," and thousands_sep != ",")


def _to_amount_slow(arr: pa.Array, decimal_sep: str, thousands_sep: str | None) -> tuple[pa.Array, pa.Array]:
    s = clean_number_text(arr, decimal_sep, thousands_sep)
    empty = pc.fill_null(pc.equal(s, ""), True)
    ok = pc.fill_null(pc.match_substring_regex(s, _NUMBER), False)
    invalid = pc.and_(pc.invert(ok), pc.invert(empty))
    good = pc.if_else(ok, s, pa.scalar(None, pa.string()))
    try:
        out = as_amount(pc.cast(good, pa.decimal256(76, 38)))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values, bad = [], []
        for v in good.to_pylist():
            d = _py_amount(v)
            values.append(d)
            bad.append(v is not None and d is None)
        out = pa.array(values, AMOUNT)
        invalid = pc.or_(invalid, pa.array(bad))
    return out, invalid


def _py_amount(v: str | None) -> Decimal | None:
    if v is None:
        return None
    try:
        d = Decimal(v).quantize(Decimal(1).scaleb(-AMOUNT_SCALE))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() and abs(d) < AMOUNT_LIMIT else None


def to_quantity(arr: pa.Array, decimal_sep: str = ".", thousands_sep: str | None = None,
                notes: dict | None = None) -> tuple[pa.Array, pa.Array]:
    """String array → (int64 array rounded half-even, invalid mask). Plain integers are cast directly."""
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return _fast_or_slow(arr, _plain_shape(decimal_sep, thousands_sep, True), pa.int64(),
                         lambda a: _to_quantity_slow(a, decimal_sep, thousands_sep), notes)


def _to_quantity_slow(arr: pa.Array, decimal_sep: str, thousands_sep: str | None) -> tuple[pa.Array, pa.Array]:
    amount, invalid = _to_amount_slow(arr, decimal_sep, thousands_sep)
    try:
        return pc.cast(pc.round(amount, 0), pa.int64()), invalid
    except pa.ArrowInvalid:
        vals = [int(v) if v is not None and abs(v) < 2**62 else None for v in pc.round(amount, 0).to_pylist()]
        return pa.array(vals, pa.int64()), invalid


def blank_to_null(arr: pa.Array) -> pa.Array:
    return null_blanks(pc.utf8_trim_whitespace(arr))


def null_blanks(trimmed: pa.Array) -> pa.Array:
    """Empty cells of an already trimmed string array become null (no copy when there is none)."""
    if is_coded(trimmed):
        empty = pc.equal(trimmed.dictionary, "")
        return null_where(trimmed, empty) if pc.any(empty).as_py() else trimmed
    empty = pc.equal(trimmed, "")
    if not pc.any(empty).as_py():
        return trimmed
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
