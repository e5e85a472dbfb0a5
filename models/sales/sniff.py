"""File-level detection: type, encoding, text lines with byte offsets, delimiter, footer lines."""
from __future__ import annotations

import codecs
import csv
import mmap
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from charset_normalizer import from_bytes

from .errors import SalesFileError

TEXT_EXT = {".csv", ".tsv", ".txt"}
EXCEL_EXT = {".xls", ".xlsx"}
_FOREIGN_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG", b"GIF8": "GIF", b"\xff\xd8\xff": "JPEG",
                  b"\x1f\x8b": "gzip", b"PK\x03\x04": "ZIP", b"Rar!": "RAR", b"7z\xbc\xaf": "7z",
                  b"<?xml": "XML", b"{\\rtf": "RTF"}
_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
_LEGACY = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850"}
HEAD_BYTES = 256 * 1024
MAX_LINE_BYTES = 1 << 20  # no sales line comes near 1 MiB; a longer one is not a report
CHECK_CHUNK = 8 << 20  # bytes per read of the whole-file checks
DELIMITERS = ["\t", ",", ";", "|"]


@dataclass
class TextInfo:
    encoding: str          # Python codec name of the content after the BOM
    bom: int               # BOM length in bytes (content starts there)
    size: int
    short_lines: bool = False   # the UTF-8 pass found no line near MAX_LINE_BYTES (`check_line_lengths`)


def detect_kind(path: str, filename: str) -> str:
    """'text' or 'excel'; raises UNSUPPORTED_TYPE / EMPTY."""
    ext = os.path.splitext(filename.lower())[1]
    if ext not in TEXT_EXT | EXCEL_EXT:
        raise SalesFileError("UNSUPPORTED_TYPE", f"{filename!r}: extension {ext or '(none)'!r} is not CSV/TSV/TXT/XLS/XLSX")
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
    if size == 0:
        raise SalesFileError("EMPTY", f"{filename!r} is empty (0 bytes)")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        if ext == ".xlsx" or ext == ".xls":
            return "excel"
        raise SalesFileError("UNSUPPORTED_TYPE", f"{filename!r} is a ZIP/OLE container, not a {ext} text file")
    for magic, what in _FOREIGN_MAGIC.items():
        if head.startswith(magic):
            raise SalesFileError("UNSUPPORTED_TYPE", f"{filename!r} contains {what} data, not a sales report")
    # Excel-named files that hold text (common "xls" exports) are read as text; binary ones fail below.
    return "text"


