"""Folds sales-file events into the `file_status` table that serves status queries."""
from __future__ import annotations

import faust

from agents.deps import Deps
from models.files import apply_event
from topics.envelope import UndecodableMessage, decode
from topics.registry import topic


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("sales.files.events")
    schema = faust.Schema(key_type=str, key_serializer="raw", value_serializer="json")
    table = app.Table("file_status", default=None, schema=schema, partitions=spec.partitions)
    deps.tables["file_status"] = table

    @app.agent(deps.topic(spec.name), name="status_table")
    async def fold(stream):
        async for event in stream.events():
            try:
                message = decode(event.value, spec.types)
            except UndecodableMessage:
                continue  # events are ours; a foreign one is ignored, not fatal
            file_id = message.payload.get("file_id")
            if file_id is None:
                continue
            key = str(file_id)
            view = apply_event(table.get(key), message.type, message.payload, message.ts)
            if view is not None:
                table[key] = view
