"""XLS/XLSX via python-calamine: pick the sheet that looks like sales, stream its rows in batches."""
from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from .errors import SalesFileError
from .layouts import Layout, match_header
from .result import CleanOptions, CleanResult, Emitter
from .tabular import declared_from_rows, find_footer_rows, find_header, totals_check
from .transform import Mapper, date_reader

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


def column_text(values: tuple | list) -> pa.Array:
    """One column of calamine values → the texts `cell_text` gives, columnar when the column
    holds one type (strings, numbers, empty cells): no Python call per cell on a 200 k-row
    sheet. Mixed columns, dates and booleans go cell by cell."""
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array([cell_text(v) for v in values], pa.string())
    kind = arr.type
    if pa.types.is_string(kind):
        return arr.fill_null("") if arr.null_count else arr
    if pa.types.is_null(kind):
        return pa.repeat(pa.scalar("", pa.string()), len(arr))
    if pa.types.is_integer(kind):
        return pc.cast(arr, pa.string()).fill_null("")
    if not pa.types.is_floating(kind):
        return pa.array([cell_text(v) for v in values], pa.string())
    num = arr.fill_null(0.0).to_numpy(zero_copy_only=False)
    whole = (np.floor(num) == num) & (np.abs(num) < 1e18)
    text = pc.if_else(pa.array(whole), pc.cast(pa.array(np.where(whole, num, 0).astype(np.int64)), pa.string()),
                      pc.cast(arr, pa.string()))
    odd = np.flatnonzero(~whole & (np.abs(num) < 1e-4))   # where repr writes an exponent
    if len(odd):
        text = pc.replace_with_mask(text, pa.array(np.isin(np.arange(len(num)), odd)),
                                    pa.array([repr(float(num[i])) for i in odd], pa.string()))
    if arr.null_count:
        text = pc.if_else(pc.is_null(arr), pa.scalar(""), text)
    return text


def _columns(rows: list[list], width: int) -> list[list]:
    """The first `width` columns of rows at least that wide, transposed in C (a numpy object
    array: a quarter of `zip(*rows)`'s time on 200 k rows); ragged rows through zip."""
    if rows and all(len(r) == len(rows[0]) for r in rows):
        grid = np.empty((len(rows), len(rows[0])), dtype=object)
        grid[:] = rows
        return [grid[:, i].tolist() for i in range(width)]
    return [list(c) for c in list(zip(*rows))[:width]]


MAX_XLSX_BYTES = 1 << 30  # inflated size of all parts together
MAX_XLSX_RATIO = 200      # inflated / packed, for parts over 16 MiB