def detect_encoding(path: str, filename: str) -> TextInfo:
    """BOM → UTF-8/UTF-16; else strict UTF-8 over the whole file (streamed); else a legacy single-byte
    code page (charset-normalizer's pick when it is one, cp1252, latin-1). NUL bytes in a non-UTF-16
    file, undecodable bytes or control-character noise → CORRUPTED."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    enc, bom = None, 0
    for mark, name in _BOMS:
        if head.startswith(mark):
            enc, bom = name, len(mark)
            break
    if enc is None and len(head) >= 4 and head.count(b"\x00") > len(head) // 3:
        # UTF-16 without BOM: NULs in one byte lane
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    short = False
    if enc is None or enc == "utf-8":
        valid, short = _utf8_check(path, bom, size, filename)
        if valid:
            enc = "utf-8"
        elif enc == "utf-8":
            raise SalesFileError("CORRUPTED", f"{filename!r} declares UTF-8 (BOM) but holds undecodable bytes")
        else:
            enc = _legacy_codec(head)
    else:
        if (size - bom) % 2:
            raise SalesFileError("CORRUPTED", f"{filename!r}: {enc} content has an odd number of bytes (truncated)")
        if not _stream_check(path, enc, bom):
            raise SalesFileError("CORRUPTED", f"{filename!r}: undecodable {enc} bytes")
    info = TextInfo(enc, bom, size, short_lines=short and enc == "utf-8")
    sample = head[bom:bom + 64 * 1024].decode(enc, errors="ignore")
    if not sample.strip():
        raise SalesFileError("EMPTY", f"{filename!r} holds no text")
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f") + sample.count("\x00")
    if controls > max(2, len(sample) // 100):
        raise SalesFileError("CORRUPTED", f"{filename!r} contains binary data (control bytes in text)")
    return info


def _stream_check(path: str, enc: str, start: int) -> bool:
    """Strict decoding of the whole file with `enc` (UTF-16; UTF-8 has `_utf8_check`)."""
    decoder = codecs.getincrementaldecoder(enc)("strict")
    with open(path, "rb") as f:
        f.seek(start)
        try:
            while chunk := f.read(4 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _utf8_cuts(fd: int, start: int, size: int, step: int) -> list[int]:
    """Offsets about every `step` bytes, moved past continuation bytes (at most 3) so no cut
    falls inside a character of valid UTF-8 (valid parts then make a valid whole, and back)."""
    cuts = [start]
    for pos in range(start + step, size, step):
        head = os.pread(fd, 4, pos)
        skip = 0
        while skip < 3 and skip < len(head) and 0x80 <= head[skip] < 0xC0:
            skip += 1
        cuts.append(pos + skip)
    return [*cuts, size]


def _utf8_check(path: str, start: int, size: int, filename: str) -> tuple[bool, bool]:
    """(strict UTF-8, no long line) over the whole file with Arrow's validator, on both cores (a
    660 MB file in ~0.15 s, where Python's incremental decoder takes ~0.9 s); NUL bytes are
    CORRUPTED. The same pass tells `check_line_lengths` there is no line to measure (`_short`),
    so the file is not read a second time for it. The bytes are the file's memory map, never
    copied, and each part's pages leave the worker's resident set once checked (`_let_go`)."""
    import numpy as np
    import pyarrow as pa

    if size <= start:
        return True, True

    def valid(span: tuple[int, int]) -> tuple[bool, bool]:
        try:
            if whole.find(b"\x00", *span) >= 0:
                raise SalesFileError("CORRUPTED", f"{filename!r} contains NUL bytes (binary data in a text file)")
            offsets = pa.py_buffer(np.array([0, span[1] - span[0]], dtype=np.int32))
            try:
                text = data.slice(span[0], span[1] - span[0])
                pa.Array.from_buffers(pa.string(), 1, [None, offsets, text]).validate(full=True)
            except pa.ArrowInvalid:
                return False, False
            return True, _short(whole, MAX_LINE_BYTES, *span)
        finally:
            _let_go(whole, *span)

    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as whole:
        data = pa.py_buffer(whole)      # the same map, for Arrow (slices are thread-safe)
        try:
            cuts = _utf8_cuts(f.fileno(), start, size, CHECK_CHUNK)
            spans = list(zip(cuts, cuts[1:]))
            if len(spans) < 2:
                found = list(map(valid, spans))
            else:
                with ThreadPoolExecutor(max_workers=2, thread_name_prefix="utf8") as pool:
                    found = list(pool.map(valid, spans))
        finally:
            data = None                 # the map cannot close while Arrow holds it
        return all(ok for ok, _ in found), all(short for _, short in found)


def _let_go(whole: mmap.mmap, start: int, end: int) -> None:
    """Unmaps the checked pages of `whole` (a read-only map of the file) from this process: they
    stay in the page cache, but no longer count in the worker's resident set, which otherwise
    held the whole file at the end of the check (a 5 M-row file: 664 MiB of its peak RSS). A
    page a neighbouring part still reads is mapped again from the cache on its next access."""
    if hasattr(mmap, "MADV_DONTNEED"):
        first = start - start % mmap.PAGESIZE
        whole.madvise(mmap.MADV_DONTNEED, first, end - first)


def _short(data, limit: int = MAX_LINE_BYTES, start: int = 0, end: int | None = None) -> bool:
    """Every whole window of limit/3 bytes of `data[start:end]` (bytes or a memory map; a part
    of the file, windows from its start) holds a newline. A line longer than `limit` holds a
    whole window of some part when the parts but the last are at least a window long
    (`_utf8_cuts`' are CHECK_CHUNK): inside one part it spans two windows' length; across a
    cut, its piece after the cut is a window long or the piece before it is a window longer
    than that part's unaligned end; across two cuts it holds a whole part. So when every part
    says True no line is too long; False only means the lines must be measured."""
    return _windows_hold_newline(data, max(1, limit // 3), start, end)


def _windows_hold_newline(data, window: int, start: int = 0, end: int | None = None) -> bool:
    """Every whole `window`-byte window of `data[start:end]`, counted from `start`, holds a
    newline (one `find` per window, stopping at its first newline)."""
    end = len(data) if end is None else end
    return all(data.find(b"\n", i, i + window) >= 0 for i in range(start, end - window + 1, window))


def check_line_lengths(path: str, info: TextInfo, filename: str, limit: int = MAX_LINE_BYTES) -> None:
    """CORRUPTED when a line is longer than `limit` bytes (streamed: memory stays one chunk).
    Without this, a giant last line would fall outside the head and tail windows unseen.

    Fast path: when every whole window of limit/2 bytes holds a newline (the chunks are whole
    windows, so the windows run on across them), no line reaches `limit`; else lines are measured.
    Nothing to read when the UTF-8 pass found the same (`TextInfo.short_lines`)."""
    if info.short_lines and limit >= MAX_LINE_BYTES:
        return
    window = max(1, limit // 2)
    chunk = window * max(1, CHECK_CHUNK // window)
    with open(path, "rb") as f:
        f.seek(info.bom)
        while data := f.read(chunk):
            if not _windows_hold_newline(data, window):
                break
        else:
            return
    run = 0  # bytes of the line still open at the end of the previous chunk
    with open(path, "rb") as f:
        f.seek(info.bom)
        while chunk := f.read(4 << 20):
            pieces = chunk.split(b"\n")
            longest = run + len(pieces[0])
            if len(pieces) > 1:
                longest = max(longest, *map(len, pieces[1:]))
                run = len(pieces[-1])
            else:
                run = longest
            if longest > limit:
                raise SalesFileError("CORRUPTED", f"{filename!r} has a line longer than {limit} "
                                     "bytes: not a sales report")


def _legacy_codec(head: bytes) -> str:
    """cp1252 (superset of Latin-1's printable range, the usual Windows export) when it decodes;
    otherwise charset-normalizer's guess among single-byte code pages; else Latin-1 (decodes anything)."""
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    best = from_bytes(head[:64 * 1024]).best()
    return best.encoding if best is not None and best.encoding in _LEGACY else "latin-1"


@dataclass
class Line:
    start: int   # byte offset of the line in the file
    end: int     # byte offset after its newline
    text: str    # without the line terminator


def read_lines(path: str, info: TextInfo, from_end: bool = False, limit: int = HEAD_BYTES) -> list[Line]:
    """Complete lines from the head (or tail) of a text file, with exact byte offsets."""
    unit = 2 if info.encoding.startswith("utf-16") else 1
    with open(path, "rb") as f:
        if from_end:
            start = max(info.bom, info.size - limit)
            start += (start - info.bom) % unit
        else:
            start = info.bom
        f.seek(start)
        raw = f.read(limit)
    if from_end and start > info.bom:  # drop the partial first line, cut at an aligned newline
        nl = "\n".encode(info.encoding)
        idx = raw.find(nl)
        while idx >= 0 and idx % unit:
            idx = raw.find(nl, idx + 1)
        cut = len(raw) if idx < 0 else idx + len(nl)
        raw, start = raw[cut:], start + cut
    text = raw.decode(info.encoding, errors="replace")
    complete = start + len(raw) >= info.size
    parts = text.split("\n")
    lines, pos = [], start
    for i, part in enumerate(parts):
        is_last = i == len(parts) - 1
        nbytes = len((part if is_last else part + "\n").encode(info.encoding, errors="replace"))
        if (not is_last or complete) and not (is_last and part == ""):
            lines.append(Line(pos, pos + nbytes, part.rstrip("\r")))
        pos += nbytes
    return lines


def split_cells(text: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return [text]
    try:
        return next(csv.reader([text.replace("\r", " ")], delimiter=delimiter), [])
    except csv.Error:
        return text.split(delimiter)


def detect_delimiter(lines: list[str]) -> str | None:
    """The delimiter giving the most lines with the same (>1) field count; ties in DELIMITERS order."""
    sample = [ln for ln in lines[:60] if ln.strip()]
    best, best_key = None, (0, 0)
    for d in DELIMITERS:
        counts = Counter(len(split_cells(ln, d)) for ln in sample)
        counts.pop(1, None)
        if not counts:
            continue
        width, freq = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if (freq, width) > best_key:
            best, best_key = d, (freq, width)
    return best
