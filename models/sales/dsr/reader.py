"""Two streamed passes over a DSR file: (1) HEAD, summaries, FOOT, counts and usages per summary;
(2) blocks → canonical rows, revenue from the line (SU03) or allocated pro rata from its summary."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation, localcontext
from typing import Callable, Iterator

import pyarrow as pa

from .. import normalise as nz
from ..result import CleanOptions, CleanResult, Emitter, _fmt
from ..schema import AMOUNT, AMOUNT_SCALE
from ..sniff import TextInfo
from .records import BLOCK, SALE, SUMMARY, multi, record, split_line, unescape

QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)
_XOFY = re.compile(r"_(\d+)of(\d+)_")
_FILE_PERIOD = re.compile(r"_(\d{4}-\d{2})(?:-\d{2})?(?:--[\d-]+)?_")


def iter_records(path: str, info: TextInfo) -> Iterator[tuple[int, int, list[str] | None]]:
    """(line number, characters read so far, cells or None for comment/blank lines)."""
    enc = "utf-8-sig" if info.encoding == "utf-8" else info.encoding
    read = 0
    with open(path, encoding=enc, newline="\n", errors="replace") as f:
        for no, raw in enumerate(f, 1):
            read += len(raw)
            text = raw.rstrip("\r\n")
            if not text.strip() or text.startswith("#"):
                yield no, read, None
            else:
                yield no, read, split_line(text)


def _dec(text: str) -> Decimal | None:
    try:
        d = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return d if d.is_finite() else None


def _int(text: str) -> int | None:
    d = _dec(text)
    return int(d) if d is not None and d == d.to_integral_value() else None


@dataclass
class Scan:
    head: dict[str, str] = field(default_factory=dict)
    foot: dict[str, str] | None = None
    summaries: dict[str, dict[str, str]] = field(default_factory=dict)
    summary_records: int = 0
    blocks: int = 0
    lines: int = 0
    usages: dict[str, int] = field(default_factory=lambda: defaultdict(int))   # pro-rata lines only
    last_line: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary_key(self, sid: str) -> str | None:
        if sid in self.summaries:
            return sid
        if len(self.summaries) == 1:
            return next(iter(self.summaries))
        digits = re.sub(r"\D", "", sid)
        return digits if digits in self.summaries else None


def scan(path: str, info: TextInfo) -> Scan:
    s, block = Scan(), None
    for no, _, cells in iter_records(path, info):
        s.lines = no
        if cells is None:
            continue
        rt = cells[0].strip()
        if rt == "HEAD":
            s.head = record(cells)
        elif rt == "FOOT":
            s.foot = record(cells)
        elif SUMMARY.match(rt):
            s.summary_records += 1
            rec = record(cells) or {"SummaryRecordId": str(s.summary_records)}
            if rec.get("SummaryRecordId", "") in s.summaries:
                s.warnings.append(f"line {no}: repeated SummaryRecordId {rec['SummaryRecordId']!r} (first one used)")
            else:
                s.summaries[rec.get("SummaryRecordId", "")] = rec
        elif BLOCK.match(rt):
            bid = cells[1] if len(cells) > 1 else ""
            if bid != block:
                s.blocks, block = s.blocks + 1, bid
            if SALE.match(rt):
                rec = record(cells)
                if not rec.get("NetRevenue", "").strip():
                    sid = rec.get("SummaryRecordId", "")
                    s.usages[sid] += _int(rec.get("Usages", "")) or 0
                    s.last_line[sid] = no
    # merge raw summary ids that resolve to the same summary
    usages: dict[str, int] = defaultdict(int)
    last: dict[str, int] = {}
    for sid, u in s.usages.items():
        key = s.summary_key(sid)
        if key is not None:
            usages[key] += u
            last[key] = max(last.get(key, 0), s.last_line[sid])
    s.usages, s.last_line = usages, last
    return s


def _state_rates(summaries, period: str | None, emitter: Emitter) -> None:
    """Exchange rates the summary records state, for the conversion to the base currency
    (docs/money.md): SY01.02 `CurrencyOfTransaction` + `ExchangeRate` (1 transaction currency
    = rate reporting currency); SY02.03 `ExchangeRateBaseCurrency` + `ExchangeRate` (1 base
    currency = rate `Currency`, the usual quote convention)."""
    if emitter.converter is None or not period:
        return
    for sm in summaries:
        try:
            rate = Decimal(sm.get("ExchangeRate", "").strip())
        except ArithmeticError:
            continue
        other = sm.get("CurrencyOfTransaction") or sm.get("ExchangeRateBaseCurrency") or ""
        src, dst = nz.norm_currency(other) if other else None, nz.norm_currency(sm.get("Currency", ""))
        if src and dst and src != dst and rate.is_finite() and rate > 0:
            emitter.converter.state(src, dst, period, rate)


def _nulled(emitter: Emitter, name: str, line: int, value: str) -> None:
    """A value of a DSR line that was nulled as invalid, counted and sampled (data_quality)."""
    emitter.note_quality(name, "nulled", 1, [{"line": line, "value": value, "result": None}])


class _Rows:
    """Column lists for the batch being built."""

    NAMES = ("statement_period", "sale_period", "dsp", "territory", "isrc", "upc", "artist", "track_title",
             "release_title", "usage_type", "quantity", "currency", "revenue")

    def __init__(self) -> None:
        self.cols: dict[str, list] = {n: [] for n in self.NAMES}
        self.lines: list[int] = []
        self.reasons: list[str | None] = []

    def __len__(self) -> int:
        return len(self.lines)

    def flush(self, emitter: Emitter) -> None:
        if not self.lines:
            return
        arrays = {n: pa.array(v, AMOUNT if n == "revenue" else pa.int64() if n == "quantity" else pa.string())
                  for n, v in self.cols.items()}
        emitter.emit(arrays, pa.array(self.lines, pa.int64()), pa.array(self.reasons, pa.string()))
        self.__init__()


def _month(text: str) -> str | None:
    return nz.norm_period(text) if text and text.strip() else None


def clean_dsr(path: str, filename: str, info: TextInfo, options: CleanOptions, emitter: Emitter,
              progress: Callable[[int, float], None] | None) -> CleanResult:
    s = scan(path, info)
    head = s.head
    m = _FILE_PERIOD.search(filename)
    period = _month(head.get("UsageStartDate", "")) or (nz.norm_period(m[1]) if m else None)
    dsp = unescape(head.get("SenderName") or head.get("ServiceDescription") or head.get("SenderPartyId") or "") or None
    file_no, n_files = _int(head.get("FileNumber", "")), _int(head.get("NumberOfFiles", ""))
    xofy = _XOFY.search(filename)
    if (file_no is None or n_files is None) and xofy:
        file_no, n_files = int(xofy[1]), int(xofy[2])
    single = n_files in (None, 1)
    _state_rates(s.summaries.values(), period, emitter)
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    pro_rata_total = Decimal(0)
    rows, block_id, block = _Rows(), None, {"RE": {}, "AS": {}, "SU": []}
    territory_cache: dict = {}

    def flush_block() -> None:
        nonlocal pro_rata_total
        for no, rt, rec in block["SU"]:
            pro = _sale_row(no, rt, rec, block, s, period, dsp, allocated, rows, emitter, territory_cache)
            if pro is not None:
                pro_rata_total += pro
            if len(rows) >= options.batch_rows:
                rows.flush(emitter)
        block["RE"], block["AS"], block["SU"] = {}, {}, []

    with localcontext() as ctx:
        ctx.prec = 80
        for no, read, cells in iter_records(path, info):
            if cells is None:
                continue
            rt = cells[0].strip()
            if not BLOCK.match(rt):
                flush_block()
                block_id = None
                continue
            rec = record(cells)
            bid = cells[1] if len(cells) > 1 else ""
            if bid != block_id:
                flush_block()
                block_id = bid
            if rt.startswith("RE"):
                block["RE"][rec.get("ReleaseReference", "")] = rec
            elif rt.startswith("AS"):
                block["AS"][rec.get("ResourceReference", "")] = rec
                block["AS"].setdefault("dsp:" + rec.get("DspResourceId", ""), rec)
            elif SALE.match(rt):
                block["SU"].append((no, rt, rec))
            if progress and no % 10_000 == 0:
                progress(emitter.rows + emitter.bad, min(100.0, 100.0 * read / max(1, info.size)))
        flush_block()
    rows.flush(emitter)
    emitter.check_share(filename)
    declared, check = _totals(s, single, pro_rata_total)
    currencies = {sm.get("Currency", "") for sm in s.summaries.values()} - {""}
    return emitter.result(layout="ddex-dsr", encoding=info.encoding, delimiter="\t", reporting_period=period,
                          currency=nz.norm_currency(currencies.pop()) if len(currencies) == 1 else None,
                          file_number=file_no, number_of_files=n_files, declared_totals=declared,
                          totals_check=check, warnings=s.warnings)


def _pick(refs: dict[str, dict], ref: str) -> dict:
    if ref and ref in refs:
        return refs[ref]
    if ref and "dsp:" + ref in refs:
        return refs["dsp:" + ref]
    distinct = {id(v): v for k, v in refs.items()}
    return next(iter(distinct.values())) if len(distinct) == 1 else {}


def _sale_row(no: int, rt: str, rec: dict[str, str], block: dict, s: Scan, period: str | None, dsp: str | None,
              allocated: dict[str, Decimal], rows: _Rows, emitter: Emitter, tcache: dict) -> Decimal | None:
    """Append one canonical row; returns its revenue when it was allocated pro rata."""
    key = s.summary_key(rec.get("SummaryRecordId", ""))
    summary = s.summaries.get(key, {}) if key is not None else {}
    usages = _int(rec.get("Usages", ""))
    returns = _int(rec.get("Returns", "")) or 0
    reason, pro = None, None
    own = rec.get("NetRevenue", "").strip()
    revenue: Decimal | None = None
    if own:
        revenue = _dec(own)
        reason = None if revenue is not None else f"invalid NetRevenue {own!r}"
    elif usages is None:
        reason = f"invalid usages {rec.get('Usages', '')!r}"
    elif not summary:
        reason = f"unknown SummaryRecordId {rec.get('SummaryRecordId', '')!r}"
    else:
        net = _dec(summary.get("NetRevenue", ""))
        total = _int(summary.get("Usages", "")) or s.usages.get(key, 0)
        if net is None or total == 0:
            reason = "summary record has no usable NetRevenue/Usages"
        elif no == s.last_line.get(key) and s.usages.get(key) == total:
            revenue = net - allocated[key]            # remainder: the summary's lines sum to NetRevenue exactly
        else:
            revenue = (net * usages / total).quantize(QUANTUM, rounding=ROUND_DOWN)
        if revenue is not None:
            allocated[key] += revenue
            pro = revenue
    if revenue is not None:
        revenue = revenue.quantize(QUANTUM)
    resource = _pick(block["AS"], rec.get("TransactedResource") or rec.get("DspResourceId", ""))
    release = _pick(block["RE"], rec.get("TransactedRelease", ""))
    isrcs = multi(resource.get("ISRC", ""))
    isrc = next((c for c in (nz.norm_isrc(v) for v in isrcs) if c), None)
    emitter.count_invalid("isrc", int(bool(isrcs) and isrc is None))
    if isrcs and isrc is None:
        _nulled(emitter, "isrc", no, resource.get("ISRC", ""))
    icpn = unescape(release.get("ICPN", "")).strip()
    upc = nz.norm_upc(icpn) if icpn else None
    emitter.count_invalid("upc", int(bool(icpn) and upc is None))
    if icpn and upc is None:
        _nulled(emitter, "upc", no, icpn)
    terr_raw = summary.get("Territory", "").strip()
    territory = tcache.setdefault(terr_raw, nz.norm_territory(terr_raw)) if terr_raw else None
    emitter.count_invalid("territory", int(bool(terr_raw) and territory is None))
    if terr_raw and territory is None:
        _nulled(emitter, "territory", no, terr_raw)
    sale = _month(rec.get("ValidityPeriodStart", "")) or period
    r = rows.cols
    r["statement_period"].append(period)
    r["sale_period"].append(sale)
    r["dsp"].append(dsp)
    r["territory"].append(territory)
    r["isrc"].append(isrc)
    r["upc"].append(upc)
    r["artist"].append(unescape(resource.get("DisplayArtistName") or release.get("DisplayArtistName") or "") or None)
    r["track_title"].append(unescape(resource.get("Title", "")) or None)
    r["release_title"].append(unescape(release.get("Title", "")) or None)
    r["usage_type"].append(rec.get("UseType") or summary.get("UseType") or summary.get("CommercialModel") or None)
    r["quantity"].append(None if usages is None else usages - returns)
    r["currency"].append(nz.norm_currency(summary.get("Currency", "")) if summary.get("Currency") else None)
    r["revenue"].append(revenue)
    rows.lines.append(no)
    rows.reasons.append(reason)
    return pro


def _totals(s: Scan, single: bool, pro_rata_total: Decimal) -> tuple[dict | None, dict | None]:
    """What FOOT and the summaries state vs what was read. Mismatches are warnings, never failures."""
    declared: dict = {}
    imported: dict = {"lines_in_file": s.lines, "summary_records": s.summary_records, "blocks_in_file": s.blocks}
    foot = s.foot or {}
    for key, name in (("lines_in_file", "NumberOfLinesInFile"), ("summary_records", "NumberOfSummaryRecords"),
                      ("blocks_in_file", "NumberOfBlocksInFile")):
        if _int(foot.get(name, "")) is not None:
            declared[key] = _int(foot[name])
    if single and _int(foot.get("NumberOfBlocksInReport", "")) is not None:
        declared["blocks_in_report"] = _int(foot["NumberOfBlocksInReport"])
        imported["blocks_in_report"] = s.blocks
    if s.usages:
        declared["revenue"] = _fmt(sum((_dec(s.summaries[k].get("NetRevenue", "")) or Decimal(0)) for k in s.usages))
        imported["revenue"] = _fmt(pro_rata_total)
    problems = []
    if s.foot is None:
        problems.append("no FOOT record")
    for key, value in declared.items():
        if key == "revenue" and not single:
            continue   # a multi-file report's summaries cover all files
        if key == "revenue" and any(s.usages[k] != (_int(s.summaries[k].get("Usages", "")) or s.usages[k]) for k in s.usages):
            problems.append("summary Usages differ from the sum of line usages; allocated revenue does not reach NetRevenue")
        if key == "revenue":
            if Decimal(value) != Decimal(imported["revenue"]):
                problems.append(f"revenue: summaries state {value}, lines sum to {imported['revenue']}")
        elif value != imported[key]:
            problems.append(f"{key}: FOOT states {value}, file has {imported[key]}")
    if not declared and not problems:
        return None, None
    return declared or None, {"ok": not problems, "declared": declared, "imported": imported,
                              "warning": "; ".join(problems) or None}
