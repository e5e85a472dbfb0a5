"""Small pyarrow helpers for layouts' `prepare` hooks (derived source columns, never per-row Python).

Derived columns must hold "" rather than null: the mapper treats a row whose mapped cells are all
blank as a blank line, and a null would make that test null."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

EMPTY = pa.scalar("", pa.string())


def lower(arr: pa.Array) -> pa.Array:
    return pc.utf8_lower(pc.utf8_trim_whitespace(arr))


def where(mask: pa.Array, arr: pa.Array) -> pa.Array:
    """`arr` where mask is true, else ""."""
    return pc.if_else(pc.fill_null(mask, False), arr, EMPTY)


def first_nonblank(*arrays: pa.Array) -> pa.Array:
    """Per row, the first array whose cell is not blank."""
    out = arrays[-1]
    for arr in reversed(arrays[:-1]):
        out = pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), out, arr)
    return out


def months_midpoint(start: pa.Array, end: pa.Array, fmt: str) -> pa.Array:
    """`YYYY-MM` of the day halfway between two dates (Apple fiscal months → calendar month);
    "" when either date does not parse."""
    s = pc.strptime(pc.utf8_trim_whitespace(start), format=fmt, unit="s", error_is_null=True)
    e = pc.strptime(pc.utf8_trim_whitespace(end), format=fmt, unit="s", error_is_null=True)
    si, ei = pc.cast(s, pa.int64()), pc.cast(e, pa.int64())
    mid = pc.add(si, pc.divide(pc.subtract(ei, si), 2))
    return pc.fill_null(pc.strftime(pc.cast(mid, pa.timestamp("s")), format="%Y-%m"), "")


def extract(arr: pa.Array, pattern: str) -> pa.Array:
    """The named group `v` of a regex match, "" when it does not match."""
    found = pc.extract_regex(arr, pattern)
    return pc.fill_null(pc.struct_field(found, "v"), "")
