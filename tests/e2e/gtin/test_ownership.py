"""GS1 ownership end to end (HTTP → store, and HTTP → Kafka → import agent → store): the Company
Prefix is found from the GTIN, never matched as "0" + a declared prefix; restricted-circulation
and coupon ranges are refused for ordinary participants with a 400 naming the range."""
from __future__ import annotations

import random
import secrets
import subprocess
import sys

import pytest
from stdnum import ean

from tests.e2e.gtin.conftest import _participant
from tests.e2e.gtin_import.conftest import upload, wait_task
from tests.support.participants import BASE

_rng = random.Random()


def _gtin(body: str, length: int) -> str:
    body += "".join(str(_rng.randint(0, 9)) for _ in range(length - 1 - len(body)))
    return body + ean.calc_check_digit(body)


@pytest.fixture(scope="module")
def aussie(stack):
    """Prefix 9300675 (GS1 Australia), as in issue 17."""
    return _participant(stack, "brand", prefixes=("9300675",))


async def test_australian_prefix_does_not_own_a_us_gtin12(aussie):
    leak = _gtin("930067", 12)  # GS1 key 0930067…: GS1 US, another company
    status, err, _ = await aussie.api.post(f"{BASE}/gtins", json={"id": leak, "name": "Not mine"})
    assert status == 403 and err["code"] == "prefix_not_owned", err
    assert err["prefix"] == "0930067"
    own = _gtin("9300675", 13)
    status, doc, _ = await aussie.api.post(f"{BASE}/gtins", json={"id": own, "name": "Mine"})
    assert status == 201 and doc["owner"] == aussie.urn, doc


@pytest.mark.parametrize("body,length,prefix", [
    ("200", 13, "200"), ("02", 13, "02"), ("04", 13, "04"), ("981", 13, "981"),
    ("984", 13, "984"), ("99", 13, "99"), ("00000026013992", 14, "260"),
])
async def test_restricted_and_coupon_ranges_are_400_naming_the_range(brand_a, body, length, prefix):
    gtin = _gtin(body, length) if length == 13 else body  # the spec's example GTIN-8
    status, err, _ = await brand_a.api.post(f"{BASE}/gtins", json={"id": gtin})
    assert status == 400 and err["code"] == "restricted_range", err
    assert err["range"].startswith(f"GS1 prefix {prefix}") and prefix in err["detail"]
    assert "system participant" in err["detail"]


async def test_a_system_participant_holds_restricted_gtins(system):
    gtin8 = _gtin("2", 8)  # a restricted-circulation GTIN-8, like the spec's 00000026013992
    status, doc, _ = await system.api.post(f"{BASE}/gtins", json={"id": gtin8, "name": "RCN"})
    assert status == 201 and doc["id"] == "000000" + gtin8 and doc["owner"] == system.urn, doc


async def test_gtin8_assigned_one_by_one(stack):
    code = _gtin("963", 8)
    who = _participant(stack, "brand", "--gtin8", code, prefixes=())
    status, doc, _ = await who.api.post(f"{BASE}/gtins", json={"id": code})
    assert status == 201 and doc["owner"] == who.urn, doc
    other = _gtin("963", 8)
    status, err, _ = await who.api.post(f"{BASE}/gtins", json={"id": other})
    assert status == 403 and err["prefix"] == other


@pytest.mark.parametrize("prefix,problem", [
    ("930067", "7-digit"), ("036000", "0036000"), ("2001234", "200"), ("99123", "coupon")])
def test_declared_prefixes_are_validated(stack, prefix, problem):
    out = subprocess.run([sys.executable, "-m", "tributary", "--data-dir", str(stack.data_dir),
                          "participant", "create", "--id", f"urn:test:bad:{secrets.token_hex(4)}",
                          "--type", "brand", "--prefix", prefix], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and problem in out.stderr, out


async def test_import_applies_the_same_rules(aussie):
    own, leak, coupon = _gtin("9300675", 13), _gtin("930067", 12), _gtin("99", 13)
    link = await upload(aussie, f"gtin,name\n{own},Mine\n{leak},Not mine\n{coupon},Coupon\n")
    status, answer, _ = await aussie.api.post(f"{BASE}/import/tasks", json={
        "link": link, "delimiter": ",", "gtin_field": "gtin", "name": ["name"]})
    assert status == 200, answer
    task = await wait_task(aussie.api, answer["id"])
    assert task["status"] == "done" and task["counts"]["bad_prefixes"] == 2, task
    bad = {(e["line"], e["prefix"]) for e in task["bad_prefixes"]}
    assert bad == {(3, "0930067"), (4, "99")}
    status, _, _ = await aussie.api.get(f"{BASE}/description?id={leak}")
    assert status == 404


async def test_books_serials_and_gs1_8_prefixes_through_their_own_prefixes(stack):
    """A book is owned through its ISBN publisher's prefix (978 + group + registrant), a serial
    through 977 + its ISSN, a GTIN-8 through a GS1-8 prefix: each names what the participant
    lacks when it is another's."""
    issn = "".join(str(_rng.randint(0, 9)) for _ in range(7))
    who = _participant(stack, "brand", "--gtin8", "9631",
                       prefixes=("97814028", f"977{issn}"))
    book, other_book = _gtin("97814028", 13), _gtin("97814027", 13)
    serial, other_serial = _gtin(f"977{issn}", 13), _gtin(f"977{issn[:6]}{(int(issn[6]) + 1) % 10}", 13)
    gtin8, other_gtin8 = _gtin("9631", 8), _gtin("9632", 8)
    for gtin in (book, serial, gtin8):
        status, doc, _ = await who.api.post(f"{BASE}/gtins", json={"id": gtin})
        assert status == 201 and doc["owner"] == who.urn, (gtin, doc)
    for gtin, prefix in ((other_book, "97814027"), (other_serial, other_serial[:10]),
                         (other_gtin8, other_gtin8)):
        status, err, _ = await who.api.post(f"{BASE}/gtins", json={"id": gtin})
        assert status == 403 and err["prefix"] == prefix, (gtin, err)
