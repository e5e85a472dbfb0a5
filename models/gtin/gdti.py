"""GDTIs (Global Document Type Identifiers) in their two written forms: the EPC pure-identity URN
urn:epc:id:gdti:CompanyPrefix.DocType.Serial (EPC Tag Data Standard §6.3.9) and the GS1 element
string (253)GDTI-13[serial] whose 13th digit is a GS1 check digit (GS1 General Specifications
§3.5.7). Where GS1 lists the Company Prefix length of the range, the URN's prefix must have it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from biip.checksums import gs1_standard_check_digit

from models.gtin.errors import GtinError
from models.gtin.gs1 import gcp_length

_PREFIX = "urn:epc:id:gdti:"
# Serial: GS1 AI 253 characters (CSET 82); in the URN " % & / < > ? are %-escaped (TDS §5.3).
_URN_SERIAL = re.compile(r"(?:[A-Za-z0-9\-_.!'()*+,:;=]|%(?:22|25|26|2F|3C|3E|3F))+", re.IGNORECASE)
_SERIAL_MAX = 17
_ELEMENT = re.compile(r"^(?:\(253\)|253)([0-9]{13})(.*)$", re.DOTALL)
# GS1 AI 253 serial characters (CSET 82), unescaped
_SERIAL = re.compile(r"[A-Za-z0-9!\"%&'()*+,\-./:;<=>?_]{0,17}")


@dataclass(frozen=True)
class Gdti:
    company_prefix: str
    document_type: str
    serial: str  # decoded
    gdti13: str  # company prefix + document type + check digit

    @property
    def element_string(self) -> str:
        """GS1 element string (253)<gdti13><serial>."""
        return f"(253){self.gdti13}{self.serial}"


def parse_gdti_urn(urn: object, field: str = "gdti") -> Gdti:
    """Validate a GDTI URN; GtinError says which part is wrong."""
    if not isinstance(urn, str) or not urn.startswith(_PREFIX):
        raise GtinError(field, f"must start with {_PREFIX}")
    parts = urn[len(_PREFIX):].split(".", 2)
    if len(parts) != 3:
        raise GtinError(field, "expected CompanyPrefix.DocType.Serial")
    company, doc_type, serial = parts
    if not (company.isascii() and company.isdigit()) or not 6 <= len(company) <= 12:
        raise GtinError(field, "company prefix must be 6 to 12 digits", value=company)
    if not (doc_type.isascii() and doc_type.isdigit()) and doc_type != "":
        raise GtinError(field, "document type must be digits", value=doc_type)
    if len(company) + len(doc_type) != 12:
        raise GtinError(field, "company prefix + document type must be 12 digits")
    if not _URN_SERIAL.fullmatch(serial):
        raise GtinError(field, "serial is empty or has characters outside GS1 AI 253 (CSET 82)", value=serial)
    decoded = unquote(serial)
    if len(decoded) > _SERIAL_MAX:
        raise GtinError(field, f"serial longer than {_SERIAL_MAX} characters", value=decoded)
    payload = company + doc_type
    listed = gcp_length(payload + "0")
    if listed and listed != len(company):
        raise GtinError(field, f"GS1 lists {listed}-digit Company Prefixes at {payload[:listed]}, "
                        f"not {len(company)} digits", value=company)
    return Gdti(company, doc_type, decoded, payload + str(gs1_standard_check_digit(payload)))


def parse_gdti_element(value: object, field: str = "gdti") -> Gdti:
    """Validate a GDTI element string "(253)" + 13 digits (check digit last) + serial."""
    found = _ELEMENT.match(value) if isinstance(value, str) else None
    if found is None:
        raise GtinError(field, "a GDTI element string is (253) + 13 digits + an optional serial")
    gdti13, serial = found.groups()
    expected = str(gs1_standard_check_digit(gdti13[:12]))
    if gdti13[12] != expected:
        raise GtinError(field, f"invalid check digit: expected {expected}, got {gdti13[12]}",
                        value=gdti13)
    if not _SERIAL.fullmatch(serial):
        raise GtinError(field, f"serial has characters outside GS1 AI 253 (CSET 82) or is longer "
                        f"than {_SERIAL_MAX}", value=serial)
    length = gcp_length(gdti13) or 7
    return Gdti(gdti13[:length], gdti13[length:12], serial, gdti13)


def parse_gdti(value: object, field: str = "gdti") -> Gdti:
    """A GDTI in either written form: the EPC URN or the GS1 element string."""
    if isinstance(value, str) and value.startswith(_PREFIX):
        return parse_gdti_urn(value, field)
    if isinstance(value, str) and value.startswith(("(253)", "253")):
        return parse_gdti_element(value, field)
    raise GtinError(field, f"must start with {_PREFIX} (a URN) or (253) (an element string)",
                    value=value)
