"""SoundOn (TikTok) monthly CSVs: `My Royalty` (and `Share in` / `Share out`) hold sales lines;
the `Summary` CSV repeats their totals and is used only to reconcile, never imported: on its own it
is refused as NOT_SALES with the totals it states."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .base import norm_header, tabular

SOUNDON = tabular(
    "soundon",
    {
        "statement_period": "Reporting Period", "sale_period": "Sales Period", "dsp": "Store Name",
        "usage_type": "Sales Type", "artist": "Track Artists", "track_title": "Track Title", "isrc": "ISRC",
        "upc": "UPC Code", "territory": "Sales Region", "revenue": "Final Royalty (USD)",
    },
    required={"Reporting Period", "Sales Period", "Store Name", "Sales Region", "ISRC", "Final Royalty (USD)"},
    default_currency="USD",
)


def summary_totals(rows: list[list[str]], header_row: int) -> dict[str, str]:
    """{royalty type (or `Total`): amount} from a Summary file's rows (exact decimal strings)."""
    headers = [norm_header(c) for c in rows[header_row]]
    amount_i = headers.index("final_royalty_usd")
    label_i = next((headers.index(h) for h in ("royalty_type", "type", "item") if h in headers), None)
    out: dict[str, str] = {}
    for cells in rows[header_row + 1:]:
        if amount_i >= len(cells) or not cells[amount_i].strip():
            continue
        first = next((c.strip() for c in cells if c.strip()), "")
        label = first if first.lower().startswith("total") else (cells[label_i].strip() if label_i is not None
                                                                    and label_i < len(cells) else first)
        try:
            out[label or "Total"] = format(Decimal(cells[amount_i].strip().replace(",", "")), "f")
        except InvalidOperation:
            continue
    return out


def _refuse(rows: list[list[str]], header_row: int) -> str:
    totals = summary_totals(rows, header_row)
    stated = ", ".join(f"{k} {v} USD" for k, v in totals.items()) or "no totals"
    return ("a SoundOn Summary file, not sales lines (it only repeats the totals of the My Royalty / Share "
            f"files, so importing it would count revenue twice); it states {stated}. Upload the My Royalty "
            "CSV: in a bundle its total is reconciled with this summary.")


SOUNDON_SUMMARY = tabular(
    "soundon-summary",
    {"statement_period": "Reporting Period", "revenue": "Final Royalty (USD)"},
    required={"Reporting Period", "Final Royalty (USD)"},
    forbidden={"ISRC", "Track Title", "Track ID", "Store Name"},
    refuse=_refuse,
)
