"""A DSR file → canonical rows. The columnar reader (lines.py → columnar.py) reads nearly every
file; the per-line reader here (two streamed passes: (1) HEAD, every summary record, named by the
file's own `#SYxx` heading row when there is one, FOOT, counts and usages per summary id; (2)
blocks → rows, revenue from the line or allocated pro rata from its summary) reads the files the
columnar one hands back (a block record type spelt with spaces, a `dsp:…` reference, usages
beyond int64, an amount Decimal cannot quantize) and is the reference the equivalence tests
compare it with. What the summaries and FOOT declare is returned for the declared-totals check
(summaries.py)."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation, localcontext
from typing import Callable, Iterator

import pyarrow as pa

from .. import normalise as nz
from .. import totals as tc
from ..result import CleanOptions, CleanResult, Emitter, _fmt
from ..schema import AMOUNT
from ..sniff import TextInfo
from . import columnar
from .allocation import QUANTUM, in_range
from .lines import read_blocks
from .records import BLOCK, SALE, file_record, multi, record, split_line, unescape
from .summaries import Summaries, dec, foot_counts, integer

_XOFY = re.compile(r"_(\d+)of(\d+)_")
_FILE_PERIOD = re.compile(r"_(\d{4}-\d{2})(?:-\d{2})?(?:--[\d-]+)?_")


def iter_records(path: str, info: TextInfo, comments: bool = False) -> Iterator[tuple[int, int, list[str] | None]]:
    """(line number, characters read so far, cells or None for blank lines and, unless
    `comments`, for `#` heading/comment lines)."""
    enc = "utf-8-sig" if info.encoding == "utf-8" else info.encoding
    read = 0
    with open(path, encoding=enc, newline="\n", errors="replace") as f:
        for no, raw in enumerate(f, 1):
            read += len(raw)
            text = raw.rstrip("\r\n")
            if not text.strip() or (text.startswith("#") and not comments):
                yield no, read, None
            else:
                yield no, read, split_line(text)


@dataclass
class Scan:
    head: dict[str, str] = field(default_factory=dict)
    foot: dict[str, str] | None = None
    summaries: Summaries = field(default_factory=Summaries)
    headings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the file's `#SYxx` rows
    blocks: int = 0
    lines: int = 0
    usages: dict[str, int] = field(default_factory=lambda: defaultdict(int))   # pro-rata lines only
    last_line: dict[str, int] = field(default_factory=dict)
    line_usages: int = 0                      # Usages of every sale line, as written
    sources: dict[str, str] = field(default_factory=dict)   # sale record type → where its revenue comes from
    warnings: list[str] = field(default_factory=list)

    def summary_key(self, sid: str) -> str | None:
        return self.summaries.key(sid)

    def names(self, rt: str) -> tuple[str, ...] | None:
        return self.headings.get(rt)


def scan(path: str, info: TextInfo) -> Scan:
    s, block = Scan(), None
    raw_usages: dict[str, int] = defaultdict(int)
    raw_last: dict[str, int] = {}
    for no, _, cells in iter_records(path, info, comments=True):
        s.lines = no
        if cells is None:
            continue
        rt = cells[0].strip()
        if file_record(s, no, rt, cells):
            continue
        if BLOCK.match(rt):
            bid = cells[1] if len(cells) > 1 else ""
            if bid != block:
                s.blocks, block = s.blocks + 1, bid
            if SALE.match(rt):
                rec = record(cells)
                s.line_usages += integer(rec.get("Usages", "")) or 0
                if not rec.get("NetRevenue", "").strip():
                    sid = rec.get("SummaryRecordId", "")
                    raw_usages[sid] += integer(rec.get("Usages", "")) or 0
                    raw_last[sid] = no
                    s.sources.setdefault(rt, f"{rt} usages, NetRevenue allocated pro rata from its summary")
                else:
                    s.sources.setdefault(rt, f"{rt} NetRevenue")
    for sid, u in raw_usages.items():         # raw ids that name the same summary id are merged
        key = s.summary_key(sid)
        if key is not None:
            s.usages[key] += u
            s.last_line[key] = max(s.last_line.get(key, 0), raw_last[sid])
    return s


def _state_rates(summaries: Summaries, period: str | None, emitter: Emitter) -> None:
    """Exchange rates the summary records state (Summaries.stated_rates), used before the
    organisation's for the conversion to the base currency (source `file`, docs/money.md)."""
    if emitter.converter is None or not period:
        return
    for src, dst, rate in summaries.stated_rates():
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
    """Columnar (lines.py, columnar.py) unless the file needs the per-line reader (columnar.sales
    answers None; the equivalence tests force that to compare the two)."""
    s, sales = Scan(), None
    try:
        blocks = read_blocks(path, info, s)
        if blocks is not None:
            sales = columnar.sales(blocks, s, _period(s.head, filename), _dsp(s.head))
    except ArithmeticError:           # a pro-rata share of a 1e999 summary: the per-line reader's case
        sales = None
    if sales is None:
        s = scan(path, info)
    head = s.head
    period, dsp = _period(head, filename), _dsp(head)
    file_no, n_files = integer(head.get("FileNumber", "")), integer(head.get("NumberOfFiles", ""))
    xofy = _XOFY.search(filename)
    if (file_no is None or n_files is None) and xofy:
        file_no, n_files = int(xofy[1]), int(xofy[2])
    single = n_files in (None, 1)
    _state_rates(s.summaries, period, emitter)
    if sales is None:
        _emit_lines(path, info, s, period, dsp, options, emitter, progress)
    else:
        sales.emit(emitter, options.batch_rows, progress)
    emitter.check_share(filename)
    declared, check = _totals(s, single, emitter, head)
    currencies = {sm.get("Currency", "") for _, _, sm in s.summaries.records} - {""}
    return emitter.result(layout="ddex-dsr", encoding=info.encoding, delimiter="\t", reporting_period=period,
                          currency=nz.norm_currency(currencies.pop()) if len(currencies) == 1 else None,
                          file_number=file_no, number_of_files=n_files, declared_totals=declared,
                          totals_check=check, warnings=s.warnings)


