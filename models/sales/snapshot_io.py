"""A snapshot's lists as Arrow IPC, never as a dict per entry: the staged object the cleaning
hands to the import (`Staged`: each list already cut into the page documents the store keeps),
and the chunks of one list the snapshot store pages from.

A multi-currency file has hundreds of thousands of (key × currency) entries; as JSON they were
141 MiB to encode, decode and write again as BSON. As Arrow they are written and read whole.
The cleaning encodes the pages once, with its cores free at its end; the import stores them as
they are (it decoded and encoded all 748 k entries of the currencies shape again: 0.4 s)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyarrow as pa

from .snapshot import Snapshot, SnapshotBuilder, entries, snapshot_of, summary_key_arrays

_HEAD = b"tributary.snapshot"            # a whole snapshot in one IPC file (staged before pages)
_PAGES = b"tributary.snapshot.pages\n"   # the first bytes of a staged file of pages (write_staged)
# each buffer compressed on the encoding thread: the pages are encoded on two threads of their
# own (`_Pages`), and handing each buffer to Arrow's pool as well cost the currencies shape's
# 154 pages 0.34-0.40 CPU s against 0.24, for the same bytes
_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd", use_threads=False)
PAGE_ROWS = 5000      # entries per Arrow page document (zstd IPC, ~200 kB on the currencies shape)
PAGE_BYTES = 8 << 20  # uncompressed Arrow bytes per page document at most (BSON's limit is 16 MiB)


def page_rows(nbytes: int, count: int) -> int:
    """Entries per page document: PAGE_ROWS, fewer where entries are long (long titles)."""
    per_entry = nbytes / max(count, 1)
    return max(1, min(PAGE_ROWS, int(PAGE_BYTES / max(per_entry, 1))))


@dataclass
class StagedList:
    count: int          # entries
    rows: int           # entries per page
    pages: list[bytes]  # IPC streams (`encode`), in order
    offsets: list[int] = field(default_factory=list)  # where each page starts in the staged file

    def spans(self) -> list[list[int]]:
        """[offset, length] of each page in the staged file (empty before it is written)."""
        return [[at, len(page)] for at, page in zip(self.offsets, self.pages)]


@dataclass
class Staged:
    """A snapshot as the store keeps it: totals, the organisation summary's distinct keys (sorted
    string arrays: `encode_keys`), and each list as its page documents."""
    totals: dict
    keys: dict[str, pa.Array]
    lists: dict[str, StagedList]
    source: str | None = None   # the staged file the pages' offsets are in, once written or read

    def first_encoded(self, name: str, count: int) -> bytes | None:
        """The list's first `count` entries as one IPC stream (the first page as it is when it
        holds no more), or None when the list has no page."""
        listed = self.lists[name]
        if len(listed.pages) == 1 and listed.count <= count:
            return listed.pages[0]
        head = self._head(name, count)
        return None if head is None else encode(head)

    def first(self, name: str, count: int) -> list[dict]:
        """The list's first `count` entries as dicts (decoding only the pages that hold them)."""
        head = self._head(name, count)
        return [] if head is None else entries(head)

    def _head(self, name: str, count: int) -> pa.Table | None:
        """The list's first `count` entries, from the pages that hold them; None without a page."""
        tables, have = [], 0
        for page in self.lists[name].pages:
            if have >= count:
                break
            tables.append(decode(page))
            have += tables[-1].num_rows
        return pa.concat_tables(tables).slice(0, count) if tables else None


def stage(snapshot: Snapshot) -> Staged:
    """`snapshot` cut into its page documents, with its summary keys: pages encoded on two
    threads (zstd in Arrow releases the GIL; at the end of the cleaning its cores are free)."""
    with _Pages() as pages:
        for name, table in snapshot.lists.items():
            pages.cut(name, table)
        return pages.staged(snapshot)


