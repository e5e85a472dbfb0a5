"""Byte ranges of a text file for the parallel cleaning (`tabular.clean_parallel`): where to
cut it, and each range's bytes without copying them."""
from __future__ import annotations

import mmap

import pyarrow as pa


def ranges(path: str, start: int, end: int, size: int, first: int | None = None) -> list[tuple[int, int]]:
    """[start, end) cut after a newline about every `size` bytes, the first range about `first`
    bytes (rows never span lines: the reader does not allow newlines in values)."""
    cuts = [start]
    with open(path, "rb") as f:
        while cuts[-1] + (step := first if first and len(cuts) == 1 else size) < end:
            pos = cuts[-1] + step
            f.seek(pos)
            while pos < end:
                piece = f.read(1 << 16)
                nl = piece.find(b"\n")
                if nl >= 0 or not piece:
                    pos = pos + nl + 1 if nl >= 0 else end
                    break
                pos += len(piece)
            if pos >= end:
                break
            cuts.append(pos)
    cuts.append(end)
    return list(zip(cuts, cuts[1:]))


def mapped(path: str, span: tuple[int, int]) -> tuple[pa.Buffer, bool]:
    """The bytes of `span` as a buffer over the file's memory map (no copy, no fresh pages for
    the kernel to zero: ~2 k page faults less per range), and whether they hold a quote. One
    map: the buffer holds it, and it is unmapped when the buffer goes."""
    with open(path, "rb") as f:
        whole = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    quoted = whole.find(b'"', span[0], span[1]) >= 0
    return pa.py_buffer(memoryview(whole)[span[0]:span[1]]), quoted
