"""The topic contract document: generated from the models, committed, and kept in sync."""
from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from topics import asyncapi
from topics.envelope import MessageType, UndecodableMessage, decode
from topics.registry import TopicSpec, all_topics


def test_committed_document_matches_the_models():
    """Fails when a topic or message model changed and `tributary contract --write` was not run."""
    committed = json.loads(asyncapi.DOCUMENT.read_text(encoding="utf-8"))
    assert committed == asyncapi.build(), \
        "docs/asyncapi.json is stale: run `tributary contract --write` and commit it"
    assert asyncapi.is_current()


def test_a_model_change_makes_the_document_differ():
    spec = next(t for t in all_topics() if t.name == "sales.files.commands")
    create = spec.types["CreateSalesFile"]
    from pydantic import create_model

    model = create_model("CreateSalesFilePayload", __base__=create.model, new_field=(str, ...))
    changed = replace(create, model=model)
    altered = replace(spec, types={**spec.types, "CreateSalesFile": changed})
    others = [t for t in all_topics() if t.name != spec.name]
    assert asyncapi.build([*others, altered]) != asyncapi.build()


def _validator(doc: dict, ref: str) -> jsonschema.Draft202012Validator:
    """A validator of the schema at `ref` (a local $ref) inside the document."""
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(doc))
    return jsonschema.Draft202012Validator({"$ref": "urn:doc" + ref}, registry=registry)


def test_every_topic_and_message_is_documented_with_a_valid_example():
    doc = asyncapi.build()
    assert doc["asyncapi"].startswith("3.")
    topics = all_topics()
    assert {t.name for t in topics} == {c["address"] for c in doc["channels"].values()}
    for spec in topics:
        channel = doc["channels"][asyncapi.channel_id(spec.name)]
        assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
        assert channel["x-key"] == spec.key and channel["x-consumer"] == spec.consumer
        receive = doc["operations"][f"{asyncapi.channel_id(spec.name)}.receive"]
        assert spec.consumer in receive["summary"]
        for name, mtype in spec.types.items():
            ref = channel["messages"][name]["$ref"]
            message = doc["components"]["messages"][ref.rsplit("/", 1)[1]]
            assert message["x-kind"] == mtype.kind and message["x-version"] == mtype.version
            envelope = message["examples"][0]["payload"]
            _validator(doc, message["payload"]["$ref"]).validate(envelope)
            bad = {**envelope, "payload": {}} if mtype.required else {**envelope, "version": "x"}
            with pytest.raises(jsonschema.ValidationError):
                _validator(doc, message["payload"]["$ref"]).validate(bad)
            # the example is a message consumers accept
            assert decode(json.dumps(envelope), spec.types).payload == mtype.example


def test_schema_inference_and_explicit_schema():
    inferred = asyncapi.payload_schema(MessageType(
        "X", "command", required=("a", "missing"),
        example={"a": 1, "b": "s", "c": 1.5, "d": True, "e": [{"f": None}], "g": {"h": "i"}}))
    props = inferred["properties"]
    assert inferred["required"] == ["a", "missing"]
    assert props["a"] == {"type": "integer"} and props["b"] == {"type": "string"}
    assert props["c"]["type"] == "number" and props["d"]["type"] == "boolean"
    assert props["e"]["items"]["properties"]["f"] and props["g"]["properties"]["h"]["type"] == "string"
    assert "missing" in props
    jsonschema.validate({"a": 2, "missing": "x"}, inferred)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"a": "not an int", "missing": 1}, inferred)
    explicit = {"type": "object", "properties": {"z": {"type": "string"}}}
    assert asyncapi.payload_schema(MessageType("Y", "event", schema=explicit)) == explicit


def test_previous_version_is_accepted_and_documented():
    spec = next(t for t in all_topics() if t.name == "sales.files.commands")
    upgraded = decode(json.dumps({"type": "ReimportSalesFile", "version": 0,
                                  "payload": {"id": 7}}), spec.types)
    assert upgraded.payload["file_id"] == 7 and upgraded.version == 1
    current = decode(json.dumps({"type": "ReimportSalesFile", "version": 1,
                                 "payload": {"file_id": 7}}), spec.types)
    assert current.payload == {"file_id": 7}
    with pytest.raises(UndecodableMessage, match="version 5"):
        decode(json.dumps({"type": "ReimportSalesFile", "version": 5, "payload": {}}), spec.types)
    doc = asyncapi.build()
    assert doc["components"]["messages"]["ReimportSalesFile"]["x-accepted-versions"] == [0, 1]


def test_duplicate_names_on_two_topics_get_distinct_components():
    one = MessageType("Same", "event", example={"k": 1})
    two = MessageType("Same", "event", example={"k": "x"})
    doc = asyncapi.build([TopicSpec("a.events", "events", "k", "x", "a", {"Same": one}),
                          TopicSpec("b.events", "events", "k", "y", "b", {"Same": two})])
    assert set(doc["components"]["messages"]) == {"Same", "b_events.Same"}
