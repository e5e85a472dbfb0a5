"""GTIN normalisation and company-prefix ownership (GS1 General Specifications §3.3.2)."""
from __future__ import annotations

import re
from collections.abc import Iterable

from biip import ParseError
from biip.gtin import Gtin
from stdnum import ean
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from models.gtin.errors import GtinError

_DIGITS = re.compile(r"[0-9]+")
GTIN_LENGTHS = (8, 12, 13, 14)


def normalise_gtin(value: object, field: str = "gtin") -> str:
    """Validate a GTIN-8/12/13/14 and return its 14-digit form.

    Raises GtinError whose reason starts with "non-digit", "invalid length" or "invalid check digit".
    Shorter codes are never left-padded: "0000" + a 4-digit code is not a GTIN-8.
    """
    if value is None:
        raise GtinError(field, "missing")
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if not text:
        raise GtinError(field, "missing" if text == "" else "non-digit: not a string")
    if not _DIGITS.fullmatch(text):
        raise GtinError(field, "non-digit: a GTIN has only the digits 0-9", value=text)
    if len(text) not in GTIN_LENGTHS:
        raise GtinError(field, f"invalid length: {len(text)} digits, expected 8, 12, 13 or 14", value=text)
    try:
        ean.validate(text)
    except InvalidChecksum:
        raise GtinError(field, "invalid check digit", value=text) from None
    except InvalidLength:  # pragma: no cover - lengths checked above
        raise GtinError(field, "invalid length", value=text) from None
    except ValidationError as exc:  # pragma: no cover
        raise GtinError(field, f"invalid: {exc}", value=text) from None
    return text.zfill(14)


def gs1_key(gtin14: str) -> str:
    """The 13-digit GS1 key: the 14-digit form without its indicator digit."""
    return gtin14[1:]


def is_gtin8(gtin14: str) -> bool:
    """GS1 reserves keys 00000xxxxxxxx for GTIN-8 (no GS1 company prefix starts with 00000)."""
    return gtin14.startswith("000000")


def _declared_forms(prefix: str) -> list[str]:
    """GS1-key forms of a declared prefix: as given, and for a UPC company prefix (6-11 digits) '0' + it.

    GS1 US allocates UPC prefixes; the GS1 company prefix of UPC prefix 036000 is 0036000.
    """
    p = prefix.strip()
    if not _DIGITS.fullmatch(p):
        return []
    forms = [p]
    if 6 <= len(p) <= 11:
        forms.append("0" + p)
    return forms


def owning_prefix(gtin14: str, prefixes: Iterable[str]) -> str | None:
    """The longest declared prefix (in GS1-key form) that the GTIN's GS1 key starts with, or None.

    Declared prefixes of 6-11 digits also match as UPC company prefixes ('0' + prefix), so a
    participant declaring 036000 owns 00036000291452. Returns the matching GS1-key form.
    """
    key = gs1_key(gtin14)
    best: str | None = None
    for declared in prefixes:
        for form in _declared_forms(str(declared)):
            if key.startswith(form) and (best is None or len(form) > len(best)):
                best = form
    return best


def company_prefix_of(gtin14: str) -> str:
    """The GS1 company prefix to name in a 403 (GCP length table via biip).

    Falls back to the whole GTIN-8 (GS1-8 codes are allocated one by one) or, where GS1 publishes
    no GCP (restricted circulation, coupons...), to the first 7 digits of the GS1 key.
    """
    if is_gtin8(gtin14):
        return gtin14[6:13]
    try:
        parsed = Gtin.parse(gtin14)
    except ParseError:
        parsed = None
    if parsed is not None and parsed.company_prefix is not None:
        return parsed.company_prefix.value
    return gs1_key(gtin14)[:7]
