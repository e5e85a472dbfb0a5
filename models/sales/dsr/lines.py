"""A DSR file as Arrow: every line one string (split on `\\n` by numpy over the file's bytes, no
Python object per line), block records (RE/AS/SU/MW/RU/LI) cut into cells by Arrow and numbered
by block with a cumulative sum; HEAD, summaries, FOOT, headings and anything unusual (a few
lines) go through the per-line code of the reader (same Scan). `None` where the file needs the
per-line reader throughout (not UTF-8, a block record type spelt with spaces, a placeholder
character already in the file)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..sniff import TextInfo
from .records import BLOCK, SUMMARY, heading, record, split_line

# a block record whose type cell is plain (no spaces around it), read by Arrow
_PLAIN_BLOCK = r"^(RE|AS|MW|RU|SU|LI)\d\d[0-9A-Za-z._-]*(\t|$)"
TAB_MARK = "\ue000"   # stands for an escaped tab (`\<TAB>`) while Arrow splits on tabs


def _pool() -> pa.MemoryPool:
    """jemalloc for the splits: list builders grow by reallocation, which the default mimalloc
    pool copies (split_pattern of 1 M lines: 0.65–1.5 s CPU on mimalloc, 0.2 s on jemalloc)."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


POOL = _pool()


@dataclass
class Blocks:
    """Block lines in file order: `parts` (list of cells), `cells` (their count), `rt` (record
    type), `line` (1-based line numbers), `block` (block number, as the per-line reader flushes)."""

    parts: pa.Array
    cells: np.ndarray
    rt: pa.Array
    line: np.ndarray
    block: np.ndarray
    escaped: bool      # some line held a `\\` escape: cells may hold TAB_MARK

    def cell(self, i: int, rows: np.ndarray) -> pa.Array:
        return cell(self.parts, self.cells, i, rows)


def cell(parts: pa.Array, cells: np.ndarray, i: int, rows: np.ndarray | None = None) -> pa.Array:
    """Cell `i` of the lines `rows` (all if None); "" where a line is shorter (ragged records)."""
    has = cells > i
    if has.all():
        out = pc.list_element(parts, i, memory_pool=POOL)
    else:
        some = pc.list_element(parts.filter(pa.array(has)), i, memory_pool=POOL)
        out = pc.replace_with_mask(pa.nulls(len(has), some.type).fill_null(""), pa.array(has), some)
    return out if rows is None else out.take(pa.array(rows))


def file_lines(path: str, info: TextInfo) -> pa.Array | None:
    """Lines as Python's text mode reads them (split on `\\n`, `\\r\\n` stripped), or None."""
    if info.encoding != "utf-8":
        return None
    with open(path, "rb") as f:
        data = f.read()
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    raw = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(raw == 10).astype(np.int64) + 1
    if len(data) > start and (not len(ends) or ends[-1] != len(data)):
        ends = np.append(ends, len(data))
    offsets = np.concatenate([[start], ends]).astype(np.int64)
    kind = pa.LargeStringArray if len(data) >= 2 ** 31 else pa.StringArray
    offsets = offsets.astype(np.int64 if len(data) >= 2 ** 31 else np.int32)
    lines = kind.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        lines.validate(full=True)
    except pa.ArrowInvalid:                      # not UTF-8: the per-line reader replaces bytes
        return None
    return pc.utf8_rtrim(lines, characters="\r\n")


def read_blocks(path: str, info: TextInfo, s) -> Blocks | None:
    """Fills `s` (reader.Scan) from the non-block lines and the block count; returns the block
    lines, or None for the per-line reader."""
    lines = file_lines(path, info)
    if lines is None:
        return None
    s.lines = len(lines)
    plain = pc.match_substring_regex(lines, _PLAIN_BLOCK)
    block_at = np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)
    resets = _other_lines(lines, block_at, s)
    if resets is None:
        return None
    line = np.flatnonzero(block_at) + 1
    text = lines.filter(plain)
    escaped = pc.any(pc.match_substring(text, "\\")).as_py() or False
    if escaped:
        if pc.any(pc.match_substring(lines, TAB_MARK)).as_py():
            return None
        text = _escaped_tabs(text)
    del lines
    parts = pc.split_pattern(text, "\t", memory_pool=POOL)
    del text
    cells = np.asarray(pc.list_value_length(parts).to_numpy(zero_copy_only=False), dtype=np.int64)
    rt, bid = cell(parts, cells, 0), cell(parts, cells, 1)
    changed = np.ones(len(line), dtype=bool)
    if len(line) > 1:
        changed[1:] = np.asarray(pc.not_equal(bid[1:], bid[:-1]).to_numpy(zero_copy_only=False), dtype=bool)
    s.blocks = int(changed.sum())                # FOOT's count: a block is a run of one BlockId
    seen = np.searchsorted(resets, line)         # another record between two block lines ends the block
    new = changed.copy()
    if len(line) > 1:
        new[1:] |= seen[1:] != seen[:-1]
    return Blocks(parts, cells, rt, line, np.cumsum(new), escaped)


def _other_lines(lines: pa.Array, block_at: np.ndarray, s) -> np.ndarray | None:
    """HEAD, summaries, FOOT, headings, blank and comment lines, as the per-line reader reads
    them; returns the line numbers that end a block (records other than blank and `#`)."""
    idx = np.flatnonzero(~block_at)
    resets = []
    for no, text in zip((idx + 1).tolist(), lines.take(pa.array(idx)).to_pylist()):
        if not text.strip():
            continue
        cells = split_line(text)
        rt = cells[0].strip()
        if not text.startswith("#"):
            resets.append(no)
        if rt.startswith("#"):
            named = heading(cells)
            if named:
                s.headings.setdefault(*named)
        elif rt == "HEAD":
            s.head = record(cells)
        elif rt == "FOOT":
            s.foot = record(cells)
        elif SUMMARY.match(rt):
            s.summaries.add(no, rt, record(cells, s.names(rt)))
        elif BLOCK.match(rt):
            return None                          # a block record with an unusual type cell
    return np.array(resets, dtype=np.int64)


def _escaped_tabs(text: pa.Array) -> pa.Array:
    """Lines holding a `\\` escape: cut by the escape-aware splitter (records.split_line), an
    escaped tab kept as TAB_MARK so that Arrow's split on tabs gives the same cells."""
    mask = pc.match_substring(text, "\\")
    rows = text.filter(mask).to_pylist()
    fixed = ["\t".join(c.replace("\t", TAB_MARK) for c in split_line(r)) for r in rows]
    return pc.replace_with_mask(text, mask, pa.array(fixed, text.type))