def _period(head: dict[str, str], filename: str) -> str | None:
    m = _FILE_PERIOD.search(filename)
    return _month(head.get("UsageStartDate", "")) or (nz.norm_period(m[1]) if m else None)


def _dsp(head: dict[str, str]) -> str | None:
    return unescape(head.get("SenderName") or head.get("ServiceDescription") or head.get("SenderPartyId") or "") or None


def _emit_lines(path: str, info: TextInfo, s: Scan, period: str | None, dsp: str | None, options: CleanOptions,
                emitter: Emitter, progress: Callable[[int, float], None] | None) -> None:
    """The per-line second pass: blocks → canonical rows."""
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    rows, block_id, block = _Rows(), None, {"RE": {}, "AS": {}, "SU": []}
    territory_cache: dict = {}

    def flush_block() -> None:
        for no, rt, rec in block["SU"]:
            _sale_row(no, rt, rec, block, s, period, dsp, allocated, rows, emitter, territory_cache)
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


def _cached(cache: dict, fn: Callable[[str], str | None], value: str) -> str | None:
    """`fn(value)` once per distinct value of the file (ISRCs, ICPNs and territories repeat)."""
    key = (fn, value)
    if key not in cache:
        cache[key] = fn(value)
    return cache[key]


def _pick(refs: dict[str, dict], ref: str) -> dict:
    if ref and ref in refs:
        return refs[ref]
    if ref and "dsp:" + ref in refs:
        return refs["dsp:" + ref]
    distinct = {id(v): v for k, v in refs.items()}
    return next(iter(distinct.values())) if len(distinct) == 1 else {}


