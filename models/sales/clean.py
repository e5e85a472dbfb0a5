"""Entry point: clean one local sales file into CANONICAL_SCHEMA batches."""
from __future__ import annotations

from typing import Callable

import pyarrow as pa

from .errors import SalesFileError
from .excel import clean_excel
from .layouts import RecordLayout, candidates
from .result import CleanOptions, CleanResult, Emitter
from .sniff import check_line_lengths, detect_encoding, detect_kind, read_lines
from .tabular import clean_text_tabular

__all__ = ["CleanOptions", "CleanResult", "SalesFileError", "clean_file"]


def clean_file(path: str, filename: str, options: CleanOptions, sink: Callable[[pa.RecordBatch], None],
               progress: Callable[[int, float], None] | None = None) -> CleanResult:
    """Detect type, encoding, delimiter, header, footer and layout; stream normalised batches to `sink`.

    Raises SalesFileError (UNSUPPORTED_TYPE, EMPTY, CORRUPTED, UNKNOWN_LAYOUT, TOO_MANY_BAD_ROWS).
    Batches already given to `sink` must be discarded by the caller when an error is raised."""
    options = options or CleanOptions()
    kind = detect_kind(path, filename)
    layouts = candidates(options.mappings)
    emitter = Emitter(options, sink)
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
    if progress:
        progress(result.rows + result.bad_rows, 100.0)
    return result
