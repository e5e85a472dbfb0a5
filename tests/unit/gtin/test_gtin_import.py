import pytest

from models.gtin import (
    BadGtin,
    BadLine,
    BadPrefix,
    FileRecords,
    GtinError,
    ImportSpec,
    MultiError,
    Ok,
    Participant,
    map_line,
    pending_cdn_copies,
)

# GS1 Company Prefixes as GS1 lists them (UPC prefix 077000 is GCP 0077000; France 301234500001)
PANTRY = Participant(id="p1", type="brand", prefixes=("0077000", "0038000", "0041800", "301234500001",
                                                      "0000123"))
FR = Participant(id="u", type="retailer", prefixes=("336895", "325039"))

BODY = {
    "link": "s3://uploads/usda.csv", "delimiter": ",", "has_header": True, "gtin_field": "gtin_upc",
    "name": ["brand_name", "fdc_id"], "brand": "brand_owner",
    "conditions": {"language": "en", "country": "840"},
    "fields": [
        {"field": "ingredients", "title": "Ingredients", "position": 5},
        {"field": "branded_food_category", "title": "Category"},
        {"field": "gtin_upc", "action": "to_country", "title": "Registered in", "position": 0},
    ],
    "additional_widgets": [{"position": 1, "type": "text", "title": "Source", "value": "USDA"}],
}


def outcomes(path, body, participant, **kw):
    spec = ImportSpec.parse(body)
    reader = FileRecords(path, spec.delimiter, spec.has_header, quotechar=spec.quotechar)
    out = [map_line(spec, record, participant, line=line, **kw) for line, record in reader]
    spec.check_header(reader.header)
    return out


def test_spec_parse_defaults_and_normalisation():
    spec = ImportSpec.parse(BODY)
    assert spec.conditions == {"language": "en", "country": "840"}  # as given
    assert spec.name == ("brand_name", "fdc_id") and spec.brand == "brand_owner"
    assert spec.additional_widgets == ((1, {"text": {"title": "Source", "text": "USDA"}}),)
    assert spec.replace_included_conditions is False and spec.quotechar == '"'
    assert ImportSpec.parse({"link": "x", "gtin_field": "1", "name": "2", "quotechar": None,
                             "gpc_brick_field": "3"}).gpc_fields == {"gpc_brick": "3"}


def test_spec_errors_list_every_bad_field():
    with pytest.raises(MultiError) as err:
        ImportSpec.parse({"delimiter": ":", "has_header": "yes", "conditions": {"country": "FR"},
                          "fields": [{"field": "a", "widget": "video"}]})
    fields = {e.field for e in err.value.errors}
    assert {"link", "gtin_field", "delimiter", "has_header", "conditions.country", "fields[0].widget"} <= fields
    with pytest.raises(GtinError, match="copy_to_cdn"):
        ImportSpec.parse({"link": "x", "gtin_field": "g", "fields": [{"field": "img", "action": "copy_to_cdn"}]})
    with pytest.raises(GtinError, match="to_country only applies"):
        ImportSpec.parse({"link": "x", "gtin_field": "g", "fields": [{"field": "other", "action": "to_country"}]})
    with pytest.raises(GtinError, match="title, a widget or an action"):
        ImportSpec.parse({"link": "x", "gtin_field": "g", "fields": [{"field": "other"}]})
    with pytest.raises(GtinError, match="position"):
        ImportSpec.parse({"link": "x", "gtin_field": "g", "additional_widgets": [{"position": -1, "type": "text"}]})


def test_check_header():
    spec = ImportSpec.parse(BODY)
    spec.check_header(["fdc_id", "brand_owner", "brand_name", "gtin_upc", "ingredients", "branded_food_category"])
    with pytest.raises(GtinError) as err:
        spec.check_header(["gtin_upc", "ingredients"])
    assert "brand_owner" in err.value.reason and "fdc_id" in err.value.reason
    ImportSpec.parse({"link": "x", "gtin_field": "3"}).check_header(None)
    with pytest.raises(GtinError):
        ImportSpec.parse({"link": "x", "gtin_field": "gtin"}).check_header(None)


