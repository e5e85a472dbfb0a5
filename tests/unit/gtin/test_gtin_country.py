import pytest

from models.gtin import country_of_registration, normalise_gtin


@pytest.mark.parametrize("code,numeric,alpha2", [
    ("036000291452", "840", "US"),
    ("3017620422003", "250", "FR"),
    ("3760000000017", "250", "FR"),
    ("8001234000011", "380", "IT"),
    ("930000000000?", "036", "AU"),
    ("893000000000?", "704", "VN"),  # upstream table says "VD"
    ("50123452", "826", "GB"),  # GTIN-8 of GS1 UK
    ("40123455", "276", "DE"),  # GTIN-8 of GS1 Germany
])
def test_country_of_registration(code, numeric, alpha2):
    from stdnum.ean import calc_check_digit
    if code.endswith("?"):
        code = code[:-1] + calc_check_digit(code[:-1])
    reg = country_of_registration(normalise_gtin(code))
    assert reg is not None
    assert (reg.numeric, reg.alpha2) == (numeric, alpha2)


@pytest.mark.parametrize("payload", [
    "020000000000", "029999999999",  # restricted, region
    "040000000000", "049999999999",  # restricted, company
    "200000000000", "250000000000", "299999999999",  # restricted, region
    "977000000000", "978000000000", "979000000000",  # ISSN / ISBN / ISMN
    "980000000000", "981000000000", "990000000000", "999999999999",  # refunds, coupons
    "950000000000", "951000000000", "952000000000", "960000000000", "965000000000",  # Global Office, GTIN-8
    "610000000000", "614000000000", "623000000000",  # centrally managed
    "540000000000", "549000000000",  # Belgium & Luxembourg: two countries
    "612000000000", "894000000000",  # sources disagree
    "381000000000",  # Kosovo has no ISO 3166 code
    "000000000000", "000001000000",  # RCN / kept free for GTIN-8
])
def test_no_country_ranges(payload):
    from stdnum.ean import calc_check_digit
    gtin = normalise_gtin(payload + calc_check_digit(payload))
    assert country_of_registration(gtin) is None


@pytest.mark.parametrize("gtin8_payload", ["0123456", "1234567", "2001234", "9601234", "9771234"])
def test_gtin8_restricted_and_global_office_have_no_country(gtin8_payload):
    from stdnum.ean import calc_check_digit
    gtin = normalise_gtin(gtin8_payload + calc_check_digit(gtin8_payload))
    assert country_of_registration(gtin) is None
