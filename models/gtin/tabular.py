"""Delimited-text reading for imports: preview of an upload's first bytes, and a streaming record
iterator over a local file. Every problem is a GtinError (whole file) or a BadLine (one record).
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from models.gtin.errors import GtinError

DELIMITERS = (",", "\t", ";", "|")
MAX_LINE_BYTES = 1 << 20  # one physical line; longer ones become a BadLine
_SNIFF_BYTES = 1 << 16
SINGLE_BYTE_ENCODINGS = ("cp1252", "iso8859_15", "cp1250", "cp1251", "iso8859_2", "mac_roman", "cp850")
Record = dict[str, str]


@dataclass(frozen=True)
class BadLine:
    line: int  # physical line where the record starts (header = line 1)
    reason: str


def check_delimiter(delimiter: object) -> str:
    if delimiter not in DELIMITERS:
        raise GtinError("delimiter", f"must be one of {', '.join(map(repr, DELIMITERS))}", value=delimiter)
    return delimiter  # type: ignore[return-value]


def detect_encoding(head: bytes) -> str:
    """Encoding of a file from its first bytes: UTF-8 (BOM optional) first, else charset-normalizer's guess.

    Only single-byte ASCII-compatible encodings are accepted, because records are split on b"\\n".
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise GtinError("data", "UTF-16/32 text is not supported; save the file as UTF-8")
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8-sig"  # the sample cut a multi-byte character
    # Multi-byte legacy encodings (Shift-JIS, Big5...) can hide delimiter bytes inside characters,
    # so only single-byte ones are considered; cp1252 is the spreadsheet default.
    best = from_bytes(head, cp_isolation=list(SINGLE_BYTE_ENCODINGS)).best()
    return best.encoding if best is not None else "cp1252"


_UNCLOSED = "unclosed quote: the quoted field never ends"


class _Runaway(Exception):
    """A record grew past MAX_LINE_BYTES (an unclosed quote swallowing the lines after it)."""


class _Lines:
    """Physical lines for csv.reader, decoded one by one and numbered. The lines of the record
    being read are kept (`taken`), so a record that turns out broken (a csv error, an unclosed
    quote, a multi-line record with the wrong cell count) is reported at its first line and its
    other lines are read again (`resync`): a syntax error never swallows the lines after it."""

    def __init__(self, raw: Iterable[bytes], encoding: str) -> None:
        self.raw, self.encoding = iter(raw), encoding
        self.first, self.overflow, self.number = True, False, 0
        self.pending: list[tuple[int, str, str | None]] = []  # lines to read again, last first
        self.taken: list[tuple[int, str, str | None]] = []    # (line, text, problem) of the record
        self.size = 0

    def start(self) -> None:
        self.taken, self.size = [], 0

    def problem(self) -> str | None:
        return next((p for _, _, p in self.taken if p), None)

    def resync(self) -> None:
        """Read again every line of the current record after its first."""
        self.pending.extend(reversed(self.taken[1:]))
        self.start()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        item = self.pending.pop() if self.pending else self._read()
        self.taken.append(item)
        self.size += len(item[1])
        if self.size > MAX_LINE_BYTES and len(self.taken) > 1:
            raise _Runaway(f"a quoted field runs over {MAX_LINE_BYTES} bytes (unclosed quote?)")
        return item[1]

    def _read(self) -> tuple[int, str, str | None]:
        for chunk in self.raw:
            if self.overflow:  # discard the rest of an over-long line
                self.overflow = not chunk.endswith(b"\n")
                continue
            self.number += 1
            if len(chunk) >= MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                self.overflow = True
                return self.number, "\n", f"line longer than {MAX_LINE_BYTES} bytes"
            enc = self.encoding if self.first else self.encoding.replace("utf-8-sig", "utf-8")
            self.first = False
            try:
                return self.number, chunk.decode(enc), None
            except UnicodeDecodeError:
                return self.number, chunk.decode(enc, "replace"), f"invalid {self.encoding} text"
        raise StopIteration


