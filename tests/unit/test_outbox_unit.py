"""The outbox's pure parts: entries, embedding (pending entries kept), where an entry lives,
and the request-body text check that refuses lone surrogates with the field's path."""
from __future__ import annotations

import pytest

from agents.rejection import _file_id, _text
from gateway.body_limits import check_shape, check_text
from gateway.errors import ApiError
from infra import outbox
from topics.envelope import Message


def test_an_entry_carries_its_message_and_embedding_keeps_pending_ones():
    first = outbox.entry("sales.files.commands", 7, Message("ProcessSalesFile", {"file_id": 7}))
    second = outbox.entry("sales.files.commands", 7, Message("ReimportSalesFile", {"file_id": 7}))
    assert first["key"] == "7" and first["tries"] == 0 and first["next_at"] > outbox.at(0)
    once = outbox.embed({"id": 7}, first)
    doc = outbox.embed(once, second)
    assert set(doc["_outbox"]) == {first["id"], second["id"], outbox.VERSION}
    # every write adding entries changes the version: an emptied `_outbox` is dropped only
    # if none was added since it was read (Place.done)
    assert doc["_outbox"][outbox.VERSION] != once["_outbox"][outbox.VERSION]
    added = outbox.pending(second)
    assert added[f"_outbox.{second['id']}"] == second and f"_outbox.{outbox.VERSION}" in added
    # a non-empty string: what the relay's indexed query for carriers matches (CARRIERS)
    assert doc["_outbox"][outbox.VERSION] > "" and added[f"_outbox.{outbox.VERSION}"] > ""
    message = outbox.message_of(doc["_outbox"][first["id"]])
    assert (message.type, message.message_id, message.payload["file_id"]) == (
        "ProcessSalesFile", first["id"], 7)


def test_an_entry_is_addressed_inside_its_record_or_as_its_own_document():
    assert outbox.Place("files", 7, "abc").prefix == "_outbox.abc."
    assert outbox.Place("outbox", "abc", "abc").prefix == ""


@pytest.mark.parametrize("body, field", [
    ({"filename": "\ud800.tsv"}, "filename"),
    ({"a": [1, {"b": "x\udfff"}]}, "a.1.b"),
    (["ok", "\ud800"], "1"),
    ({"\ud800": 1}, "body"),
])
def test_lone_surrogates_are_refused_naming_the_field(body, field):
    with pytest.raises(ApiError) as caught:
        check_shape(body)
    assert caught.value.code == "invalid_text"
    assert caught.value.problem["errors"][0]["field"] == field


def test_unicode_text_passes_and_form_fields_are_checked_too():
    check_shape({"filename": "Ünïcødé 🎵.tsv", "n": [1, 2.5, None, True]})
    with pytest.raises(ApiError):
        check_text({"filename": "a\udc80"})


def test_a_rejected_create_keeps_only_what_the_store_can_hold():
    assert _text("x\ud800y") == "x?y" and _text(None) == ""
    assert _file_id({"id": "42"}) == 42
    assert _file_id({"id": 10**30}) is None and _file_id({"id": True}) is None
    assert _file_id({}) is None


def test_an_entry_may_carry_its_own_patience():
    message = Message("ProcessSalesFile", {"file_id": 7})
    assert outbox.tries(outbox.entry("sales.files.commands", 7, message)) == outbox.TRIES
    assert outbox.tries(outbox.entry("sales.files.commands", 7, message, patience=60)) == 60
