"""Summary records and FOOT of a DSR file: what the file declares (docs/money.md, Declared totals).

Every summary record counts, of every profile (SY01…SY05 and later families): a SummaryRecordId may
repeat — YouTube's SY02.01 states one record per rights controller, all with id `1` — so records
are kept in a list and lines naming an id are allocated from all the records of that id together.
The declared revenue is the NetRevenue of every summary record, per currency; FOOT's counts are
compared with what the file holds (per file; report-wide counts once all parts are in)."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .. import normalise as nz
from ..result import _fmt


def dec(text: str) -> Decimal | None:
    try:
        d = Decimal((text or "").strip())
    except (InvalidOperation, AttributeError):
        return None
    return d if d.is_finite() else None


# Digits a count (usages, lines, records) may have. `-1e999123` is no count: int() of it builds
# a million-digit integer and takes minutes (a FOOT found by tests/unit/sales/test_dsr_columnar.py)
MAX_COUNT_DIGITS = 30


def integer(text: str) -> int | None:
    """The whole number a cell states, or None (an unreadable cell)."""
    d = dec(text)
    if d is None or d.adjusted() >= MAX_COUNT_DIGITS or d != d.to_integral_value():
        return None
    return int(d)


@dataclass
class Summaries:
    """All summary records in file order: (line, record type, named cells)."""

    records: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    _ids: dict | None = None
    _views: dict = field(default_factory=dict)

    def add(self, line: int, rt: str, rec: dict[str, str]) -> None:
        self.records.append((line, rt, rec))
        self._ids, self._views = None, {}

    def __len__(self) -> int:
        return len(self.records)

    def ids(self) -> dict[str, list[dict[str, str]]]:
        if self._ids is None:
            self._ids = defaultdict(list)
            for _, _, rec in self.records:
                self._ids[rec.get("SummaryRecordId", "").strip()].append(rec)
        return self._ids

    def key(self, sid: str) -> str | None:
        """The summary id a line's SummaryRecordId names: exact, the only id, or the same digits
        (`SY1` → `1`, as in the Orfium AdFunded sample)."""
        ids = self.ids()
        sid = sid.strip()
        if sid in ids:
            return sid
        if len(ids) == 1:
            return next(iter(ids))
        digits = re.sub(r"\D", "", sid)
        return digits if digits and digits in ids else None

    def view(self, key: str) -> dict[str, str]:
        """The records of one id as one summary: NetRevenue and Usages summed, the other cells
        kept when every record agrees (else blank, and `Conflict` names them)."""
        if key in self._views:
            return self._views[key]
        recs = self.ids().get(key) or []
        if len(recs) == 1:
            return recs[0]
        out: dict[str, str] = {}
        self._views[key] = out
        conflicts = []
        for name in ("Currency", "Territory", "CommercialModel", "UseType"):
            values = {r.get(name, "").strip() for r in recs}
            out[name] = values.pop() if len(values) == 1 else ""
            if values and name in ("Currency", "Territory"):
                conflicts.append(name)
        nets = [dec(r.get("NetRevenue", "")) for r in recs]
        out["NetRevenue"] = _fmt(sum(nets, Decimal(0))) if None not in nets else ""
        uses = [integer(r.get("Usages", "")) for r in recs]
        out["Usages"] = str(sum(uses)) if None not in uses else ""
        out["Conflict"] = ", ".join(conflicts)
        return out

    def declared_revenue(self) -> tuple[dict[str, str], list[str], list[str]]:
        """({currency: Σ NetRevenue}, record types that state it, warnings)."""
        by_cur: dict[str, Decimal] = defaultdict(Decimal)
        types: dict[str, int] = defaultdict(int)
        warnings = []
        for line, rt, rec in self.records:
            raw = rec.get("NetRevenue", "").strip()
            if not raw:
                continue
            amount = dec(raw)
            if amount is None:
                warnings.append(f"line {line}: {rt} NetRevenue {raw!r} is not a number (not in the "
                                "declared total)")
                continue
            currency = nz.norm_currency(rec.get("Currency", "")) or ""
            by_cur[currency] += amount
            types[rt] += 1
        declared_in = [f"{rt} NetRevenue ({n} record{'s' if n > 1 else ''})" for rt, n in sorted(types.items())]
        return {c: _fmt(v) for c, v in sorted(by_cur.items())}, declared_in, warnings

    def declared_usages(self) -> int | None:
        uses = [integer(rec.get("Usages", "")) for _, _, rec in self.records]
        return sum(uses) if uses and None not in uses else None

    def stated_rates(self) -> list[tuple[str, str, Decimal]]:
        """(from, to, rate) with 1 `from` = rate `to`: SY01.02/SY04 `CurrencyOfTransaction` +
        `ExchangeRate` (transaction → reporting currency); SY02.03 `ExchangeRateBaseCurrency` +
        `ExchangeRate` (1 base-currency unit = rate `Currency`)."""
        out = []
        for _, _, rec in self.records:
            rate = dec(rec.get("ExchangeRate", ""))
            other = rec.get("CurrencyOfTransaction") or rec.get("ExchangeRateBaseCurrency") or ""
            src = nz.norm_currency(other) if other.strip() else None
            dst = nz.norm_currency(rec.get("Currency", "")) if rec.get("Currency", "").strip() else None
            if rate is not None and rate > 0 and src and dst and src != dst:
                out.append((src, dst, rate))
        return out


FOOT_FILE = (("lines_in_file", "NumberOfLinesInFile"), ("summary_records", "NumberOfSummaryRecords"),
             ("blocks_in_file", "NumberOfBlocksInFile"))
FOOT_REPORT = (("lines_in_report", "NumberOfLinesInReport"), ("blocks_in_report", "NumberOfBlocksInReport"))


def foot_counts(foot: dict[str, str] | None, found: dict[str, int]) -> tuple[dict, dict]:
    """FOOT's figures against the file's: (per-file counts, report-wide counts). Each is
    {name: {declared, found}}; report-wide ones hold this file's figure, summed over the parts
    of a multi-file report before they are compared (agents.statements)."""
    per_file, report = {}, {}
    for name, cell in FOOT_FILE:
        value = integer((foot or {}).get(cell, ""))
        if value is not None:
            per_file[name] = {"declared": value, "found": found[name]}
    for name, cell in FOOT_REPORT:
        value = integer((foot or {}).get(cell, ""))
        if value is not None:
            report[name] = {"declared": value, "found": found[name.replace("report", "file")]}
    return per_file, report
