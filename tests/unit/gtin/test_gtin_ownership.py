"""GS1 ownership: the Company Prefix is found from the GTIN (GS1's length list), never by
"0" + a declared prefix; closed ranges belong to nobody; GTIN-8s are assigned one by one."""
import pytest

from models.gtin import GtinError, check_gtin8, check_prefix, normalise_gtin, prefix_of, refusal
from models.gtin.gs1 import company_prefix


def owns(gtin: str, prefixes=(), gtin8=(), system=False) -> bool:
    return refusal(normalise_gtin(gtin), prefixes, gtin8, system=system) is None


def test_company_prefix_from_the_gtin():
    assert company_prefix("3017620422003") == "301762"
    assert company_prefix("0036000291452") == "0036000"
    assert company_prefix("9780996791304") == "97809967913"  # ISBN: 978 + group 0 + publisher
    assert prefix_of(normalise_gtin("96385074")) == "96385074"  # GTIN-8: the code itself


def test_australian_prefix_does_not_own_a_us_gtin12():
    """The ownership leak: 9300675 owned 930067512348 through '0' + prefix."""
    assert owns("9300675123488", ["9300675"])
    assert not owns("930067512348", ["9300675"])
    refused = refusal(normalise_gtin("930067512348"), ["9300675"])
    assert refused.closed is None and refused.prefix == "0930067"


def test_only_the_listed_company_prefix_owns():
    assert not owns("3017620422003", ["30176"])  # shorter than GS1's length at 301762
    assert not owns("3017620422003", ["3017620"])
    assert owns("10038000123457", ["0038000"])  # GTIN-14: indicator digit dropped
    assert owns("036000291452", ["0036000"]) and not owns("036000291452", ["036000"])


@pytest.mark.parametrize("gtin,prefix", [
    ("2001234567893", "200"), ("0212345678909", "021"), ("0412345678903", "041"),
    ("9812345678902", "981"), ("9912345678909", "99"), ("9800000000005", "980"),
    ("00000026013992", "260"),  # the spec's example GTIN: a restricted GTIN-8
])
def test_closed_ranges_refused_but_a_system_participant_holds_them(gtin, prefix):
    gtin = gtin[:-1] + str(__import__("stdnum.ean", fromlist=["x"]).calc_check_digit(gtin[:-1]))
    refused = refusal(normalise_gtin(gtin), [gtin[:7]], [gtin[-8:]])
    assert refused is not None and refused.closed is not None and refused.closed.prefix == prefix
    assert prefix in refused.message and "system participant" in refused.message
    assert owns(gtin, system=True)


def test_gtin8_individually_or_through_gs1_8_prefix():
    assert owns("96385074", gtin8=["96385074"]) and owns("96385074", gtin8=["963"])
    assert not owns("96385074", prefixes=["9638507"]) and not owns("96385074")


def test_books_and_serials_are_ordinary_items():
    assert owns("9780996791304", ["97809967913"]) and not owns("9780996791304", ["978"])
    assert owns("9771234567003", ["9771234567"])
    # a serial's prefix is 977 + its ISSN's 7 digits: a shorter one owns no other title
    assert not owns("9771234567003", ["977123456"]) and not owns("9771234567003", ["9771"])
    assert company_prefix("9771234567003") == prefix_of(normalise_gtin("9771234567003")) == "9771234567"


@pytest.mark.parametrize("prefix,problem", [
    ("930067", "7-digit"), ("036000", "0036000"), ("2001234", "200"), ("9912345", "coupon"),
    ("12", "4 to 12"), ("00000123", "GTIN-8"), ("abc1234", "4 to 12"), ("9771", "ISSN"),
    ("97712345678", "ISSN"),
])
def test_declared_prefixes_checked(prefix, problem):
    with pytest.raises(GtinError, match=problem):
        check_prefix(prefix)


def test_declared_prefixes_accepted():
    assert check_prefix(" 9300675 ") == "9300675"
    assert check_prefix("0036000") == "0036000"
    assert check_prefix("2001234", system=True) == "2001234"
    assert check_gtin8("96385074") == "96385074" and check_gtin8("963") == "963"
    with pytest.raises(GtinError, match="check digit"):
        check_gtin8("96385075")
    with pytest.raises(GtinError, match="260"):
        check_gtin8("26013992")
