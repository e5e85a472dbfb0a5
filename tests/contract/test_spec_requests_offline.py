"""Every GTIN request example, as printed (links included), read by the wire models and the
domain without a network; every response example fits its response model; the shape
comparison of the suite reports what it should."""
from __future__ import annotations

import pytest

from gateway.schemas import gtin_import as imports
from gateway.schemas.gtin_items import Attachments, AttachmentsBody, DescriptionBody, ItemBody, TradeItem
from models.gtin import ImportSpec, Participant, merge_sources
from models.gtin.links import complete_link
from tests.contract.examples import load, shape_problems

IMPORTS = ["parse_file_gs1.request.json", "parse_file_gs1_gpc.request.json",
           "parse_file_expert.request.json", "import_tasks_create.request.json"]
P360 = Participant("urn:authenticateit:user:email:my@gmail.com", "contributor", product360=True)
SYSTEM = Participant("urn:test:system", "gs1", system=True)


@pytest.mark.parametrize("name", IMPORTS)
def test_import_examples_parse(name):
    body = load(name)
    imports.ImportBody.model_validate(body)
    spec = ImportSpec.parse(body)
    assert spec.conditions == body["conditions"]
    assert [f.field for f in spec.fields] == list(body["fields"])
    assert len(spec.additional_widgets) == sum(len(a["widgets"])
                                               for a in body.get("additional_widgets", []))


def test_fields_mapping_example():
    spec = ImportSpec.parse({"link": "x", "gtin_field": "GTIN",
                             "fields": load("import_fields_mapping.json")})
    assert [(f.field, f.widget, f.action, f.position) for f in spec.fields] == [
        ("Name", None, None, 1), ("Image", "image", None, 2), ("Cert", "image", "copy_to_cdn", 3)]


def test_links_as_printed_are_completed():
    link = load("parse_file_expert.request.json")["link"]
    assert complete_link(link) == (
        "https://dev-cdn.shping.com.s3.amazonaws.com/2017/6/19/e47a98c0-bf8f-40e1-a5bb-"
        "a387e08d747e-Updated_ACO%20GTIN%20List%2023_03_17%20(1)%20(4).txt")
    https = load("import_tasks_create.request.json")["link"]
    assert complete_link(https) == https


def test_item_and_source_examples_parse():
    assert ItemBody.model_validate(load("gtins_create.request.json")).gpc_brick == "10000188"
    update = ItemBody.model_validate(load("gtins_update.request.json"))
    assert update.gpc_segment == "50000000" and "gpc_brick" not in update.model_fields_set
    assert AttachmentsBody.model_validate(load("attachments_add.request.json")).attachments
    for name, who in [("description_add.request.json", P360),
                      ("description_remove_own.request.json", P360),
                      ("description_system.request.json", SYSTEM)]:
        body = load(name)
        DescriptionBody.model_validate(body)
        merged = merge_sources([], who, body["sources"], system=who.system)
        assert [s["data"] for s in merged] == [s["data"] for s in body["sources"]]
        assert [s["conditions"] for s in merged] == [s["conditions"] for s in body["sources"]]


@pytest.mark.parametrize("model, name", [
    (TradeItem, "gtins_create.response.json"), (TradeItem, "gtins_update.response.json"),
    (TradeItem, "description_read.response.json"), (Attachments, "attachments_add.response.json"),
    (Attachments, "attachments_remove.response.json"),
    (imports.Preview, "import_preview.response.json"),
    (imports.TaskStarted, "import_tasks_create.response.json"),
    (imports.TaskStatus, "import_task_status.response.json"),
    (imports.TaskList, "import_tasks_list.response.json"),
    (imports.ParseStatus, "parse_status.response.json"),
    (imports.PreviewBody, "import_preview.request.json"),
])
def test_response_examples_fit_the_models(model, name):
    model.model_validate(load(name))


def test_shape_comparison_reports_departures():
    example = {"a": 1, "b": None, "c": [{"x": "s"}, {"x": None}], "d": {"e": True}}
    assert shape_problems({"a": 2, "b": None, "c": [{"x": "t"}, {"x": None}], "d": {"e": False}},
                          example) == []
    assert shape_problems({"a": "1", "b": None, "c": [], "d": {"e": True}}, example) == [
        "$.a: string where the specification has integer"]
    assert shape_problems({"a": 1, "b": 0, "c": [{"x": 1}], "d": {"e": True, "f": 1}},
                          example, frozenset({"$.d.f"})) == [
        "$.b: integer where the specification has null",
        "$.c[0].x: integer where the specification has string"]
    assert shape_problems({"a": 1, "c": [], "d": {}, "z": 0}, example) == [
        "$.b: missing", "$.z: not in the specification nor a documented extension",
        "$.d.e: missing"]
    assert shape_problems({"results": []}, []) == ["$: object where the specification has list"]