def _rows(lines: _Lines, delimiter: str, quotechar: str | None
          ) -> Iterator[tuple[int, list[str] | BadLine]]:
    """(first line, fields | BadLine) per record; blank lines are skipped. After a broken record
    the reading goes on at the physical line after its first (see _Lines)."""
    quoting = csv.QUOTE_MINIMAL if quotechar else csv.QUOTE_NONE
    reader = csv.reader(lines, delimiter=delimiter, quotechar=quotechar, quoting=quoting, strict=True)
    while True:
        lines.start()
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, _Runaway) as exc:
            start = lines.taken[0][0] if lines.taken else lines.number
            lines.resync()
            reason = _UNCLOSED if str(exc) == "unexpected end of data" else str(exc)
            yield start, BadLine(start, f"syntax: {reason}")
            continue
        start = lines.taken[0][0]
        problem = lines.problem() if len(lines.taken) > 1 or lines.taken[0][2] else None
        if problem:
            yield start, BadLine(start, problem)
        elif row:
            yield start, row


def _header(row: list[str] | BadLine) -> list[str]:
    if isinstance(row, BadLine):
        raise GtinError("header", f"unreadable header line: {row.reason}")
    names = [name.strip() for name in row]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise GtinError("header", f"duplicate column name(s): {', '.join(dupes)}")
    return names


def _records(lines: _Lines, rows: Iterator[tuple[int, list[str] | BadLine]], has_header: bool
             ) -> tuple[list[str] | None, Iterator[tuple[int, Record | BadLine]]]:
    header: list[str] | None = None
    if has_header:
        first = next(rows, None)
        header = _header(first[1]) if first else []

    def gen() -> Iterator[tuple[int, Record | BadLine]]:
        width = len(header) if header is not None else 0
        for line, row in rows:
            if isinstance(row, BadLine):
                yield line, row
            elif header is None:
                yield line, {str(i): value for i, value in enumerate(row, 1)}
            elif len(row) != width:
                if len(lines.taken) > 1:  # a quote opened a record over several lines: resync
                    lines.resync()
                yield line, BadLine(line, f"syntax: expected {width} fields, got {len(row)}")
            else:
                yield line, dict(zip(header, row))

    return header, gen()


def preview(data: bytes, delimiter: str, has_header: bool, num_lines: int, *, quotechar: str | None = '"'
            ) -> dict[str, object]:
    """First `num_lines` records of an upload's head: {"header", "records", "bad_lines"}.

    Without a header, columns are named "1", "2", ...; the header then lists the widest record.
    """
    check_delimiter(delimiter)
    if not isinstance(num_lines, int) or isinstance(num_lines, bool) or num_lines < 0:
        raise GtinError("num_lines", "must be a non-negative integer")
    encoding = detect_encoding(data[:_SNIFF_BYTES])
    if encoding == "utf-8-sig":
        data = data.removeprefix(codecs.BOM_UTF8)
        encoding = "utf-8"
    raw = io.BytesIO(data)
    lines = _Lines(iter(lambda: raw.readline(MAX_LINE_BYTES), b""), encoding)
    header, records = _records(lines, _rows(lines, delimiter, quotechar), has_header)
    good: list[Record] = []
    bad: list[dict[str, object]] = []
    for line, record in records:
        if len(good) >= num_lines:
            break
        if isinstance(record, BadLine):
            bad.append({"line": record.line, "reason": record.reason})
        else:
            good.append(record)
    if header is None:
        header = [str(i) for i in range(1, max((len(r) for r in good), default=0) + 1)]
    return {"header": header, "records": good, "bad_lines": bad}


class FileRecords:
    """Streaming records of a local file (bounded memory): iterate for (line, Record | BadLine).

    `header` is set once iteration has started (None without a header).
    """

    def __init__(self, path: str | Path, delimiter: str, has_header: bool, *, quotechar: str | None = '"') -> None:
        self.path, self.delimiter, self.has_header, self.quotechar = Path(path), check_delimiter(delimiter), has_header, quotechar
        self.header: list[str] | None = None

    def __iter__(self) -> Iterator[tuple[int, Record | BadLine]]:
        with self.path.open("rb") as f:
            encoding = detect_encoding(f.read(_SNIFF_BYTES))
            f.seek(0)
            lines = _Lines(iter(lambda: f.readline(MAX_LINE_BYTES), b""), encoding)
            self.header, records = _records(lines, _rows(lines, self.delimiter, self.quotechar),
                                            self.has_header)
            yield from records
