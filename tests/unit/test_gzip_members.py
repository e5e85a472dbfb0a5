"""Reports are gzip files of several members compressed on several threads."""
from __future__ import annotations

import gzip
import os
import zlib

from infra.gzip_members import GzipMembersWriter


def test_members_read_back_as_one_stream_in_order(tmp_path):
    path = str(tmp_path / "out.csv.gz")
    chunks = [f"row {i},{'x' * (i % 97)}\r\n".encode() * (1 + i % 50) for i in range(200)]
    writer = GzipMembersWriter(path, workers=2)
    for chunk in chunks:
        writer.write(chunk)
    writer.write(b"")  # nothing: no empty member
    writer.close()
    raw = open(path, "rb").read()
    assert gzip.decompress(raw) == b"".join(chunks)
    # a streaming reader that knows multi-member files (zcat, Python's gzip, pandas) sees it all
    with gzip.open(path, "rb") as handle:
        assert handle.read() == b"".join(chunks)
    first = zlib.decompressobj(31)
    first.decompress(raw)
    assert first.unused_data  # more than one member


def test_discarded_writer_leaves_no_threads_behind(tmp_path):
    import threading

    before = threading.active_count()
    writer = GzipMembersWriter(str(tmp_path / "x.gz"))
    writer.write(os.urandom(1 << 20))
    writer.close(discard=True)
    assert threading.active_count() == before
