"""Header-row files: header/footer detection and streamed columnar reading (pyarrow.csv, calamine)."""
from __future__ import annotations

import io
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from typing import Callable, Collection, Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from . import normalise as nz
from .byte_ranges import mapped, ranges
from .coded import CODED
from .errors import SalesFileError
from .layouts import HeaderMatch, Layout, closest, match_header
from .layouts.base import TabularLayout
from .result import CleanOptions, CleanResult, Emitter, _fmt, add_bad
from .sniff import Line, TextInfo, detect_delimiter, read_lines, split_cells
from .transform import SNIFF_ROWS, Mapper, date_reader

_TOTAL = re.compile(r"^((grand|sub)[\s_-]*)?totals?\b|^sum\b|^end of (report|file)|^number of|^no earning|"
                    r"^summe\b|^gesamt|^somme\b|^totaal\b|^totale\b|^suma\b|^soma\b", re.I)
MAX_FOOTER = 20
BLOCK_BYTES = 8 << 20    # CSV read block (serial path): ~55 k rows of a DSP report, so per-batch costs stay small
CHUNK_BYTES = 8 << 20    # parallel cleaning: the smallest byte range (~55 k rows), one per task
# A larger file is cut in fewer, larger ranges (up to RANGE_GROWTH x CHUNK_BYTES), at least SPREAD
# of them so both cores finish together: each range's fixed costs (its distinct values mapped,
# its kernel calls, its dictionaries unified into the row groups) are paid fewer times (1 M-row
# main file, 24 MB ranges: 2.54 -> 2.18 CPU s, 1.35 -> 1.15 s)
RANGE_GROWTH, SPREAD = 3, 6
# the first range is cleaned alone (it settles the decimal separator from its first SNIFF_ROWS
# rows), the other core idle meanwhile: small, at least 4 * SNIFF_ROWS lines of the head's length
FIRST_BYTES = 1 << 20
RANGE_BATCH_ROWS = 200_000  # rows mapped at once in a range (a CHUNK_BYTES range holds ~60 k, the largest ~180 k)
WORKERS = min(2, os.cpu_count() or 1)
INFER_ROWS = 1040        # lines read for layout inference (header search + value sample)


