"""Distributor bundles (a ZIP of CSVs, e.g. FUGA/Cargo: line-level `royalty_extended.csv`, per-artist /
per-store / per-country summaries and a `statement.xlsx`): which members are sales lines.

Pure: the caller (the automatic-upload feature, models/archives.py) passes each member's name and
the first bytes of its content, and imports only the names returned as sales."""
from __future__ import annotations

import os

from .layouts import candidates
from .layouts.base import TabularLayout, norm_header
from .layouts.detect import decode_head, rank_lines
from .layouts.soundon import summary_totals
from .sniff import EXCEL_EXT, TEXT_EXT, detect_delimiter, split_cells

# headers of per-dimension summary CSVs (FUGA/Cargo `-artists.csv`, `-stores.csv`…): money, no lines
_SUMMARY_MONEY = {"sale_net_receipts", "reported_royalty", "net_revenue", "royalty", "total", "net"}


def _kind(layout_name: str) -> str:
    lay = next((x for x in candidates() if x.name == layout_name), None)
    return "summary" if isinstance(lay, TabularLayout) and lay.refuse is not None else "sales"


def classify_member(name: str, head: bytes) -> tuple[str, str]:
    """("sales", layout) | ("summary", why) | ("workbook", why) | ("other", why) for one member."""
    ext = os.path.splitext(name.lower())[1]
    if ext in EXCEL_EXT:
        return "workbook", "statement workbook (summary of the bundle's CSVs), not line-level sales"
    if ext not in TEXT_EXT:
        return "other", f"{ext or 'no extension'} is not a sales report type"
    texts = decode_head(head)
    ranked = rank_lines(texts)
    if ranked:
        layout = ranked[0][1]
        if _kind(layout) == "summary":
            return "summary", f"{layout}: a summary of the bundle's sales lines, used only to reconcile"
        return "sales", layout
    delimiter = detect_delimiter(texts)
    if delimiter is not None:                 # a layout no one knows, but sure enough to import itself
        from .infer import infer
        if infer([split_cells(t, delimiter) for t in texts[:1040]], name)["sure"]:
            return "sales", "inferred"
    first = next((split_cells(t, delimiter) for t in texts if t.strip()), [])
    headers = [norm_header(c) for c in first]
    if set(headers) & _SUMMARY_MONEY:
        by = headers[0] if headers else "?"
        return "summary", f"totals per {by.replace('_', ' ')} (a summary, not sales lines)"
    return "other", "not a recognised sales layout"


def select_sales_members(members: list[tuple[str, bytes]]) -> tuple[list[str], dict[str, str]]:
    """(names to import as sales files, {skipped name: reason}). Workbooks are kept only when the
    bundle has no line-level text member (then the workbook itself may be the statement)."""
    found = [(name, *classify_member(name, head)) for name, head in members]
    has_text_sales = any(kind == "sales" for _, kind, _ in found)
    sales, skipped = [], {}
    for name, kind, why in found:
        if kind == "sales" or (kind == "workbook" and not has_text_sales):
            sales.append(name)
        else:
            skipped[name] = why
    return sales, skipped


def declared_totals(members: list[tuple[str, bytes]]) -> dict[str, dict]:
    """Totals a bundle's summary states for its sales members: {sales name: {"revenue", "source"}}.
    Today: a SoundOn Summary's `My Royalty` line for the SoundOn detail member(s)."""
    out: dict[str, dict] = {}
    for name, head in members:
        if classify_member(name, head)[0] != "summary":
            continue
        texts = decode_head(head)
        delimiter = detect_delimiter(texts)
        rows = [split_cells(t, delimiter) for t in texts if t.strip()]
        if not rows or "final_royalty_usd" not in {norm_header(c) for c in rows[0]}:
            continue
        stated = summary_totals(rows, 0).get("My Royalty")
        for other, head2 in members:
            if stated is not None and classify_member(other, head2) == ("sales", "soundon"):
                out[other] = {"revenue": stated, "source": name}
    return out
