import pytest

from models.gtin import (GtinError, Participant, SourceNotFound, check_widgets, delete_source, merge_sources,
                         normalise_conditions, replace_included)

ALICE = Participant(id="alice", type="brand", prefixes=("301762",))
BOB = Participant(id="bob", type="retailer", product360=True)
GS1 = Participant(id="gs1-system", type="gs1", system=True)


def text(value):
    return [{"type": "text", "title": "t", "value": value}]


def test_conditions_normalised_and_validated():
    assert normalise_conditions({"language": "EN", "country": ["250", "036", "250"]}) == {
        "language": ["en"], "country": ["036", "250"]}
    assert normalise_conditions(None) == {"language": [], "country": []}
    for bad, field, value in [({"language": ["en", "xx"]}, "conditions.language", "xx"),
                              ({"language": "eng"}, "conditions.language", "eng"),
                              ({"country": "36"}, "conditions.country", "36"),
                              ({"country": ["036", "999"]}, "conditions.country", "999"),
                              ({"country": "AU"}, "conditions.country", "AU")]:
        with pytest.raises(GtinError) as err:
            normalise_conditions(bad)
        assert err.value.field == field and repr(value) in err.value.reason
    with pytest.raises(GtinError, match="unknown condition"):
        normalise_conditions({"region": "eu"})
    with pytest.raises(GtinError, match="string or a list"):
        normalise_conditions({"country": 36})


def test_widgets_without_product360_name_the_disallowed_types():
    ok = [{"type": "text", "value": "x"}, {"type": "image", "url": "https://x/y.jpg"}, {"type": "nutrition_info"}]
    assert check_widgets(ok, product360=False) == ok
    bad = ok + [{"type": "video", "url": "u"}, {"type": "link", "url": "u"}, {"type": "certificates"}]
    with pytest.raises(GtinError) as err:
        check_widgets(bad, product360=False)
    assert "certificates, link, video" in err.value.reason and "product360" in err.value.reason
    assert check_widgets(bad, product360=True) == bad
    with pytest.raises(GtinError, match="unknown widget type"):
        check_widgets([{"type": "hologram"}], product360=True)
    with pytest.raises(GtinError, match="needs a string 'url'"):
        check_widgets([{"type": "image"}], product360=False)


def test_merge_replaces_same_conditions_and_keeps_others():
    doc = merge_sources([], ALICE, [{"conditions": {"language": "en"}, "data": text("a1")}])
    doc = merge_sources(doc, BOB, [{"conditions": {"language": ["en"]}, "data": text("b1")}])
    assert [(s["id"], s["type"]) for s in doc] == [("alice", "brand"), ("bob", "retailer")]
    doc = merge_sources(doc, ALICE, [{"conditions": {"language": "en"}, "data": text("a2")},
                                      {"conditions": {"country": "250"}, "data": text("a3")}])
    assert [s["data"][0]["value"] for s in doc] == ["a2", "b1", "a3"]  # replaced in place, new appended
    assert doc[1] == {"id": "bob", "type": "retailer", "conditions": {"language": ["en"], "country": []},
                      "data": text("b1")}


def test_empty_list_removes_only_own_sources():
    doc = merge_sources([], ALICE, [{"conditions": {"language": "en"}, "data": text("a")},
                                     {"conditions": {"language": "fr"}, "data": text("a")}])
    doc = merge_sources(doc, BOB, [{"conditions": {"language": "en"}, "data": text("b")}])
    after = merge_sources(doc, ALICE, [])
    assert [s["id"] for s in after] == ["bob"]
    assert merge_sources(after, BOB, []) == []


def test_participant_cannot_write_someone_elses_source():
    with pytest.raises(GtinError, match="own sources"):
        merge_sources([], ALICE, [{"id": "bob", "type": "retailer", "conditions": {}, "data": []}])
    with pytest.raises(GtinError, match="same conditions"):
        merge_sources([], ALICE, [{"conditions": {"language": "en"}, "data": []},
                                  {"conditions": {"language": ["EN"]}, "data": []}])
    with pytest.raises(GtinError, match="product360"):
        merge_sources([], ALICE, [{"conditions": {}, "data": [{"type": "video", "url": "u"}]}])


def test_system_participant_replaces_all_sources():
    doc = merge_sources([], ALICE, [{"conditions": {}, "data": text("a")}])
    doc = merge_sources(doc, BOB, [{"conditions": {}, "data": text("b")}])
    after = merge_sources(doc, GS1, [{"conditions": {"language": "en"}, "data": text("gs1")},
                                     {"id": "bob", "type": "retailer", "conditions": {}, "data": text("kept")}],
                          system=True)
    assert [(s["id"], s["type"]) for s in after] == [("gs1-system", "gs1"), ("bob", "retailer")]
    assert merge_sources(doc, GS1, [], system=True) == []


def test_delete_source_exact_conditions_only():
    doc = merge_sources([], ALICE, [{"conditions": {"language": ["en", "fr"]}, "data": text("a")}])
    doc = merge_sources(doc, BOB, [{"conditions": {"language": ["fr", "en"]}, "data": text("b")}])
    with pytest.raises(SourceNotFound):
        delete_source(doc, "alice", {"language": "en"})
    after = delete_source(doc, "alice", {"language": ["fr", "en"]})
    assert [s["id"] for s in after] == ["bob"]
    with pytest.raises(SourceNotFound):
        delete_source(after, "alice", {"language": ["en", "fr"]})


def test_replace_included_drops_only_own_included_sources():
    doc = merge_sources([], ALICE, [{"conditions": {"language": "en", "country": "036"}, "data": text("1")},
                                     {"conditions": {"language": ["en", "fr"], "country": "036"}, "data": text("2")},
                                     {"conditions": {"language": "de"}, "data": text("3")}])
    doc = merge_sources(doc, BOB, [{"conditions": {"language": "en", "country": "036"}, "data": text("b")}])
    after = replace_included(doc, "alice", {"language": ["en", "fr"], "country": ["036", "554"]})
    assert [(s["id"], s["data"][0]["value"]) for s in after] == [("alice", "3"), ("bob", "b")]
