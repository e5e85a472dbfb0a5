import gzip
import io

import pytest

from models.gtin import GtinError, default_hierarchy, load_gpc_xml, parse_gpc_xml, resolve_gpc

XML = b"""<?xml version="1.0" encoding="utf-8"?>
<schema languageCode="EN" dateUtc="1/6/2026">
  <segment code="50000000" text="Food/Beverage" definition="" active="true">
    <family code="50130000" text="Milk/Butter/Cream" definition="" active="true">
      <class code="50132000" text="Cream/Cream Substitutes" definition="" active="true">
        <brick code="10000188" text="Cream (Frozen)" definition="" active="true" definitionExcludes="">
          <attType code="20000142" text="If Organic" definition="" active="true">
            <attValue code="30002960" text="NO" definition="" active="true" />
            <attValue code="30002654" text="YES" definition="" active="true" />
          </attType>
        </brick>
        <brick code="10099999" text="Retired" definition="" active="false" />
      </class>
    </family>
  </segment>
</schema>"""


def test_brick_fills_class_family_segment():
    assert resolve_gpc({"gpc_brick": "10000188"}) == {
        "gpc_brick": "10000188", "gpc_class": "50132000", "gpc_family": "50130000", "gpc_segment": "50000000"}
    assert resolve_gpc({"gpc_brick": 10000188, "gpc_segment": "50000000"})["gpc_class"] == "50132000"


def test_nothing_given_gives_nothing():
    assert resolve_gpc({}) == {}
    assert resolve_gpc({"gpc_brick": "", "gpc_class": None}) == {}


def test_class_alone_fills_family_and_segment():
    assert resolve_gpc({"gpc_class": "50132000"}) == {
        "gpc_class": "50132000", "gpc_family": "50130000", "gpc_segment": "50000000"}


def test_unknown_brick():
    with pytest.raises(GtinError) as err:
        resolve_gpc({"gpc_brick": "19999999"})
    assert err.value.field == "gpc_brick" and "unknown" in err.value.reason


def test_class_code_given_as_brick_is_unknown_brick():
    with pytest.raises(GtinError, match="unknown GPC brick"):
        resolve_gpc({"gpc_brick": "50132000"})


@pytest.mark.parametrize("field,value", [
    ("gpc_class", "50131700"), ("gpc_family", "50180000"), ("gpc_segment", "70000000")])
def test_inconsistent_with_brick(field, value):
    with pytest.raises(GtinError) as err:
        resolve_gpc({"gpc_brick": "10000188", field: value})
    assert err.value.field == field


@pytest.mark.parametrize("value", ["1000018", "abcdefgh", 1.5, True])
def test_malformed_code(value):
    with pytest.raises(GtinError, match="8-digit"):
        resolve_gpc({"gpc_brick": value})


def test_brick_attributes_checked_against_known_brick():
    h = default_hierarchy()
    assert "10000155" in h.brick_attributes  # linked by the 2024 XML excerpt
    assert h.check_brick_attributes("10000155", {"20000142": "30002654"}) == {"20000142": "30002654"}
    with pytest.raises(GtinError, match="not an attribute of brick"):
        h.check_brick_attributes("10000155", {"20000001": "30002654"})
    with pytest.raises(GtinError, match="not a value of attribute"):
        h.check_brick_attributes("10000155", {"20000142": "30000252"})


def test_brick_attributes_without_links_use_the_code_lists():
    h = default_hierarchy()
    brick = "10001682"  # artists accessory: no links in the shipped data
    assert brick not in h.brick_attributes
    assert h.check_brick_attributes(brick, {20000001: 30002518}) == {"20000001": "30002518"}
    with pytest.raises(GtinError, match="unknown GPC attribute type"):
        h.check_brick_attributes(brick, {"29999999": "30002518"})
    with pytest.raises(GtinError, match="unknown GPC attribute value"):
        h.check_brick_attributes(brick, {"20000001": "39999999"})
    with pytest.raises(GtinError, match="needs gpc_brick"):
        h.check_brick_attributes(None, {"20000001": "30002518"})
    assert h.check_brick_attributes(None, {}) == {}


def test_parse_xml_publication(tmp_path):
    h = parse_gpc_xml(io.BytesIO(XML))
    assert h.resolve({"gpc_brick": "10000188"})["gpc_segment"] == "50000000"
    assert h.brick_attributes["10000188"] == {"20000142": frozenset({"30002960", "30002654"})}
    assert "10099999" not in h.level  # inactive bricks are dropped
    path = tmp_path / "gpc.xml.gz"
    path.write_bytes(gzip.compress(XML))
    assert load_gpc_xml(path).title["10000188"] == "Cream (Frozen)"


def test_xml_refuses_doctype_and_entities():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE schema [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<schema><segment code="50000000" text="&b;"/></schema>')
    with pytest.raises(GtinError, match="DOCTYPE"):
        parse_gpc_xml(io.BytesIO(bomb))
    external = b'<?xml version="1.0"?><!DOCTYPE schema SYSTEM "http://127.0.0.1:9/x.dtd"><schema/>'
    with pytest.raises(GtinError, match="DOCTYPE"):
        parse_gpc_xml(io.BytesIO(external))


def test_xml_size_cap_and_bad_structure():
    with pytest.raises(GtinError, match="larger than"):
        parse_gpc_xml(io.BytesIO(XML), max_bytes=100)
    with pytest.raises(GtinError, match="malformed"):
        parse_gpc_xml(io.BytesIO(b"<schema><segment code='50000000'>"))
    with pytest.raises(GtinError, match="unexpected <brick>"):
        parse_gpc_xml(io.BytesIO(b"<schema><segment code='50000000' text='x'><brick code='10000188'/></segment></schema>"))
    with pytest.raises(GtinError, match="8-digit code"):
        parse_gpc_xml(io.BytesIO(b"<schema><segment code='5000' text='x'/></schema>"))
    with pytest.raises(GtinError, match="no GPC segment"):
        parse_gpc_xml(io.BytesIO(b"<schema/>"))


def test_operator_publication_overlays_default():
    from models.gtin import GpcHierarchy
    h = GpcHierarchy()
    h.update(default_hierarchy())
    newer = parse_gpc_xml(io.BytesIO(XML.replace(b"10099999", b"10088888").replace(b'active="false"', b'active="true"')))
    h.update(newer)
    assert h.resolve({"gpc_brick": "10088888"})["gpc_class"] == "50132000"
    assert "10088888" not in default_hierarchy().level  # the shared default is not mutated
