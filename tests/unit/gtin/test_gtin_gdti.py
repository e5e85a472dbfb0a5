import pytest

from models.gtin import GtinError, parse_gdti_urn


def test_valid_gdti_urn():
    g = parse_gdti_urn("urn:epc:id:gdti:0614141.12345.400")
    assert (g.company_prefix, g.document_type, g.serial) == ("0614141", "12345", "400")
    assert g.gdti13 == "0614141123452"  # TDS example GDTI 0614141123452 + serial 400
    assert g.element_string == "(253)0614141123452400"


def test_serial_escapes_and_twelve_digit_prefix():
    assert parse_gdti_urn("urn:epc:id:gdti:921234567890..A%2Fb-1").serial == "A/b-1"
    with pytest.raises(GtinError, match="7-digit"):  # GS1 lists 0614141 as a 7-digit prefix
        parse_gdti_urn("urn:epc:id:gdti:061414112345..A")
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


def test_element_string_with_check_digit():
    from models.gtin import parse_gdti
    g = parse_gdti("(253)0614141123452400")
    assert (g.company_prefix, g.document_type, g.serial) == ("0614141", "12345", "400")
    assert parse_gdti("2530614141123452").serial == ""
    assert parse_gdti("urn:epc:id:gdti:9212345.00001.008113943527211").gdti13 == "9212345000015"


@pytest.mark.parametrize("value,reason", [
    ("(253)0614141123453400", "invalid check digit: expected 2"),
    ("(253)061414112345", "13 digits"),
    ("(253)0614141123452" + "x" * 18, "serial"),
    ("(253)0614141123452a b", "serial"),
    ("urn:epc:id:gdti:061414.112345.400", "7-digit Company Prefixes"),  # GS1 lists 0614141
    ("0614141123452", "must start with"),
])
def test_invalid_gdti_forms(value, reason):
    from models.gtin import parse_gdti
    with pytest.raises(GtinError) as err:
        parse_gdti(value)
    assert reason in err.value.reason
