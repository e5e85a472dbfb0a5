"""XLS/XLSX via python-calamine: pick the sheet that looks like sales, stream its rows in batches."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pyarrow as pa
from python_calamine import CalamineWorkbook

from .errors import SalesFileError
from .layouts import Layout, match_header
from .result import CleanOptions, CleanResult, Emitter
from .tabular import find_header, find_footer_rows
from .transform import Mapper

PROBE_ROWS = 40


def cell_text(v: object) -> str:
    """Calamine values → text as a CSV export would show them (integral floats without `.0`)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e18 else repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def _open(path: str, filename: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises several error types for broken containers
        raise SalesFileError("CORRUPTED", f"{filename!r}: invalid or truncated workbook ({exc})") from exc


def clean_excel(path: str, filename: str, options: CleanOptions, layouts: list[Layout], emitter: Emitter,
                progress: Callable[[int, float], None] | None) -> CleanResult:
    wb = _open(path, filename)
    best, probes = None, {}
    try:
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            rows = [[cell_text(c) for c in r] for _, r in zip(range(PROBE_ROWS), sheet.iter_rows())]
            probes[name] = rows
            m = match_header(rows, list(range(1, len(rows) + 1)), layouts)
            if m is not None and (best is None or (m.score, -m.row) > (best[1].score, -best[1].row)):
                best = (name, m)
    except SalesFileError:
        raise
    except Exception as exc:
        raise SalesFileError("CORRUPTED", f"{filename!r}: unreadable workbook ({exc})") from exc
    if best is None:
        biggest = max(probes, key=lambda k: len(probes[k]), default=None)
        if biggest is None or not any(any(c for c in r) for r in probes[biggest]):
            raise SalesFileError("EMPTY", f"{filename!r}: workbook has no data")
        find_header(probes[biggest], layouts, f"{filename} [{biggest}]")  # raises UNKNOWN_LAYOUT
    sheet_name, match = best
    sheet = wb.get_sheet_by_name(sheet_name)
    width = len(match.headers)
    mapper = Mapper(match.layout, match.headers)
    total = max(1, sheet.height)
    first_line = match.row + 2

    def flush(rows: list[list[str]], start_line: int) -> None:
        cols = [pa.array([r[i] for r in rows], pa.string()) for i in range(width)]
        mapper.apply(cols, pa.array(range(start_line, start_line + len(rows)), pa.int64()), emitter)

    data: list[list[str]] = []
    for i, row in enumerate(sheet.iter_rows()):
        if i <= match.row:
            continue
        cells = [cell_text(c) for c in row[:width]] + [""] * max(0, width - len(row))
        data.append(cells)
        if len(data) >= options.batch_rows + 64:   # keep a tail so footer rows are never emitted
            keep = data[-64:]
            flush(data[:-64], first_line)
            first_line += len(data) - 64
            data = keep
            if progress:
                progress(emitter.rows + emitter.bad, 100.0 * i / total)
    footer_n = find_footer_rows(data, width, match.layout)
    if len(data) - footer_n > 0:
        flush(data[:len(data) - footer_n], first_line)
    emitter.check_share(filename)
    return emitter.result(layout=match.layout.name, encoding="xlsx" if filename.lower().endswith("x") else "xls",
                          delimiter=None, header_line=match.row + 1, footer_lines=footer_n)