def _sale_row(no: int, rt: str, rec: dict[str, str], block: dict, s: Scan, period: str | None, dsp: str | None,
              allocated: dict[str, Decimal], rows: _Rows, emitter: Emitter, tcache: dict) -> None:
    """Append one canonical row."""
    key = s.summary_key(rec.get("SummaryRecordId", ""))
    summary = s.summaries.view(key) if key is not None else {}
    usages = integer(rec.get("Usages", ""))
    returns = integer(rec.get("Returns", "")) or 0
    reason = None
    own = rec.get("NetRevenue", "").strip()
    revenue: Decimal | None = None
    if own:
        revenue = dec(own)
        reason = None if revenue is not None else f"invalid NetRevenue {own!r}"
    elif usages is None:
        reason = f"invalid usages {rec.get('Usages', '')!r}"
    elif not summary:
        reason = f"unknown SummaryRecordId {rec.get('SummaryRecordId', '')!r}"
    elif "Currency" in summary.get("Conflict", ""):
        reason = (f"SummaryRecordId {rec.get('SummaryRecordId', '')!r} names summary records in several "
                  "currencies: its share of each cannot be told")
    else:
        net = dec(summary.get("NetRevenue", ""))
        total = integer(summary.get("Usages", "")) or s.usages.get(key, 0)
        if net is None or total == 0:
            reason = "summary record has no usable NetRevenue/Usages"
        elif no == s.last_line.get(key) and s.usages.get(key) == total:
            revenue = net - allocated[key]            # remainder: the summary's lines sum to NetRevenue exactly
        else:
            try:
                revenue = (net * usages / total).quantize(QUANTUM, rounding=ROUND_DOWN)
            except InvalidOperation:                   # beyond any precision (1e999): out of range
                reason = f"NetRevenue {net * usages / total} is out of range"
        if revenue is not None:
            allocated[key] += revenue
    revenue, reason = in_range(revenue, reason)  # a bad line, like an out-of-range amount of a table
    resource = _pick(block["AS"], rec.get("TransactedResource") or rec.get("DspResourceId", ""))
    release = _pick(block["RE"], rec.get("TransactedRelease", ""))
    isrcs = multi(resource.get("ISRC", ""))
    isrc = next((c for c in (_cached(tcache, nz.norm_isrc, v) for v in isrcs) if c), None)
    emitter.count_invalid("isrc", int(bool(isrcs) and isrc is None))
    if isrcs and isrc is None:
        _nulled(emitter, "isrc", no, resource.get("ISRC", ""))
    icpn = unescape(release.get("ICPN", "")).strip()
    upc = _cached(tcache, nz.norm_upc, icpn) if icpn else None
    emitter.count_invalid("upc", int(bool(icpn) and upc is None))
    if icpn and upc is None:
        _nulled(emitter, "upc", no, icpn)
    terr_raw = summary.get("Territory", "").strip()
    territory = _cached(tcache, nz.norm_territory, terr_raw) if terr_raw else None
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


def _totals(s: Scan, single: bool, emitter: Emitter, head: dict[str, str]) -> tuple[dict | None, dict | None]:
    """What the summaries and FOOT declare (models.sales.totals shape), and this file's own
    check of it. A multi-file report's revenue and report-wide counts cover all its files: they
    are checked once every part is in (agents.statements), so a part checks its own counts only."""
    revenue, declared_in, warnings = s.summaries.declared_revenue()
    s.warnings.extend(warnings)
    if s.foot is None:
        s.warnings.append("no FOOT record: the file may be cut short")
    per_file, report = foot_counts(s.foot, {"lines_in_file": s.lines, "summary_records": len(s.summaries),
                                            "blocks_in_file": s.blocks})
    usages = s.summaries.declared_usages()
    if usages is not None and s.sources:
        report["usages"] = {"declared": usages, "found": s.line_usages}
    if not revenue and not per_file and not report:
        return None, None
    declared: dict = {"declared_in": declared_in,
                      "imported_from": sorted(s.sources.values()) or ["no sale lines"]}
    if revenue:
        declared["revenue"] = revenue
    message = (head.get("MessageId") or "").strip()
    if message:
        declared["message"] = f"{(head.get('SenderPartyId') or '').strip()}:{message}"
    if single:
        declared["counts"] = {**per_file, **report}
        imported = {"revenue": {c or "": _fmt(v[2]) for c, v in emitter.by_currency.items()}}
        return declared, tc.compare(declared, imported)
    declared["counts"] = per_file
    declared["report_counts"] = report
    return declared, tc.compare({k: v for k, v in declared.items() if k != "revenue"}, {})