def range_bytes(window: int) -> int:
    """The byte ranges a data window of `window` bytes is cut in for the parallel cleaning."""
    return min(RANGE_GROWTH * CHUNK_BYTES, max(CHUNK_BYTES, window // SPREAD))


def find_header(rows: list[list[str]], layouts: list[Layout], filename: str,
                sample: list[list[str]] | None = None, infer: bool = True) -> HeaderMatch:
    """The best known layout's header; else, when `infer`, a sure proposal from header names and
    the values of `sample` (more rows than `rows`) as layout `inferred`; else UNKNOWN_LAYOUT with
    the proposal in its details."""
    match = match_header(rows, list(range(1, len(rows) + 1)), layouts)
    if match is not None:
        return match
    found, near = closest(rows, layouts)
    message = (f"{filename!r}: no known layout matches; header found: {[c for c in found if c][:30]}; "
               f"closest layouts tried: {'; '.join(near) or 'none'}")
    if not infer:
        raise SalesFileError("UNKNOWN_LAYOUT", message + "; or teach this layout to your organisation with "
                             "POST /api/layouts/ (docs/formats.md)")
    from .infer import infer as propose
    from .infer import inferred_layout

    proposal = propose(sample or rows, filename)
    if proposal["sure"]:
        layout = inferred_layout(proposal)
        match = match_header(rows, list(range(1, len(rows) + 1)), [layout])
        if match is not None:
            return match
    why = "; ".join([f"not identified with confidence ≥ {proposal['threshold']}: {', '.join(proposal['missing'])}"]
                    * bool(proposal["missing"]) + [f"ambiguous {a}" for a in proposal["ambiguous"]])
    guessed = ", ".join(f"{f} ← {h!r}" for h, f in proposal["mapping"]["columns"].items())
    raise SalesFileError("UNKNOWN_LAYOUT", f"{message}; proposed mapping ({why or 'not sure'}): {guessed or 'none'}; "
                         "confirm or edit it with POST /api/files/salesfiles/{id}/layout/ (docs/formats.md, Inference)",
                         details={"layout_proposal": proposal})


def find_footer(tail: list[Line], data_start: int, delimiter: str | None, ncols: int,
                layout: TabularLayout) -> tuple[list[Line], int]:
    """Trailing total/summary lines (and `skip_bottom` lines). Returns (footer lines, byte end of data)."""
    i, footer, skipped = len(tail), [], 0
    while i > 0 and tail[i - 1].start >= data_start and len(footer) < MAX_FOOTER + layout.skip_bottom:
        line = tail[i - 1]
        if not line.text.strip():
            i -= 1
            continue
        cells = split_cells(line.text, delimiter)
        first = next((c.strip() for c in cells if c.strip()), "")
        if skipped < layout.skip_bottom or _TOTAL.match(first) or len(cells) < max(2, ncols // 2):
            skipped += 1
            footer.append(line)
            i -= 1
            continue
        break
    end = tail[i].start if i < len(tail) else (tail[-1].end if tail else data_start)
    return footer[::-1], end


class _Slice(io.RawIOBase):
    """A read-only window [start, end) of a file, counting bytes consumed for progress."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self.f = open(path, "rb")
        self.f.seek(start)
        self.left = end - start
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = min(len(b), self.left)
        if n <= 0:
            return 0
        got = self.f.readinto(memoryview(b)[:n])
        self.left -= got
        self.consumed += got
        return got

    def close(self) -> None:
        self.f.close()
        super().close()


def csv_batches(path: str, info: TextInfo, start: int, end: int, delimiter: str, ncols: int, header_line: int,
                emitter: Emitter, batch_rows: int,
                keep: list[int] | None = None, coded: Collection[int] = ()
                ) -> Iterator[tuple[list[pa.Array], pa.Array, int]]:
    """(columns, file line numbers, bytes consumed) per batch; rows with a wrong cell count are bad rows.
    `keep`: the indices of the columns to convert (None: all); the others are never materialised.
    `coded`: the indices of the columns read dictionary-coded."""
    skipped: list[int] = []
    names = [f"c{i}" for i in range(ncols)]

    def on_invalid(row: pcsv.InvalidRow) -> str:
        skipped.append(row.number)
        add_bad(emitter, header_line - 1 + row.number, f"expected {ncols} cells, got {row.actual_columns}")
        return "skip"

    stream = _Slice(path, start, end)
    enc = None if info.encoding == "utf-8" else info.encoding
    next_no = 2   # stream line number of the next row (the header is line 1 of the stream)
    try:
        try:
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=BLOCK_BYTES,
                                              encoding=enc or "utf8"),
                parse_options=pcsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False),
                convert_options=pcsv.ConvertOptions(column_types=_types(names, coded), strings_can_be_null=False,
                                                    quoted_strings_can_be_null=False,
                                                    include_columns=[names[i] for i in keep or ()]))
        except pa.ArrowInvalid as exc:
            if "skip initial" in str(exc):
                return  # only the header line: no data rows
            raise
        for batch in _rebatch(reader, batch_rows):
            n = batch.num_rows
            pending = [s for s in skipped if s >= next_no]
            nums = np.arange(next_no, next_no + n + len(pending), dtype=np.int64)
            if pending:
                nums = np.setdiff1d(nums, np.asarray(pending, dtype=np.int64), assume_unique=True)
            nums = nums[:n]
            next_no = int(nums[-1]) + 1 if n else next_no
            yield batch.columns, pa.array(nums + (header_line - 1)), stream.consumed
    except pa.ArrowInvalid as exc:
        raise SalesFileError("CORRUPTED", f"unreadable text: {exc}") from exc
    finally:
        stream.close()


def _types(names: list[str], coded: Collection[int]) -> dict[str, pa.DataType]:
    """Every cell read as text; the columns in `coded` dictionary-coded (`coded.py`)."""
    return {n: CODED if i in coded else pa.string() for i, n in enumerate(names)}


def _rebatch(reader: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    for batch in reader:
        for off in range(0, batch.num_rows, rows):
            yield batch.slice(off, rows)


class _Recorder:
    """Stands in for the Emitter while a range is cleaned in a thread; replayed in file order."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def count_invalid(self, name: str, n: int) -> None:
        self.calls.append((name, n))

    def note_quality(self, name: str, kind: str, count: int, samples: list[dict]) -> None:
        self.calls.append(("quality", name, kind, count, samples))

    def emit(self, cols, lines, reasons=None, values=None) -> None:
        self.calls.append((cols, lines, reasons, values))

    def state_rate(self, src: str, dst: str, month: str, rate) -> None:
        self.calls.append(("rate", src, dst, month, rate))


def _clean_range(path: str, span: tuple[int, int], first: bool, delimiter: str, ncols: int, header_line: int,
                 mapper: Mapper, batch_rows: int) -> tuple[list[tuple[int, str]], _Recorder, int]:
    """Read and map one byte range. Line numbers are relative to the range's first line (the header
    for the first range); returns (bad rows, recorded emitter calls, lines in the range)."""
    invalid: list[pcsv.InvalidRow] = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    data, quoted = mapped(path, span)
    names = [f"c{i}" for i in range(ncols)]
    try:
        table = pcsv.read_csv(
            data,
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1 if first else 0, use_threads=False,
                                          block_size=len(data) + 1),
            # a range without a quote character is read without quote handling: the same cells, ~10 % faster
            parse_options=pcsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid,
                                            ignore_empty_lines=False, quote_char='"' if quoted else False),
            convert_options=pcsv.ConvertOptions(column_types=_types(names, mapper.coded_columns()),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                check_utf8=False,  # sniff checked the whole file
                                                include_columns=[names[i] for i in mapper.used_columns() or ()]))
    except pa.ArrowInvalid as exc:
        raise SalesFileError("CORRUPTED", f"unreadable text: {exc}") from exc
    del data
    n = table.num_rows
    skipped = np.asarray([r.number for r in invalid], dtype=np.int64)
    base = 2 if first else 1
    nums = np.arange(base, base + n + len(skipped), dtype=np.int64)
    if len(skipped):
        nums = np.setdiff1d(nums, skipped, assume_unique=True)
    nums = nums[:n] + (header_line - 1)
    bad = [(header_line - 1 + r.number, f"expected {ncols} cells, got {r.actual_columns}") for r in invalid]
    recorder = _Recorder()
    table = table.combine_chunks()
    step = max(batch_rows, RANGE_BATCH_ROWS)          # one batch per range: fewer, larger kernel calls
    for off in range(0, n, step):
        part = table.slice(off, step)
        mapper.apply([c.chunks[0] if c.num_chunks == 1 else c.combine_chunks() for c in part.columns],
                     pa.array(nums[off:off + step]), recorder)  # type: ignore[arg-type]
    return bad, recorder, n + len(invalid) + (1 if first else 0)


def clean_parallel(path: str, spans: list[tuple[int, int]], delimiter: str, ncols: int, header_line: int,
                   mapper: Mapper, emitter: Emitter, batch_rows: int,
                   progress: Callable[[int, float], None] | None, ahead: int = 4) -> None:
    """Clean the data window cut in `spans` (header line first) on `WORKERS` threads
    (Arrow's CSV reader and compute kernels release the GIL) and emit the ranges in file order.
    The first range is cleaned alone so the mapper settles its decimal separator first; at most
    `ahead` ranges (TRIBUTARY_CLEAN_AHEAD) are in memory at once (enough to keep cleaning while the sink writes a row
    group)."""
    start, end = spans[0][0], spans[-1][1]
    total = max(1, end - start)
    offset = 0                                        # lines of the ranges already emitted

    def replay(result: tuple[list[tuple[int, str]], _Recorder, int], span_end: int) -> None:
        nonlocal offset
        bad, recorder, lines = result
        for line, why in bad:
            add_bad(emitter, line + offset, why)
        for call in recorder.calls:
            if len(call) == 2:
                emitter.count_invalid(*call)
            elif call[0] == "rate":
                emitter.state_rate(*call[1:])
            elif call[0] == "quality":
                _, name, kind, count, found = call
                emitter.note_quality(name, kind, count, [{**f, "line": f["line"] + offset} for f in found])
            else:
                cols, nums, reasons, values = call
                emitter.emit(cols, pc.add(nums, offset) if offset else nums, reasons, values)
        offset += lines
        if progress:
            progress(emitter.rows + emitter.bad, min(100.0, 100.0 * (span_end - start) / total))

    def task(i: int) -> tuple:
        return _clean_range(path, spans[i], i == 0, delimiter, ncols, header_line, mapper, batch_rows)

    replay(task(0), spans[0][1])
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="clean") as pool:
        pending: list[tuple[Future, int]] = []
        nxt = 1
        try:
            while nxt < len(spans) or pending:
                while nxt < len(spans) and len(pending) < ahead:
                    pending.append((pool.submit(task, nxt), spans[nxt][1]))
                    nxt += 1
                future, span_end = pending.pop(0)
                replay(future.result(), span_end)
        finally:
            for future, _ in pending:
                future.cancel()


