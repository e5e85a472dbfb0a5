"""A DSR file as Arrow without a Python object per line: the file's bytes stay one buffer, its
cells are a string array over it (each cell ends with the tab or newline after it, so the offsets
are the separators' positions, found by numpy), block records (RE/AS/SU/MW/RU/LI) are numbered
by block with a cumulative sum. HEAD, summaries, FOOT, headings and anything unusual (a few
lines) go through the per-line code of the reader (same Scan). `None` where the file needs the
per-line reader throughout: a block record type spelt with spaces. An escaped tab (`\\<TAB>`)
stands as TAB_MARK while the file is cut into cells and is put back in each cell taken.
Other encodings are decoded as the per-line reader decodes them and read as UTF-8."""
from __future__ import annotations

import mmap
import os
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..sniff import TextInfo
from .fields import pc
from .records import BLOCK, file_record, split_line

# the type cell (with the separator after it) of a block record read columnar: no spaces around it
_PLAIN_BLOCK = r"^(RE|AS|MW|RU|SU|LI)\d\d[0-9A-Za-z._-]*(\t|\r*\n)$"
TAB_MARK = "\ue000"   # a private-use character; a file that holds it keeps its escaped tabs per line
_CHUNK = 1 << 22      # bytes scanned at a time: small temporaries, no fresh pages per pass


@dataclass
class Blocks:
    """Block lines in file order: their `first` cell and number of `cells` in `flat` (every
    cell of the file, separator included), `rt` (record type), `line` (1-based), `block` (block
    number, as the per-line reader flushes blocks)."""

    flat: pa.Array | None                       # None once the cells needed are taken
    first: np.ndarray
    cells: np.ndarray
    crlf: bool         # the file holds `\r`: a line's last cell loses trailing `\r`s (rstrip("\r\n"))
    marked: bool       # the file holds escaped tabs, as TAB_MARK
    rt: pa.DictionaryArray   # coded: an index per line into the file's distinct record types
    line: np.ndarray
    block: np.ndarray

    def cell(self, i: int, rows: np.ndarray | None = None, first: np.ndarray | None = None,
             cells: np.ndarray | None = None) -> pa.Array:
        """Cell `i` of the block lines `rows` (all if None), or of the lines whose `first` cells
        and numbers of `cells` are given (`fields.Rows`); "" where a line is shorter."""
        if first is None:
            first, cells = (self.first, self.cells) if rows is None else (self.first[rows], self.cells[rows])
        return _cell(self.flat, first, cells, i, self.crlf, self.marked)


def _cell(flat: pa.Array, first: np.ndarray, cells: np.ndarray, i: int, crlf: bool, marked: bool) -> pa.Array:
    has = cells > i
    index = pa.array(first + i) if has.all() else pa.array(first + i, mask=~has)
    return _text(pc.take(flat, index), cells, i, has, crlf, marked)


def _text(taken: pa.Array, cells: np.ndarray, i: int, has: np.ndarray, crlf: bool, marked: bool) -> pa.Array:
    """Cell `i` from its taken text (separator included): the separator cut, "" where a line is
    shorter, a last cell's `\r`s dropped, escaped tabs put back."""
    out = pc.utf8_slice_codeunits(taken, 0, -1)
    if not has.all():
        out = pc.coalesce(out, "")
    if crlf:
        out = pc.if_else(pa.array(cells == i + 1), pc.utf8_rtrim(out, characters="\r"), out)
    return pc.replace_substring(out, TAB_MARK, "\t") if marked else out


def _record_types(heads: pa.Array, crlf: bool, marked: bool) -> pa.Array:
    """`_text` of distinct first cells: a value ending in a newline is its line's last cell."""
    last = np.asarray(pc.ends_with(heads, "\n").to_numpy(zero_copy_only=False), dtype=bool)
    return _text(heads, np.where(last, 1, 2), 0, np.ones(len(heads), dtype=bool), crlf, marked)


