"""Who may hold a GTIN: its GS1 Company Prefix, found from the GTIN itself, is one of the
participant's prefixes, or the GTIN-8 is assigned to it (GS1 General Specifications §1.4.4).

A declared prefix matches only as GS1 wrote it: prefix 9300675 (Australia) owns 9300675xxxxxx,
never 0930067xxxxxx (a GS1 US GTIN-12 of another company). Where GS1 lists no Company Prefix
length for a range, the longest declared prefix the key starts with owns it. Books are owned
through the ISBN publisher's prefix, serials through 977 + their ISSN. Restricted
circulation, coupon and reserved ranges belong to no company: only a system participant may
hold them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stdnum import ean

from models.gtin.errors import GtinError
from models.gtin.gs1 import (
    ISSN_PREFIX_LENGTH,
    Range,
    company_prefix,
    gcp_length,
    gtin8_range,
    isbn_publisher,
    key_range,
)

PREFIX_LENGTHS = range(4, 13)  # GS1 Company Prefixes have 4 to 12 digits


@dataclass(frozen=True)
class Refusal:
    """Why a participant may not hold a GTIN: `closed` names a range nobody owns (HTTP 400),
    otherwise `prefix` is the Company Prefix (or GTIN-8) it does not hold (HTTP 403)."""

    gtin: str
    prefix: str
    closed: Range | None = None

    @property
    def message(self) -> str:
        if self.closed is not None:
            return (f"GTIN {self.gtin} is in {self.closed.describe()}: no company owns GTINs "
                    "in this range; only a system participant may hold them")
        what = "GTIN-8" if self.gtin.startswith("000000") else "GS1 Company Prefix"
        return f"{what} {self.prefix} of GTIN {self.gtin} is not one of the participant's"


def gtin_range(gtin14: str) -> Range:
    """The GS1 range of a 14-digit GTIN (GTIN-8s: their GS1-8 prefix)."""
    if gtin14.startswith("000000"):
        return gtin8_range(gtin14[6:13])
    return key_range(gtin14[1:8])


def prefix_of(gtin14: str) -> str:
    """The Company Prefix to name for a GTIN: the GTIN-8 itself, the listed Company Prefix, else
    (no GS1 length known) the first 7 digits of the GS1 key."""
    if gtin14.startswith("000000"):
        return gtin14[6:]
    key = gtin14[1:]
    return company_prefix(key) or key[:7]


def refusal(gtin14: str, prefixes: Iterable[str], gtin8: Iterable[str] = (), *,
            system: bool = False) -> Refusal | None:
    """None when the participant may hold the GTIN, else why not. A system participant holds all."""
    if system:
        return None
    if gtin14.startswith("000000"):
        code = gtin14[6:]
        found = gtin8_range(code[:7])
        if found.closed:
            return Refusal(gtin14, found.prefix, found)
        return None if any(code.startswith(p) for p in gtin8) else Refusal(gtin14, code)
    key = gtin14[1:]
    found = key_range(key[:7])  # cached: called per import line
    if found.closed:
        return Refusal(gtin14, found.prefix, found)
    if found.kind in ("book", "serial"):
        gcp = company_prefix(key)
    else:
        length = gcp_length(key)
        gcp = key[:length] if length else None
    if gcp is not None:
        return None if gcp in prefixes else Refusal(gtin14, gcp)
    return None if any(key.startswith(p) for p in prefixes if p) else Refusal(gtin14, key[:7])


def check_prefix(value: object, *, system: bool = False, field: str = "prefix") -> str:
    """A declared GS1 Company Prefix, checked against GS1's ranges and prefix lengths."""
    p = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not (p.isascii() and p.isdigit()) or len(p) not in PREFIX_LENGTHS:
        raise GtinError(field, "a GS1 Company Prefix is 4 to 12 digits", value=value)
    if p.startswith("00000"):
        raise GtinError(field, "keys 00000… are GTIN-8s: declare them with --gtin8", value=p)
    key = p.ljust(13, "0")
    found = key_range(key[:7])
    if found.closed:
        if system:
            return p
        raise GtinError(field, f"{found.describe()}: no company prefixes are allocated here", value=p)
    if found.kind == "book":
        expected = isbn_publisher(key[:12] + ean.calc_check_digit(key[:12]))
        if expected and len(expected) != len(p):
            raise GtinError(field, f"ISBN publisher prefixes starting {expected[:len(p)]} have "
                            f"{len(expected)} digits (978 + group + publisher)", value=p)
        return p
    if found.kind == "serial":
        if len(p) != ISSN_PREFIX_LENGTH:
            raise GtinError(field, f"a serial's (ISSN) prefix is 977 + the ISSN's 7 digits without "
                            f"its check digit ({ISSN_PREFIX_LENGTH} digits)", value=p)
        return p
    length = gcp_length(key)
    if length is None or length == len(p):
        return p
    hint = ""
    if 6 <= len(p) <= 11 and gcp_length(("0" + p).ljust(13, "0")) == len(p) + 1:
        hint = f"; a UPC company prefix {p} is GS1 Company Prefix 0{p}"
    raise GtinError(field, f"GS1 lists {length}-digit Company Prefixes at {p}…, not {len(p)} "
                    f"digits{hint}", value=p)


def check_gtin8(value: object, *, system: bool = False, field: str = "gtin8") -> str:
    """An individually assigned GTIN-8 (8 digits, check digit) or a GS1-8 prefix (3-7 digits)."""
    p = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not (p.isascii() and p.isdigit()) or not 3 <= len(p) <= 8:
        raise GtinError(field, "a GTIN-8 (8 digits) or a GS1-8 prefix (3 to 7 digits)", value=value)
    if len(p) == 8 and not ean.is_valid(p):
        raise GtinError(field, "invalid check digit", value=p)
    found = gtin8_range(p)
    if found.closed and not system:
        raise GtinError(field, f"{found.describe()}: not assigned to companies", value=p)
    return p