def declared_from_footer(footer: list[Line], delimiter: str | None, mapper: Mapper) -> dict | None:
    return declared_from_rows([split_cells(line.text, delimiter) for line in footer], mapper)


def declared_from_rows(footer: list[list[str]], mapper: Mapper) -> dict | None:
    """The totals a file's footer/trailer rows state (cells already split; CSV/TSV or XLSX): the
    layout's own trailer reader (Apple Total_Amount…), else a `Total…` row's revenue cell."""
    if not footer:
        return None
    if mapper.layout.footer_totals is not None:       # layout-specific trailers (Apple Total_Amount…)
        return mapper.layout.footer_totals(footer)
    idx = next((mapper.headers.index(s) for s in mapper.layout.columns["revenue"] if s in mapper.headers), None)
    for cells in footer:
        first = next((c.strip() for c in cells if c.strip()), "")
        if idx is not None and idx < len(cells) and _TOTAL.match(first):
            amount, bad = nz.to_amount(pa.array([cells[idx]]), mapper.decimal_sep or ".", mapper.layout.thousands_sep)
            if amount[0].is_valid:
                return {"revenue": _fmt(amount[0].as_py())}
    return None


def totals_check(declared: dict | None, emitter: Emitter) -> dict | None:
    if not declared or "revenue" not in declared:
        return None
    imported = _fmt(emitter.revenue)
    ok = Decimal(declared["revenue"]) == emitter.revenue
    check = {"ok": ok, "declared": declared["revenue"], "imported": imported,
             "warning": None if ok else f"file states revenue {declared['revenue']}, imported rows sum to {imported}"}
    if "quantity" in declared:                        # e.g. Apple Total_Units
        q_ok = int(declared["quantity"]) == emitter.quantity
        check.update(declared_quantity=declared["quantity"], imported_quantity=str(emitter.quantity))
        if not q_ok:
            check["ok"] = False
            why = f"file states quantity {declared['quantity']}, imported rows sum to {emitter.quantity}"
            check["warning"] = why if ok else f"{check['warning']}; {why}"
    return check