def test_usda_like_outcomes(fixtures):
    out = outcomes(fixtures / "usda_like_branded_food.csv", BODY, PANTRY)
    kinds = [type(o).__name__ for o in out]
    assert kinds == ["Ok", "Ok", "BadGtin", "Ok", "BadPrefix", "BadGtin", "BadGtin", "Ok", "Ok", "BadGtin"]
    first = out[0]
    assert first.gtin == "10038000123457" and first.line == 2
    assert first.name == "900001" and first.brand == "TRIBUTARY TEST FOODS INC."
    assert first.source["id"] == "p1" and first.source["type"] == "brand"
    assert first.source["conditions"] == {"language": "en", "country": "840"}
    assert [w["text"]["title"] for w in first.source["data"]] == ["Registered in", "Source", "Category", "Ingredients"]
    assert first.source["data"][0] == {"text": {"title": "Registered in", "text": "United States"}}
    assert out[1].name == "Example Pantry 900002"
    assert out[2] == BadGtin(4, "41800123452", out[2].reason) and "length" in out[2].reason
    assert out[3].source["data"][0]["text"]["text"] == "France"
    assert out[4] == BadPrefix(6, "00000040123455", "40123455")  # a GTIN-8 not assigned to p1
    assert "length" in out[5].reason and "check digit" in out[6].reason
    assert out[8].line == 10 and "TREE NUTS" in out[8].source["data"][-1]["text"]["text"]
    assert sum(isinstance(o, Ok) for o in out) == 5


def test_pad_gtin_recovers_lost_leading_zeros(fixtures):
    out = outcomes(fixtures / "usda_like_branded_food.csv", {**BODY, "pad_gtin": True}, PANTRY)
    assert out[2].gtin == "00041800123452" and isinstance(out[2], Ok)
    assert out[9].gtin == "00000123400053" and isinstance(out[9], Ok)
    assert isinstance(out[5], BadGtin)  # 5 digits: never padded


def test_semicolon_retailer_to_country_fr_and_images(fixtures):
    body = {"link": "x", "delimiter": ";", "gtin_field": "UGC_ean", "name": "UGC_libEcommerce",
            "brand": "UGC_libMarque", "conditions": {"language": "fr", "country": "250"},
            "fields": [{"field": "UGC_ean", "action": "to_country"},
                       {"field": "sku", "widget": "image", "action": "copy_to_cdn", "position": 9}]}
    out = outcomes(fixtures / "retailer_semicolon.csv", body, FR)
    assert [type(o).__name__ for o in out] == ["Ok", "Ok", "Ok", "BadGtin"]
    assert all(o.source["data"][0]["text"]["text"] == "France" for o in out[:3])
    assert out[1].name == "Cidre doux\r\nbrut ; 4,5°"
    assert pending_cdn_copies(out[0]) == [{"url": "1000001-3368954000017", "copy_to_cdn": True}]
    assert out[0].source["data"][-1] == {"image": [{"url": "1000001-3368954000017", "copy_to_cdn": True}]}
    assert out[3].gtin == "1,76701E+15" and "non-digit" in out[3].reason


def test_restricted_prefix_has_no_country_widget(fixtures):
    body = {"link": "x", "delimiter": "\t", "gtin_field": "code", "name": "product_name_fr",
            "fields": [{"field": "code", "action": "to_country"}, {"field": "product_name_fr", "title": "Nom"}]}
    out = outcomes(fixtures / "restricted_prefix_200.tsv", body, Participant("s", "gs1", system=True))
    assert [type(o).__name__ for o in out] == ["Ok", "BadGtin", "BadGtin"]
    assert out[0].source["data"] == [{"text": {"title": "Nom", "text": "Gâteau valide"}}]
    assert out[0].source["type"] == "gs1"  # system import: no prefix check


def test_off_like_tsv_without_quoting(fixtures):
    body = {"link": "x", "delimiter": "\t", "quotechar": None, "gtin_field": "code", "name": "product_name",
            "brand": "brands", "fields": [{"field": "image_url", "widget": "image"}]}
    owner = Participant("o", "brand", prefixes=("376000000", "8001234"), gtin8=("501",))
    out = outcomes(fixtures / "off_like_products.tsv", body, owner)
    assert [type(o).__name__ for o in out] == ["BadGtin", "Ok", "Ok", "Ok", "BadGtin", "BadGtin", "BadGtin"]
    assert out[1].name == 'Pâte "extra fine' and out[1].source["data"][0]["image"][0]["url"].endswith("front_fr.jpg")
    assert out[2].source["data"] == []  # empty image_url: no widget


