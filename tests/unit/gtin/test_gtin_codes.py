import pytest

from models.gtin import GtinError, normalise_gtin


@pytest.mark.parametrize("code,expected", [
    ("036000291452", "00036000291452"),  # GTIN-12 / UPC-A
    ("3017620422003", "03017620422003"),  # GTIN-13
    ("96385074", "00000096385074"),  # GTIN-8
    ("10038000123457", "10038000123457"),  # GTIN-14
    (" 3017620422003 ", "03017620422003"),
])
def test_normalise_valid(code, expected):
    assert normalise_gtin(code) == expected


@pytest.mark.parametrize("code,reason", [
    ("03600029145X", "non-digit"),
    ("3017-620422003", "non-digit"),
    ("３０１７６２０４２２００３", "non-digit"),  # full-width digits are not GS1 digits
    ("30176204220", "invalid length"),  # 11
    ("301762042200312", "invalid length"),  # 15
    ("036000291453", "invalid check digit"),
    ("3017620422004", "invalid check digit"),
    ("", "missing"),
    (None, "missing"),
])
def test_normalise_invalid_says_which_rule(code, reason):
    with pytest.raises(GtinError) as err:
        normalise_gtin(code)
    assert err.value.reason.startswith(reason)
    assert err.value.field == "gtin"
    assert isinstance(err.value, ValueError)


def test_short_codes_never_valid_even_if_padding_fits():
    # "0000" + "1236" would pass the mod-10 check as a GTIN-8, but 4 digits is never a GTIN
    assert normalise_gtin("00001236") == "00000000001236"
    with pytest.raises(GtinError, match="invalid length"):
        normalise_gtin("1236")
    with pytest.raises(GtinError, match="invalid length"):
        normalise_gtin("0001236")


def test_a_base_gtin_printed_with_its_add_on():
    from models.gtin.codes import split_add_on

    assert split_add_on("0978099679130451") == ("09780996791304", "51")     # the spec's example
    assert split_add_on("978099679130412345") == ("09780996791304", "12345")  # EAN-13 + EAN-5
    assert split_add_on("09780996791304") == ("09780996791304", None)          # a GTIN is a GTIN
    with pytest.raises(GtinError, match="invalid length"):
        split_add_on("0978099679130551")                                       # no GTIN before it
