import pytest

from models.gtin import GtinError, parse_gdti_urn


def test_valid_gdti_urn():
    g = parse_gdti_urn("urn:epc:id:gdti:0614141.12345.400")
    assert (g.company_prefix, g.document_type, g.serial) == ("0614141", "12345", "400")
    assert g.gdti13 == "0614141123452"  # TDS example GDTI 0614141123452 + serial 400
    assert g.element_string == "(253)0614141123452400"


def test_serial_escapes_and_twelve_digit_prefix():
    assert parse_gdti_urn("urn:epc:id:gdti:061414112345..A%2Fb-1").serial == "A/b-1"
    assert parse_gdti_urn("urn:epc:id:gdti:0614141.12345.a.b").serial == "a.b"


@pytest.mark.parametrize("urn,reason", [
    ("urn:epc:id:sgtin:0614141.12345.400", "must start with"),
    ("urn:epc:id:gdti:0614141.12345", "CompanyPrefix.DocType.Serial"),
    ("urn:epc:id:gdti:06141A1.12345.400", "company prefix"),
    ("urn:epc:id:gdti:06141.1234567.400", "company prefix"),
    ("urn:epc:id:gdti:0614141.1234X.400", "document type"),
    ("urn:epc:id:gdti:0614141.1234.400", "12 digits"),
    ("urn:epc:id:gdti:0614141.12345.", "serial"),
    ("urn:epc:id:gdti:0614141.12345.a b", "serial"),
    ("urn:epc:id:gdti:0614141.12345.a/b", "serial"),
    ("urn:epc:id:gdti:0614141.12345.é", "serial"),
    ("urn:epc:id:gdti:0614141.12345.%41", "serial"),  # only " % & / < > ? may be escaped
    ("urn:epc:id:gdti:0614141.12345.123456789012345678", "longer than 17"),
    (None, "must start with"),
])
def test_invalid_gdti_urn(urn, reason):
    with pytest.raises(GtinError) as err:
        parse_gdti_urn(urn)
    assert reason in err.value.reason
    assert err.value.field == "gdti"


def test_serial_length_counts_decoded_characters():
    assert parse_gdti_urn("urn:epc:id:gdti:0614141.12345." + "%2F" * 17).serial == "/" * 17
