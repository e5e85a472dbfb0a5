"""Selection rules of `tributary replay` and the JSON log formatter (pure parts)."""
from __future__ import annotations

import json
import logging

import pytest

from infra import logs
from infra.ops.replay import (
    Found,
    ReplayError,
    Selection,
    command_topic,
    matches,
    parse_time,
    parse_where,
    replayed,
)
from topics.envelope import Message


def _msg(ts: str = "2025-06-01T10:00:00.000+00:00", **payload) -> Message:
    return Message("ReimportSalesFile", {"file_id": 7, **payload}, ts=ts, message_id="m1")


def test_where_and_time_filters():
    sel = Selection(where=parse_where(["type=ReimportSalesFile", "file_id=7"]))
    assert matches(_msg(), sel)
    assert not matches(_msg(), Selection(where=parse_where(["file_id=8"])))
    assert matches(_msg(meta={"org": "a"}), Selection(where=parse_where(["meta.org=a"])))
    window = Selection(from_time=parse_time("2025-06-01T09:00:00Z"),
                       to_time=parse_time("2025-06-01T10:00:00"))
    assert matches(_msg(), window)
    assert not matches(_msg(ts="2025-06-01T10:00:00.001+00:00"), window)
    with pytest.raises(ReplayError):
        parse_where(["no-equals"])
    with pytest.raises(ReplayError):
        parse_time("yesterday")


def test_only_command_topics_and_new_ids():
    assert command_topic("sales.files.commands").kind == "commands"
    with pytest.raises(ReplayError, match="event topic"):
        command_topic("sales.files.events")
    again = replayed(Found(0, 3, b"7", _msg()))
    assert again.message_id != "m1" and again.payload == {"file_id": 7, "replay_of": "m1"}


def test_json_logs_carry_the_bound_context():
    record = logging.LogRecord("tributary.x", logging.INFO, __file__, 1, "did %s", ("it",), None)
    with logs.bound(**logs.from_payload({"file_id": 5, "organisation": "org-1", "x": 1}),
                    message_id="abc"):
        line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "did it" and line["file_id"] == 5 and line["message_id"] == "abc"
    assert line["organisation"] == "org-1" and "x" not in line
    assert "file_id" not in json.loads(logs.JsonFormatter().format(record))