def test_gpc_columns_and_widget_permissions():
    spec = ImportSpec.parse({"link": "x", "gtin_field": "g", "gpc_brick_field": "b", "gpc_class_field": "c",
                             "additional_widgets": [{"position": 0, "widget": {"type": "video", "url": "u"}}]})
    premium = Participant("p", "brand", prefixes=("301762",), product360=True)
    ok = map_line(spec, {"g": "3017620422003", "b": "10000188", "c": ""}, premium, line=2)
    assert isinstance(ok, Ok) and ok.gpc["gpc_segment"] == "50000000"
    bad = map_line(spec, {"g": "3017620422003", "b": "10000188", "c": "50131700"}, premium, line=3)
    assert isinstance(bad, BadLine) and "gpc_class" in bad.reason
    basic = Participant("p", "brand", prefixes=("301762",))
    denied = map_line(spec, {"g": "3017620422003", "b": "", "c": ""}, basic, line=4)
    assert isinstance(denied, BadLine) and "video" in denied.reason and "product360" in denied.reason
    assert map_line(spec, BadLine(7, "syntax: x"), basic, line=7) == BadLine(7, "syntax: x")
    assert isinstance(map_line(spec, {"x": "1"}, basic, line=8), BadLine)


def test_spec_fields_map_short_form_and_additional_widgets():
    """The specification's `fields` map (objects and the short form) and `additional_widgets`."""
    spec = ImportSpec.parse({
        "link": "x", "gtin_field": "GTIN", "name": ["Trade_Item_Description"],
        "fields": {"Brand": {"title": "Brand", "position": 1}, "GST_Reported_Date": "Date",
                   "GTIN": {"action": "to_country", "title": "Country of Barcode Registration",
                            "position": 4},
                   "Image": {"widget": "image", "position": 2}},
        "additional_widgets": [{"position": 3, "widgets": [
            {"certificates": {"title": "Certificates", "list": [{
                "img_url": "http://x/y.png", "gdti": "urn:epc:id:gdti:9212345.00002.009114953628221",
                "expired": False}]}},
            {"video": {"title": "Video", "url": "http://x/v.mp4", "preview": "http://x/p.png"}}]}]})
    assert [(f.field, f.title, f.widget, f.action, f.position) for f in spec.fields] == [
        ("Brand", "Brand", None, None, 1), ("GST_Reported_Date", "Date", None, None, None),
        ("GTIN", "Country of Barcode Registration", None, "to_country", 4),
        ("Image", None, "image", None, 2)]
    assert [(p, next(iter(w))) for p, w in spec.additional_widgets] == [(3, "certificates"), (3, "video")]
    premium = Participant("p", "brand", prefixes=("301762",), product360=True)
    ok = map_line(spec, {"GTIN": "3017620422003", "Brand": "Acme", "GST_Reported_Date": "2018-06-01",
                         "Image": "https://x/i.jpg", "Trade_Item_Description": "Spread"}, premium, line=2)
    # by position; no position = the field's index in the map; equal: additional widgets first
    assert [next(iter(w)) for w in ok.source["data"]] == ["text", "text", "image", "certificates",
                                                            "video", "text"]
    assert ok.source["data"][0] == {"text": {"title": "Brand", "text": "Acme"}}
    assert ok.source["data"][1] == {"text": {"title": "Date", "text": "2018-06-01"}}
    assert ok.source["data"][2] == {"image": [{"url": "https://x/i.jpg"}]}
    assert ok.source["data"][-1] == {"text": {"title": "Country of Barcode Registration",
                                              "text": "France"}}
    with pytest.raises(GtinError, match="unknown widget kind"):
        ImportSpec.parse({"link": "x", "gtin_field": "g", "additional_widgets": [
            {"position": 1, "widgets": [{"hologram": {}}]}]})


def test_empty_gtin_is_reported_as_null():
    spec = ImportSpec.parse({"link": "x", "gtin_field": "g"})
    assert map_line(spec, {"g": "  "}, PANTRY, line=5) == BadGtin(5, None, "missing")
