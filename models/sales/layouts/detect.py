"""Scores of every candidate layout for one file, best first: what `clean_file` chooses from, exposed
for tests (no ambiguous matches), bundles (which member is sales) and diagnostics."""
from __future__ import annotations

import codecs
from typing import Iterable

from . import candidates
from .base import Layout, RecordLayout, Score, TabularLayout, norm_header


def rank_lines(texts: list[str], layouts: Iterable[Layout] | None = None, max_rows: int = 40) -> list[tuple[Score, str]]:
    """[(score, layout name)] for the layouts that match these first lines of a text file, best first."""
    from ..sniff import detect_delimiter, split_cells

    layouts = list(candidates() if layouts is None else layouts)
    out: list[tuple[Score, str]] = []
    for lay in layouts:
        if isinstance(lay, RecordLayout) and (score := lay.match_lines(texts)) is not None:
            out.append((score, lay.name))
    delimiter = detect_delimiter(texts)
    rows = [split_cells(t, delimiter) for t in texts[:max_rows]]
    out += rank_rows(rows, [lay for lay in layouts if isinstance(lay, TabularLayout)])
    return sorted(out, key=lambda t: (t[0], t[1]), reverse=True)


def rank_rows(rows: list[list[str]], layouts: Iterable[TabularLayout]) -> list[tuple[Score, str]]:
    """Best score of each tabular layout over the header-row candidates (1-based line = index + 1)."""
    normed = [{norm_header(c) for c in r} for r in rows]
    out = []
    for lay in layouts:
        scores = [s for i, h in enumerate(normed)
                  if i + 1 > lay.skip_top and (lay.header_row is None or i + 1 == lay.header_row)
                  and (s := lay.match(h)) is not None]
        if scores:
            out.append((max(scores), lay.name))
    return sorted(out, reverse=True)


def decode_head(data: bytes, limit: int = 256 * 1024) -> list[str]:
    """First lines of a text file's bytes: BOM → UTF-8/UTF-16, else UTF-8, else cp1252 (like sniff)."""
    data = data[:limit]
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom):].decode(enc, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data[:exc.start].decode("utf-8") if exc.start > len(data) - 4 else data.decode("cp1252", errors="replace")
    lines = text.split("\n")
    if len(data) == limit:
        lines = lines[:-1]      # the last line may be cut
    return [ln.rstrip("\r") for ln in lines]


def rank_file(path: str, filename: str, layouts: Iterable[Layout] | None = None) -> list[tuple[Score, str]]:
    """rank_lines for a text file, or the best score per layout over the sheets of a workbook."""
    from ..excel import PROBE_ROWS, cell_text
    from ..sniff import detect_encoding, detect_kind, read_lines

    layouts = list(candidates() if layouts is None else layouts)
    if detect_kind(path, filename) == "text":
        return rank_lines([ln.text for ln in read_lines(path, detect_encoding(path, filename))], layouts)
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    best: dict[str, Score] = {}
    for name in wb.sheet_names:
        rows = [[cell_text(c) for c in r] for _, r in zip(range(PROBE_ROWS), wb.get_sheet_by_name(name).iter_rows())]
        for score, lay in rank_rows(rows, [x for x in layouts if isinstance(x, TabularLayout)]):
            best[lay] = max(best.get(lay, score), score)
    return sorted(((s, n) for n, s in best.items()), key=lambda t: (t[0], t[1]), reverse=True)