def clean_text_tabular(path: str, filename: str, info: TextInfo, head: list[Line], options: CleanOptions,
                       layouts: list[Layout], emitter: Emitter, progress: Callable[[int, float], None] | None) -> CleanResult:
    texts = [ln.text for ln in head]
    delimiter = detect_delimiter(texts)
    rows = [split_cells(t, delimiter) for t in texts[:40]]
    sample = [split_cells(t, delimiter) for t in texts[:INFER_ROWS]] if delimiter is not None else rows
    match = find_header(rows, layouts, filename, sample, options.infer)
    if match.layout.refuse is not None:
        raise SalesFileError("NOT_SALES", f"{filename!r}: {match.layout.refuse(rows, match.row)}")
    if delimiter is None:
        raise SalesFileError("UNKNOWN_LAYOUT", f"{filename!r}: no column delimiter found")
    header = head[match.row]
    tail = read_lines(path, info, from_end=True, limit=64 * 1024)
    footer, end = find_footer(tail, header.end, delimiter, len(match.headers), match.layout)
    mapper = Mapper(match.layout, match.headers, dates=date_reader(match.layout, options))
    emitter.dates = mapper.dates
    data_bytes = max(1, end - header.start)
    line_bytes = (head[-1].end - header.start) / max(1, len(head) - match.row)
    first = max(FIRST_BYTES, int(4 * SNIFF_ROWS * line_bytes))  # the sniff's rows, with room to spare
    spans = ranges(path, header.start, end, range_bytes(data_bytes), first) \
        if info.encoding == "utf-8" and WORKERS > 1 and data_bytes > 2 * CHUNK_BYTES else []
    if len(spans) > 2:                                # (a file without `\n` line ends stays serial)
        clean_parallel(path, spans, delimiter, len(match.headers), match.row + 1, mapper, emitter,
                       options.batch_rows, progress, options.clean_ahead)
    else:
        for columns, lines, consumed in csv_batches(path, info, header.start, end, delimiter, len(match.headers),
                                                     match.row + 1, emitter, options.batch_rows,
                                                     mapper.used_columns(), mapper.coded_columns()):
            mapper.apply(columns, lines, emitter)
            if progress:
                progress(emitter.rows + emitter.bad, min(100.0, 100.0 * consumed / data_bytes))
    emitter.check_share(filename)
    declared = declared_from_footer(footer, delimiter, mapper)
    return emitter.result(layout=match.layout.name, encoding=info.encoding if not info.bom or info.encoding != "utf-8" else "utf-8-sig",
                          delimiter=delimiter, header_line=match.row + 1, footer_lines=len(footer),
                          declared_totals=declared, totals_check=totals_check(declared, emitter),
                          inference=getattr(match.layout, "proposal", None))


def find_footer_rows(rows: list[list[str]], ncols: int, layout: TabularLayout) -> int:
    """Number of trailing rows (of already split cells) that are blank, totals or `skip_bottom`."""
    n, hits = len(rows), 0
    while n > 0 and hits < MAX_FOOTER + layout.skip_bottom:
        nonempty = [c.strip() for c in rows[n - 1] if c.strip()]
        if not nonempty or hits < layout.skip_bottom or _TOTAL.match(nonempty[0]) or len(nonempty) < 2:
            hits += 1 if nonempty else 0
            n -= 1
            continue
        break
    return len(rows) - n
