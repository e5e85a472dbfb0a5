"""GDTI attachments are validated in both written forms, the element string's check digit
included (HTTP → store)."""
from __future__ import annotations

import pytest

from tests.support.participants import BASE

URN = "urn:epc:id:gdti:9212345.00001.008113943527211"  # the specification's example
ELEMENT = "(253)0614141123452400"                        # GS1's example, check digit 2


def attachments(body) -> list:
    """The attachments answered: the spec's bare list, or an object holding it."""
    return body if isinstance(body, list) else body["attachments"]


async def test_urn_and_element_string_are_attached(brand_a, item):
    add = f"{BASE}/gtins/{item['id']}/attachments/add"
    status, body, _ = await brand_a.api.post(add, json={"attachments": [URN, ELEMENT]})
    assert status == 200, body
    assert attachments(body) == [URN, ELEMENT]


@pytest.mark.parametrize("gdti,problem", [
    ("(253)0614141123453400", "check digit"),
    ("urn:epc:id:gdti:061414.112345.400", "7-digit"),
    ("0614141123452", "must start with"),
])
async def test_invalid_gdtis_are_400_saying_why(brand_a, item, gdti, problem):
    add = f"{BASE}/gtins/{item['id']}/attachments/add"
    status, err, _ = await brand_a.api.post(add, json={"attachments": [gdti]})
    assert status == 400 and err["code"] == "invalid_gdti", err
    assert problem in err["errors"][0]["problem"] and err["errors"][0]["field"] == "attachments[0]"
