"""XLSX of an analytics view (a statement per artist or release), with no amount rounded.

Excel keeps numbers as doubles and shows at most 15 significant digits. An amount of at most
15 significant digits whose decimal a double gives back as written is a number, shown with 2
to 12 decimals and its currency code; any other amount is written as its exact decimal text,
named in the `exact_as_text` column, so a spreadsheet never shows a silently rounded figure.
"""
from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from models.analytics.csv_out import grouped_table

DECIMALS = "#,##0.00##########"


def as_number(amount: str | None) -> float | None:
    """The double of a decimal when it round-trips exactly, else None (keep it as text)."""
    if amount is None or amount == "":
        return None
    exact = Decimal(amount)
    if len(exact.normalize().as_tuple().digits) > 15:
        return None
    number = float(exact)
    return number if Decimal(repr(number)) == exact else None


class _Sheet:
    """One worksheet with one number format per currency and a text style for exact amounts."""

    def __init__(self, book, name: str) -> None:
        self.book, self.sheet, self.formats = book, book.add_worksheet(name), {}
        self.text = book.add_format({"align": "right"})
        self.bold = book.add_format({"bold": True})

    def money(self, row: int, col: int, amount: str | None, currency: str | None) -> bool:
        """Write one amount; True when it had to be kept as text."""
        if amount is None:
            return False
        number = as_number(amount)
        if number is None:
            self.sheet.write_string(row, col, amount, self.text)
            return True
        code = currency or ""
        if code not in self.formats:
            suffix = f' "{code}"' if code else ""
            self.formats[code] = self.book.add_format({"num_format": DECIMALS + suffix})
        self.sheet.write_number(row, col, number, self.formats[code])
        return False

    def head(self, names: list[str]) -> None:
        for col, name in enumerate(names):
            self.sheet.write_string(0, col, name, self.bold)
        self.sheet.freeze_panes(1, 0)


def _statement(book, answer: dict) -> None:
    """The CSV's columns and lines, amounts as numbers (or exact text)."""
    head, lines, currencies = grouped_table(answer)
    sheet = _Sheet(book, "Statement")
    sheet.head(head + ["exact_as_text"])
    money_cols = {3 + i: c for i, c in enumerate(currencies)}
    money_cols[3 + len(currencies)] = answer["base_currency"]
    for r, line in enumerate(lines, start=1):
        texts = []
        for col, value in enumerate(line):
            if col in money_cols:
                if sheet.money(r, col, value, money_cols[col]):
                    texts.append(head[col])
            elif col == 2:
                sheet.sheet.write_number(r, col, value)
            else:
                sheet.sheet.write(r, col, value)
        sheet.sheet.write_string(r, len(line), " ".join(texts))
    sheet.sheet.set_column(0, 1, 28)
    sheet.sheet.set_column(2, len(head), 16)


def _by_currency(book, answer: dict) -> None:
    """One line per group and currency: each amount next to the currency it was sold in."""
    sheet = _Sheet(book, "By currency")
    sheet.head(["key", "label", "currency", "revenue", "exact_as_text"])
    groups = [(r["key"], r["label"], r) for r in answer["rows"]]
    if answer["others"] is not None:
        groups.append(("", "(others)", answer["others"]))
    groups.append(("", "(total)", answer["totals"]))
    r = 1
    for key, label, fig in groups:
        for amount in fig["revenue"]:
            sheet.sheet.write(r, 0, key if key is not None else "")
            sheet.sheet.write(r, 1, label)
            sheet.sheet.write(r, 2, amount["currency"] or "")
            text = sheet.money(r, 3, amount["amount"], amount["currency"])
            sheet.sheet.write_string(r, 4, "revenue" if text else "")
            r += 1
    sheet.sheet.set_column(0, 1, 28)
    sheet.sheet.set_column(2, 4, 16)


def _rates(book, answer: dict) -> None:
    """The rates behind the converted column, and those missing."""
    sheet = _Sheet(book, "Rates")
    sheet.head(["from", "to", "month", "rate", "source", "missing_rows"])
    r = 1
    for rate in answer["rates"]:
        sheet.sheet.write_row(r, 0, [rate["from"], rate["to"], rate.get("month") or ""])
        sheet.sheet.write_string(r, 3, rate["rate"])  # a rate's decimal, exact
        sheet.sheet.write_string(r, 4, rate["source"])
        r += 1
    for gap in answer["missing_rates"]:
        sheet.sheet.write_row(r, 0, [gap["from"] or "", gap["to"], gap.get("month") or "",
                                     "", "missing", gap["rows"]])
        r += 1


def grouped_xlsx(answer: dict) -> bytes:
    """The view as a workbook: Statement (the CSV's columns), By currency, Rates."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    _statement(book, answer)
    _by_currency(book, answer)
    _rates(book, answer)
    book.close()
    return buffer.getvalue()
