"""A snapshot's lists as Arrow IPC, never as a dict per entry: the staged object the cleaning
hands to the import, and the chunks of one list the snapshot store pages from.

A multi-currency file has hundreds of thousands of (key × currency) entries; as JSON they were
141 MiB to encode, decode and write again as BSON. As Arrow they are written and read whole."""
from __future__ import annotations

import json

import pyarrow as pa

from .snapshot import Snapshot

_HEAD = b"tributary.snapshot"
_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def write_snapshot(snapshot: Snapshot, path: str) -> None:
    """One Arrow IPC file: the lists one after the other (their key columns side by side, null
    where a list has no such key), and in the schema's metadata the totals and where each list
    starts."""
    lists, start = {}, 0
    for name, table in snapshot.lists.items():
        lists[name] = {"start": start, "count": table.num_rows, "columns": table.column_names}
        start += table.num_rows
    whole = pa.concat_tables(list(snapshot.lists.values()), promote_options="permissive")
    head = json.dumps({"totals": snapshot.totals, "lists": lists}).encode()
    whole = whole.replace_schema_metadata({_HEAD: head})
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, whole.schema, options=_OPTIONS) as writer:
        writer.write_table(whole, max_chunksize=64 * 1024)


def read_snapshot(path: str) -> Snapshot:
    """What `write_snapshot` wrote, read into memory (not mapped: the import uses the snapshot
    after its temporary directory is gone)."""
    with pa.OSFile(path, "rb") as source:
        whole = pa.ipc.open_file(source).read_all()
    head = json.loads(whole.schema.metadata[_HEAD])
    lists = {name: whole.slice(where["start"], where["count"]).select(where["columns"])
             .replace_schema_metadata(None)
             for name, where in head["lists"].items()}
    return Snapshot(lists, head["totals"])


def chunks(table: pa.Table, rows: int):
    """(index, IPC bytes) of each `rows` entries of one formatted list, in order."""
    for index, start in enumerate(range(0, table.num_rows, rows)):
        yield index, encode(table.slice(start, rows))


def encode(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()
