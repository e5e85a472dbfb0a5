"""GTIN normalisation (GS1 General Specifications §3.3.2) with biip's GS1 check digit;
ownership is in ownership.py."""
from __future__ import annotations

import re

from biip.checksums import gs1_standard_check_digit

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
    if gs1_standard_check_digit(text[:-1]) != int(text[-1]):
        raise GtinError(field, "invalid check digit", value=text)
    return text.zfill(14)


ADD_ON_LENGTHS = (2, 5)  # EAN-2 / EAN-5 supplements (GS1 General Specifications §5.2.3.3)


def split_add_on(value: object, field: str = "id") -> tuple[str, str | None]:
    """A base GTIN written with its printed add-on (`0978099679130451`: GTIN-14 `09780996791304`
    and supplement `51`): the 14-digit GTIN and the add-on. The add-on is no part of the GTIN,
    so only a code that is no GTIN itself but a valid GTIN-13/14 followed by 2 or 5 digits is
    read this way; anything else is judged by normalise_gtin (and its error stands)."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if _DIGITS.fullmatch(text) and len(text) not in GTIN_LENGTHS:
        for extra in ADD_ON_LENGTHS:
            head = text[:-extra]
            if len(head) in (13, 14) and gs1_standard_check_digit(head[:-1]) == int(head[-1]):
                return head.zfill(14), text[-extra:]
    return normalise_gtin(value, field), None


def gs1_key(gtin14: str) -> str:
    """The 13-digit GS1 key: the 14-digit form without its indicator digit."""
    return gtin14[1:]


def is_gtin8(gtin14: str) -> bool:
    """GS1 reserves keys 00000xxxxxxxx for GTIN-8 (no GS1 company prefix starts with 00000)."""
    return gtin14.startswith("000000")
