"""Track and release identifiers: ISRC and UPC/EAN/GTIN, each normalised one value at a time
with python-stdnum (`norm_isrc`, `norm_upc`, the reference) and a whole column at a time in
Arrow kernels and numpy (`isrc_column`, `upc_column`), with the same results: a file's
distinct codes (50 k ISRCs, 5 k UPCs in the bench's file) never reach Python one by one where
they are written plainly, as DSP reports write them."""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import ean
from stdnum import isrc as stdnum_isrc

from .plain_cells import cell_bytes

SEP = re.compile(r"[\s\-._/:]")
_ISRC_PLAIN = r"^[A-Za-z0-9 \-._/:]*$"   # ASCII letters, digits and the separators SEP strips
_ISRC = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"
_ISRC_COUNTRIES = pa.array(sorted(getattr(stdnum_isrc, "_country_codes", ())), pa.string())
_DIGITS = r"^[0-9]+$"
_EAN_LENGTHS = (8, 12, 13, 14)   # ean.validate's lengths
_NULL = pa.scalar(None, pa.string())


def norm_isrc(value: str) -> str | None:
    """ISRC without separators, upper-case, validated by python-stdnum; None when invalid."""
    code = SEP.sub("", value).upper()
    if code.startswith("ISRC"):
        code = code[4:]
    return code if stdnum_isrc.is_valid(code) else None


def norm_upc(value: str) -> str | None:
    """UPC/EAN/GTIN digits with a valid check digit. Leading zeros lost by spreadsheets are restored."""
    code = SEP.sub("", value.strip().strip('"').strip("'"))
    if code.endswith(".0"):
        code = code[:-2]
    if not code.isdigit():
        return None
    if len(code) in _EAN_LENGTHS and ean.is_valid(code):
        return code
    if len(code) == 11 and ean.is_valid(code.zfill(12)):  # one leading zero lost as a number
        return code.zfill(12)
    return None


def isrc_column(values: pa.Array) -> pa.Array:
    """`norm_isrc` of each value of a string array, in Arrow kernels for the values written
    with plain ASCII letters, digits and separators (all of them, in DSP reports); the others
    (other whitespace, non-ASCII letters whose upper case differs) go through `norm_isrc`."""
    plain = pc.fill_null(pc.match_substring_regex(values, _ISRC_PLAIN), False)
    if not len(_ISRC_COUNTRIES):                      # python-stdnum without its list
        return pa.array([None if v is None else norm_isrc(v) for v in values.to_pylist()], pa.string())
    out = _isrc_plain(values)
    return _others(values, plain, out, norm_isrc)


def _isrc_plain(values: pa.Array) -> pa.Array:
    code = pc.ascii_upper(pc.replace_substring_regex(values, r"[ \-._/:]", ""))
    code = pc.if_else(pc.starts_with(code, "ISRC"), pc.utf8_slice_codeunits(code, 4), code)
    ok = pc.and_(pc.fill_null(pc.match_substring_regex(code, _ISRC), False),
                 pc.is_in(pc.utf8_slice_codeunits(code, 0, 2), value_set=_ISRC_COUNTRIES))
    return pc.if_else(ok, code, _NULL)


def upc_column(values: pa.Array) -> pa.Array:
    """`norm_upc` of each value of a string array: values of ASCII digits only (an 11-digit
    one given its lost leading zero) have their EAN check digit computed in numpy, a length at
    a time; the others (separators, quotes, a `.0`, other digits) go through `norm_upc`."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    digits = pc.fill_null(pc.match_substring_regex(values, _DIGITS), False)
    length = pc.fill_null(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False)
    code = pc.if_else(pc.equal(pa.array(length), 11), pc.utf8_lpad(values, 12, "0"), values)
    length = np.where(length == 11, 12, length)
    plain = digits.to_numpy(zero_copy_only=False)
    ok = np.zeros(len(values), dtype=bool)
    for n in _EAN_LENGTHS:
        rows = np.flatnonzero(plain & (length == n))
        if len(rows):
            ok[rows] = _check_digit_ok(code.take(pa.array(rows)), n)
    return _others(values, digits, pc.if_else(pa.array(ok), code, _NULL), norm_upc)


def _check_digit_ok(codes: pa.Array, n: int) -> np.ndarray:
    """Per code (ASCII digits, all `n` long): its last digit is the EAN check digit of the
    others (`ean.calc_check_digit`: weights 3, 1, 3, … from the right)."""
    _, data = cell_bytes(codes)
    digits = data.reshape(-1, n).astype(np.int64) - ord("0")
    weights = np.where(np.arange(n - 1)[::-1] % 2 == 0, 3, 1)
    return (10 - digits[:, :-1] @ weights % 10) % 10 == digits[:, -1]


def _others(values: pa.Array, plain: pa.Array, out: pa.Array, scalar) -> pa.Array:
    """`out` with the values `plain` does not mark normalised by `scalar`, one by one."""
    if pc.all(plain).as_py():
        return out
    other = pc.invert(plain)
    slow = [None if v is None else scalar(v) for v in values.filter(other).to_pylist()]
    return pc.replace_with_mask(out, other, pa.array(slow, pa.string()))
