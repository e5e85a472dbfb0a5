"""Entry point: clean one local sales file into CANONICAL_SCHEMA batches."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pyarrow as pa

from .dates import DateOrderRestart
from .errors import SalesFileError
from .excel import clean_excel
from .layouts import RecordLayout, candidates
from .result import CleanOptions, CleanResult, Emitter
from .sniff import check_line_lengths, detect_encoding, detect_kind, read_lines
from .tabular import clean_text_tabular

__all__ = ["CleanOptions", "CleanResult", "DateOrderRestart", "SalesFileError", "clean_file"]


def clean_file(path: str, filename: str, options: CleanOptions, sink: Callable[[pa.RecordBatch], None],
               progress: Callable[[int, float], None] | None = None) -> CleanResult:
    """Detect type, encoding, delimiter, header, footer and layout; stream normalised batches to `sink`.

    Raises SalesFileError (UNSUPPORTED_TYPE, EMPTY — also a header without data rows —, CORRUPTED,
    UNKNOWN_LAYOUT, TOO_MANY_BAD_ROWS). Batches already given to `sink` must be discarded by the
    caller when an error is raised; DateOrderRestart (rows contradict the date reading after
    batches went out) means: clean again into a new sink with `date_order_found` set."""
    options = options or CleanOptions()
    emitter = Emitter(options, sink)
    try:
        result = _clean(path, filename, options, emitter, progress)
    except DateOrderRestart as exc:       # rows contradict the provisional date reading
        if emitter.sunk:                  # rows already went out: the caller starts a new sink
            raise
        options = replace(options, date_order_found=(exc.order, exc.example))
        emitter = Emitter(options, sink)
        result = _clean(path, filename, options, emitter, progress)
    return result


def _clean(path: str, filename: str, options: CleanOptions, emitter: Emitter,
           progress: Callable[[int, float], None] | None) -> CleanResult:
    kind = detect_kind(path, filename)
    layouts = candidates(options.mappings)
    if kind == "excel":
        result = clean_excel(path, filename, options, layouts, emitter, progress)
    else:
        info = detect_encoding(path, filename)
        check_line_lengths(path, info, filename)
        head = read_lines(path, info)
        texts = [ln.text for ln in head]
        if not any(t.strip() for t in texts):
            raise SalesFileError("EMPTY", f"{filename!r} holds no lines")
        records = [(lay.match_lines(texts), lay.name, lay) for lay in layouts if isinstance(lay, RecordLayout)]
        records = [r for r in records if r[0] is not None]
        if records:
            layout = max(records, key=lambda r: (r[0], r[1]))[2]
            result = layout.run(path, filename, info, options, emitter, progress)
        else:
            result = clean_text_tabular(path, filename, info, head, options, layouts, emitter, progress)
    if result.rows == 0 and result.bad_rows == 0 and result.header_line is not None:
        raise SalesFileError("EMPTY", f"{filename!r} has a header row ({result.layout}, line "
                             f"{result.header_line}) but no data rows")
    if progress:
        progress(result.rows + result.bad_rows, 100.0)
    return result