def _separators(raw: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """(cell offsets: `start` then each tab's and newline's position + 1; which separators are
    newlines). Filled chunk by chunk into one array: numpy over the whole file at once makes
    several 80 MB temporaries, and fresh pages cost more than the scan on this kind of host.
    Chunks are counted, then filled, on two threads (numpy's comparisons release the GIL),
    each in masks of its own written in place (`out=`): a chunk's temporaries, allocated and
    freed again for every chunk, faulted 77 k pages (300 MB) in a 61 MB file."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    chunks = range(start, len(raw), _CHUNK)
    kind = np.int32 if len(raw) < 2 ** 31 else np.int64
    local = threading.local()

    def separators(at: int) -> tuple[np.ndarray, np.ndarray]:
        """(the chunk's separators, its newlines), in the thread's masks."""
        part = raw[at:at + _CHUNK]
        if not hasattr(local, "tab"):
            local.tab, local.newline = np.empty(_CHUNK, bool), np.empty(_CHUNK, bool)
        tab, newline = local.tab[:len(part)], local.newline[:len(part)]
        np.equal(part, 9, out=tab)
        np.equal(part, 10, out=newline)
        return np.logical_or(tab, newline, out=tab), newline

    with ThreadPoolExecutor(2, thread_name_prefix="dsr-scan") as pool:
        counts = list(pool.map(lambda at: int(np.count_nonzero(separators(at)[0])), chunks))
        ends = np.cumsum([0, *counts])
        offsets = np.empty(int(ends[-1]) + 1, kind)
        newline = np.empty(int(ends[-1]), bool)
        offsets[0] = start

        def fill(chunk: int) -> None:
            at, n, k = chunks[chunk], int(ends[chunk]), counts[chunk]
            mask, newlines = separators(at)
            found = np.flatnonzero(mask)
            np.take(newlines, found, out=newline[n:n + k])
            np.add(found, at + 1, out=offsets[n + 1:n + 1 + k], casting="unsafe")

        list(pool.map(fill, range(len(chunks))))
    return offsets, newline


def _mark_tab(escape: re.Match) -> bytes:
    """Escape pairs read left to right as records.split_escaped does; `\\<TAB>` → `\\` TAB_MARK."""
    return b"\\" + TAB_MARK.encode() if escape[0] == b"\\\t" else escape[0]


def _mapped(path: str) -> mmap.mmap | bytes:
    """The file's bytes as a read-only map of the page cache: read into a bytes object, 61 MB
    were 15 k fresh pages zeroed and copied into, on one core, before the scan could start.
    The cells (`Blocks.flat`) keep the map alive while they are read."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _as_utf8(data: bytes, info: TextInfo) -> bytes:
    """Another encoding: decoded as the per-line reader decodes it (its codec, `errors="replace"`),
    written back as UTF-8."""
    return data.decode(info.encoding, errors="replace").encode("utf-8")


def read_blocks(path: str, info: TextInfo, s) -> Blocks | None:
    """Fills `s` (reader.Scan) from the non-block lines and the block count; returns the block
    lines, or None for the per-line reader."""
    data = _mapped(path)
    start = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    if info.encoding != "utf-8":                     # "utf-8": the sniff validated every byte
        data, start = _as_utf8(data[:], info), 0
    marked = data.find(b"\\", start) >= 0 and data.find(b"\\\t", start) >= 0   # memchr first
    if marked:
        if data.find(TAB_MARK.encode(), start) >= 0:
            return None
        data = re.sub(rb"\\.", _mark_tab, data, flags=re.S)
    if len(data) > start and data[-1:] != b"\n":
        data = b"".join((data, b"\n"))             # the last line, unterminated (one copy)
    raw = np.frombuffer(data, np.uint8)
    offsets, newline = _separators(raw, start)
    kind = pa.StringArray if offsets.dtype == np.int32 else pa.LargeStringArray
    flat = kind.from_buffers(len(newline), pa.py_buffer(offsets), pa.py_buffer(data))
    last = np.flatnonzero(newline)                   # each line's last cell
    del newline
    first = np.concatenate([[0], last[:-1] + 1]) if len(last) else last
    cells = last - first + 1
    s.lines = len(last)
    # each line's first cell, separator included, as an index into its distinct values: a file
    # has a few record types, so the block test and the type's text run once per value
    heads = pc.dictionary_encode(pc.take(flat, pa.array(first)))
    kinds = heads.indices.to_numpy(zero_copy_only=False)
    block_at = np.asarray(pc.match_substring_regex(heads.dictionary, _PLAIN_BLOCK)
                          .to_numpy(zero_copy_only=False), dtype=bool)[kinds]
    other = np.flatnonzero(~block_at)
    texts = (data[offsets[first[i]]:offsets[last[i] + 1]].decode().replace(TAB_MARK, "\t") for i in other.tolist())
    resets = _other_lines(other + 1, texts, s)
    if resets is None:
        return None
    at = np.flatnonzero(block_at)
    crlf = data.find(b"\r", start) >= 0
    first, cells, line = first[at], cells[at], at + 1
    rt = pa.DictionaryArray.from_arrays(pa.array(kinds[at]), _record_types(heads.dictionary, crlf, marked))
    bid = _cell(flat, first, cells, 1, crlf, marked)
    del heads
    changed = np.ones(len(line), dtype=bool)
    if len(line) > 1:
        changed[1:] = np.asarray(pc.not_equal(bid[1:], bid[:-1]).to_numpy(zero_copy_only=False), dtype=bool)
    s.blocks = int(changed.sum())                    # FOOT's count: a block is a run of one BlockId
    seen = np.searchsorted(resets, line)             # another record between two block lines ends the block
    new = changed.copy()
    if len(line) > 1:
        new[1:] |= seen[1:] != seen[:-1]
    return Blocks(flat, first, cells, crlf, marked, rt, line, np.cumsum(new))


def _other_lines(numbers: np.ndarray, texts, s) -> np.ndarray | None:
    """HEAD, summaries, FOOT, headings, blank and comment lines, as the per-line reader reads
    them; returns the line numbers that end a block (records other than blank and `#`)."""
    resets = []
    for no, text in zip(numbers.tolist(), texts):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        cells = split_line(text)
        rt = cells[0].strip()
        if not text.startswith("#"):
            resets.append(no)
        if not file_record(s, no, rt, cells) and BLOCK.match(rt):
            return None                              # a block record with an unusual type cell
    return np.array(resets, dtype=np.int64)