def check_xlsx_parts(path: str, filename: str) -> None:
    """Refuse what a workbook of sales figures never needs, before calamine reads it: macros
    (vbaProject.bin), links to external workbooks, DOCTYPE/ENTITY declarations in XML parts
    (entity expansion), and parts that inflate far beyond their packed size (zip bombs)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return  # XLS (OLE) or a broken container: calamine says what is wrong
    with archive:
        infos = archive.infolist()
        names = [i.filename.lower() for i in infos]
        if any(n.endswith("vbaproject.bin") for n in names):
            raise SalesFileError("UNSUPPORTED_TYPE", f"{filename!r} contains macros (vbaProject.bin): "
                                 "save the sheet as a plain .xlsx without macros")
        if any(n.startswith("xl/externallinks/") for n in names):
            raise SalesFileError("UNSUPPORTED_TYPE", f"{filename!r} links to external workbooks: "
                                 "paste the values and save it without links")
        total = sum(i.file_size for i in infos)
        if total > MAX_XLSX_BYTES or any(i.file_size > 1 << 24 and i.file_size > MAX_XLSX_RATIO *
                                         max(i.compress_size, 1) for i in infos):
            raise SalesFileError("CORRUPTED", f"{filename!r} inflates to {total} bytes: refused "
                                 "as a zip bomb")
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                try:
                    with archive.open(info) as part:
                        head = part.read(4096).upper()
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
                        NotImplementedError, RuntimeError) as exc:
                    raise SalesFileError("CORRUPTED", f"{filename!r}: {info.filename} cannot be "
                                         f"read ({type(exc).__name__}: {exc})") from None
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise SalesFileError("CORRUPTED", f"{filename!r}: {info.filename} declares a "
                                         "DOCTYPE/ENTITY, which workbooks never need (entity expansion)")


def _open(path: str, filename: str) -> CalamineWorkbook:
    check_xlsx_parts(path, filename)
    try:
        return CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises several error types for broken containers
        raise SalesFileError("CORRUPTED", f"{filename!r}: invalid or truncated workbook ({exc})") from exc


def clean_excel(path: str, filename: str, options: CleanOptions, layouts: list[Layout], emitter: Emitter,
                progress: Callable[[int, float], None] | None) -> CleanResult:
    wb = _open(path, filename)
    best, probes, chosen = None, {}, None
    try:
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)       # parses the whole sheet: kept when chosen
            rows = [[cell_text(c) for c in r] for _, r in zip(range(PROBE_ROWS), sheet.iter_rows())]
            probes[name] = rows
            m = match_header(rows, list(range(1, len(rows) + 1)), layouts)
            if m is not None and (best is None or (m.score, -m.row) > (best[1].score, -best[1].row)):
                best, chosen = (name, m), sheet
            del sheet
    except SalesFileError:
        raise
    except Exception as exc:
        raise SalesFileError("CORRUPTED", f"{filename!r}: unreadable workbook ({exc})") from exc
    if best is None:
        best = _infer_sheet(wb, probes, layouts, filename, options)
    sheet_name, match = best
    sheet = chosen if chosen is not None else wb.get_sheet_by_name(sheet_name)
    del chosen
    width = len(match.headers)
    mapper = Mapper(match.layout, match.headers, dates=date_reader(match.layout, options))
    emitter.dates = mapper.dates
    total = max(1, sheet.height)
    first_line = match.row + 2

    def flush(rows: list[list], start_line: int) -> None:
        padded = [r if len(r) >= width else [*r, *[None] * (width - len(r))] for r in rows] \
            if any(len(r) < width for r in rows) else rows
        cols = [column_text(c) for c in _columns(padded, width)]
        mapper.apply(cols, pa.array(range(start_line, start_line + len(rows)), pa.int64()), emitter)

    data: list[list] = []                          # raw calamine rows; text per column at flush
    for i, row in enumerate(sheet.iter_rows()):
        if i <= match.row:
            continue
        data.append(row)
        if len(data) >= options.batch_rows + 64:   # keep a tail so footer rows are never emitted
            keep = data[-64:]
            flush(data[:-64], first_line)
            first_line += len(data) - 64
            data = keep
            if progress:
                progress(emitter.rows + emitter.bad, 100.0 * i / total)
    tail, footer_n = _footer(data, width, match.layout)
    if len(data) - footer_n > 0:
        flush(data[:len(data) - footer_n], first_line)
    emitter.check_share(filename)
    declared = declared_from_rows(tail[len(tail) - footer_n:], mapper) if footer_n else None
    return emitter.result(layout=match.layout.name, encoding="xlsx" if filename.lower().endswith("x") else "xls",
                          delimiter=None, header_line=match.row + 1, footer_lines=footer_n,
                          declared_totals=declared, totals_check=totals_check(declared, emitter),
                          inference=getattr(match.layout, "proposal", None))


def _footer(data: list[list], width: int, layout) -> tuple[list[list[str]], int]:
    """(texts of the last rows, how many of them are footer rows): the last 256 rows are
    turned into text, all of them only when every one of those is a footer or blank."""
    for last in (256, len(data)):
        rows = data[-last:] if last < len(data) else data
        tail = [[cell_text(c) for c in r[:width]] + [""] * max(0, width - len(r)) for r in rows]
        footer_n = find_footer_rows(tail, width, layout)
        if footer_n < len(tail) or rows is data:
            return tail, footer_n
    return [], 0


def _infer_sheet(wb: CalamineWorkbook, probes: dict[str, list[list[str]]], layouts: list[Layout],
                 filename: str, options: CleanOptions) -> tuple:
    """No known layout on any sheet: the first sheet (largest first) whose inferred mapping is
    sure; else UNKNOWN_LAYOUT (with the largest sheet's proposal)."""
    from .tabular import INFER_ROWS

    ranked = sorted((k for k in probes if any(any(c for c in r) for r in probes[k])), key=lambda k: -len(probes[k]))
    if not ranked:
        raise SalesFileError("EMPTY", f"{filename!r}: workbook has no data")
    failure = None
    for name in ranked:
        sample = [[cell_text(c) for c in r] for _, r in zip(range(INFER_ROWS), wb.get_sheet_by_name(name).iter_rows())]
        try:
            return name, find_header(probes[name], layouts, f"{filename} [{name}]", sample, options.infer)
        except SalesFileError as exc:
            failure = failure or exc
    raise failure  # type: ignore[misc]
