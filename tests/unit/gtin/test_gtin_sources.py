import copy

import pytest

from models.gtin import (
    GtinError,
    Participant,
    SourceNotFound,
    check_conditions,
    check_widgets,
    delete_source,
    merge_sources,
    normalise_conditions,
    replace_included,
)
from models.gtin.widgets import wire_sources, wire_widget

ALICE = Participant(id="alice", type="brand", prefixes=("301762",))
BOB = Participant(id="bob", type="retailer", product360=True)
GS1 = Participant(id="gs1-system", type="gs1", system=True)


def text(value):
    return [{"text": {"title": "t", "text": value}}]


def test_conditions_normalised_and_validated():
    assert normalise_conditions({"language": "EN", "country": ["250", "036", "250"]}) == {
        "language": ["en"], "country": ["036", "250"]}
    assert normalise_conditions(None) == {"language": [], "country": []}
    # any three-digit code: the specification's examples use "046" and "054" (UN M49 areas)
    assert normalise_conditions({"country": ["046", "054"]}) == {"language": [], "country": ["046", "054"]}
    for bad, field, value in [({"language": ["en", "xx"]}, "conditions.language", "xx"),
                              ({"language": "eng"}, "conditions.language", "eng"),
                              ({"country": "36"}, "conditions.country", "36"),
                              ({"country": "AU"}, "conditions.country", "AU")]:
        with pytest.raises(GtinError) as err:
            normalise_conditions(bad)
        assert err.value.field == field and repr(value) in err.value.reason
    with pytest.raises(GtinError, match="unknown condition"):
        normalise_conditions({"region": "eu"})
    with pytest.raises(GtinError, match="string or a list"):
        normalise_conditions({"country": 36})


def test_conditions_are_kept_as_given():
    given = {"language": "ru", "country": ["046", "054"]}
    assert check_conditions(given) == given and check_conditions(None) == {} == check_conditions({})
    doc = merge_sources([], BOB, [{"conditions": given, "data": text("b")}])
    assert doc[0]["conditions"] == given


def test_widgets_in_the_specification_form():
    spec = [{"text": {"title": "Main prod", "text": "Some textww", "lines": 10}},
            {"text": {"title": "Company name", "text": "x", "markdown": False}},
            {"image": [{"url": "https://cdn/x"}]}, {"nutrition_info": {"energy": "1 kJ"}}]
    assert check_widgets(spec, product360=False) == spec
    with pytest.raises(GtinError, match="one key naming its kind"):
        check_widgets([{"text": {"text": "a"}, "image": [{"url": "u"}]}], product360=True)
    with pytest.raises(GtinError, match="list of {url}"):
        check_widgets([{"image": []}], product360=True)
    with pytest.raises(GtinError, match="lines"):
        check_widgets([{"text": {"text": "a", "lines": "10"}}], product360=True)
    with pytest.raises(GtinError, match="gdti"):
        check_widgets([{"certificates": {"list": [{"gdti": "urn:x"}]}}], product360=True)


def test_widgets_without_product360_name_the_disallowed_types():
    ok = [{"text": {"text": "x"}}, {"image": [{"url": "https://x/y.jpg"}]}, {"nutrition_info": {}}]
    assert check_widgets(ok, product360=False) == ok
    bad = ok + [{"video": {"url": "u"}}, {"link": {"text": "site", "url": "u"}}, {"certificates": {}}]
    with pytest.raises(GtinError) as err:
        check_widgets(bad, product360=False)
    assert "certificates, link, video" in err.value.reason and "product360" in err.value.reason
    assert check_widgets(bad, product360=True) == bad
    with pytest.raises(GtinError, match="unknown widget kind"):
        check_widgets([{"hologram": {}}], product360=True)
    with pytest.raises(GtinError, match="url"):
        check_widgets([{"image": [{}]}], product360=False)


def test_typed_widgets_are_converted_to_the_specification_form():
    typed = [{"type": "text", "title": "t", "value": "v"}, {"type": "image", "url": "https://x/y.jpg"},
             {"type": "link", "title": "site", "url": "https://x"}, {"type": "video", "url": "u"}]
    assert check_widgets(typed, product360=True) == [
        {"text": {"title": "t", "text": "v"}}, {"image": [{"url": "https://x/y.jpg"}]},
        {"link": {"text": "site", "url": "https://x"}}, {"video": {"url": "u"}}]


def test_stored_typed_widgets_are_read_in_the_specification_form():
    """Documents stored before the wire contract keep typed widgets; reads convert them, leave
    wire-form widgets and malformed entries as stored, and do not touch the stored list."""
    stored = [{"id": "alice", "type": "brand", "conditions": {"language": "en"}, "data": [
        {"type": "text", "title": "Name", "value": "Oats"}, {"text": {"text": "kept"}},
        {"type": "image", "url": "https://x/y.jpg", "title": "front"},
        {"type": "link", "title": "site", "url": "https://x"}, "junk"]},
        {"id": "bob"}, "junk"]
    before = copy.deepcopy(stored)
    assert wire_sources(stored) == [{"id": "alice", "type": "brand", "conditions": {"language": "en"},
                                     "data": [{"text": {"title": "Name", "text": "Oats"}},
                                              {"text": {"text": "kept"}},
                                              {"image": [{"url": "https://x/y.jpg"}]},
                                              {"link": {"text": "site", "url": "https://x"}}, "junk"]},
                                    {"id": "bob"}, "junk"]
    assert stored == before and wire_sources(None) is None
    assert wire_widget({"type": "video", "url": "u"}) == {"video": {"url": "u"}}
    # an older import's to_country widget reads as today's import writes it
    assert wire_widget({"type": "text", "title": "Country", "value": "Australia", "country": "036",
                        "alpha2": "AU"}) == {"text": {"title": "Country", "text": "Australia"}}


def test_merge_replaces_same_conditions_and_keeps_others():
    doc = merge_sources([], ALICE, [{"conditions": {"language": "en"}, "data": text("a1")}])
    doc = merge_sources(doc, BOB, [{"conditions": {"language": ["en"]}, "data": text("b1")}])
    assert [(s["id"], s["type"]) for s in doc] == [("alice", "brand"), ("bob", "retailer")]
    doc = merge_sources(doc, ALICE, [{"conditions": {"language": "en"}, "data": text("a2")},
                                      {"conditions": {"country": "250"}, "data": text("a3")}])
    assert [s["data"][0]["text"]["text"] for s in doc] == ["a2", "b1", "a3"]  # replaced in place, new appended
    assert doc[1] == {"id": "bob", "type": "retailer", "conditions": {"language": ["en"]},
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
        merge_sources([], ALICE, [{"conditions": {}, "data": [{"video": {"url": "u"}}]}])


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
    assert [(s["id"], s["data"][0]["text"]["text"]) for s in after] == [("alice", "3"), ("bob", "b")]