def stage_of(builders: list[SnapshotBuilder]) -> Staged:
    """The cleaning's snapshot (`snapshot_of` its builders), staged: each builder's lists are
    cut and their pages encoded as soon as the builder has formatted them, so the short lists'
    pages are encoded while byTrack is still being folded and sorted (currencies shape: the
    staging after the lists went 0.15 s → the byTrack pages only)."""
    with _Pages() as pages:
        return pages.staged(snapshot_of(builders, pages.cut))


class _Pages:
    """Page documents encoded on two threads, list by list as they come (`cut`)."""

    def __enter__(self) -> "_Pages":
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(2, thread_name_prefix="snapshot-pages")
        self.cuts: dict[str, tuple[int, int, list]] = {}
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(cancel_futures=True)

    def cut(self, name: str, table: pa.Table) -> None:
        rows = page_rows(table.nbytes, table.num_rows)
        self.cuts[name] = (table.num_rows, rows, [self.pool.submit(encode, table.slice(at, rows))
                                                  for at in range(0, table.num_rows, rows)])

    def staged(self, snapshot: Snapshot) -> Staged:
        """The pages of every list of `snapshot`, in its order, and its summary keys (computed
        here while the last pages are encoded)."""
        keys = summary_key_arrays(snapshot)
        lists = {}
        for name in snapshot.lists:
            count, rows, pages = self.cuts[name]
            lists[name] = StagedList(count, rows, [page.result() for page in pages])
        return Staged(snapshot.totals, keys, lists)


def write_staged(staged: Staged, path: str) -> None:
    """`_PAGES`, the length of a JSON head (totals, the keys' length, and each list's count, page
    size and page lengths), the head, the keys (`encode_keys`), then the pages as they are
    (already compressed). Each page's
    offset is noted: the file is the snapshot's pages object, read one page at a time."""
    keys = encode_keys(staged.keys)
    head = json.dumps({"totals": staged.totals, "key_bytes": len(keys),
                       "lists": {name: {"count": s.count, "rows": s.rows,
                                        "pages": [len(p) for p in s.pages]}
                                 for name, s in staged.lists.items()}}).encode()
    with open(path, "wb") as sink:
        at = sink.write(_PAGES + len(head).to_bytes(8, "little") + head + keys)
        for listed in staged.lists.values():
            listed.offsets = []
            for page in listed.pages:
                listed.offsets.append(at)
                at += sink.write(page)
    staged.source = path


def read_staged(path: str) -> Staged:
    """What `write_staged` wrote; a whole snapshot staged in one Arrow IPC file by a worker from
    before the pages (`write_snapshot`) is cut now."""
    with open(path, "rb") as source:
        if source.read(len(_PAGES)) != _PAGES:
            return stage(read_snapshot(path))
        head = json.loads(source.read(int.from_bytes(source.read(8), "little")))
        keys = decode_keys(source.read(head["key_bytes"])) if "key_bytes" in head else \
            {kind: pa.array(values, pa.string()) for kind, values in head["keys"].items()}  # older: JSON
        lists = {}
        for name, where in head["lists"].items():
            pages, offsets = [], []
            for length in where["pages"]:
                offsets.append(source.tell())
                pages.append(source.read(length))
            lists[name] = StagedList(where["count"], where["rows"], pages, offsets)
    return Staged(head["totals"], keys, lists, path)


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


def encode_keys(keys: dict[str, pa.Array]) -> bytes:
    """The summary keys as one zstd Arrow IPC stream: a row of one string list per kind. Stored
    as one binary value, a 1 M-row file's 78 k keys are written and read back in a few ms, where
    a document of 78 k strings took 30 ms each way in the embedded store."""
    names = list(keys)
    lists = [pa.ListArray.from_arrays(pa.array([0, len(keys[n])], pa.int32()), keys[n].cast(pa.string()))
             for n in names]
    return encode(pa.table(lists, names=names))


def decode_keys(data: bytes) -> dict[str, pa.Array]:
    table = decode(data)
    return {name: table.column(name).chunk(0).flatten() for name in table.column_names}


def key_lists(keys: dict[str, pa.Array]) -> dict[str, list[str]]:
    return {kind: values.to_pylist() for kind, values in keys.items()}
