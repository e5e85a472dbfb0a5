"""DSR record types (cell names by position) and the escaped, ragged line splitter."""
from __future__ import annotations

import re

# Cell names after the RecordType cell. Keyed by type prefix; a full id (`SY01.02`) may override.
# Only the cells the cleaner reads need to be right; longer/shorter rows are padded/trimmed.
RECORDS: dict[str, tuple[str, ...]] = {
    "HEAD": ("MessageVersion", "Profile", "ProfileVersion", "MessageId", "MessageCreatedDateTime", "FileNumber",
             "NumberOfFiles", "UsageStartDate", "UsageEndDate", "SenderPartyId", "SenderName", "ServiceDescription",
             "RecipientPartyId", "RecipientName", "RepresentedRepertoire"),
    "FOOT": ("NumberOfLinesInFile", "NumberOfLinesInReport", "NumberOfSummaryRecords", "NumberOfBlocksInFile",
             "NumberOfBlocksInReport"),
    "SY01": ("SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "Usages", "Subscribers", "Currency", "NetRevenue",
             "IndirectNetRevenue", "CurrencyOfTransaction", "ExchangeRate"),
    "SY02": ("SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "Usages", "Users", "Currency", "NetRevenue", "RightsController",
             "RightsControllerPartyId", "AllocatedUsages", "AllocatedRevenue", "AllocatedNetRevenue", "RightsType",
             "ContentCategory", "ExchangeRateBaseCurrency", "ExchangeRate", "RightsTypePercentage"),
    # SY03 and SY05 follow the SY01/SY02 pattern (sales-formats.md §1.3: "similar patterns"); a file's
    # own `#SY03.01…` heading row, when it has one, names the cells instead (headings()).
    "SY03": ("SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "Usages", "Users", "Currency", "NetRevenue", "RightsController",
             "RightsControllerPartyId", "AllocatedUsages", "AllocatedRevenue", "AllocatedNetRevenue", "RightsType",
             "ContentCategory", "ExchangeRateBaseCurrency", "ExchangeRate"),
    "SY04": ("SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "SubscriberType", "Subscribers", "SubPeriodStartDate",
             "SubPeriodEndDate", "Usages", "Currency", "CurrencyOfTransaction", "ExchangeRate",
             "ConsumerPaidUnitPrice", "NetRevenue", "MusicUsagePercentage"),
    "SY05": ("SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "SubscriberType", "Usages", "Subscribers", "Currency",
             "NetRevenue", "IndirectNetRevenue", "CurrencyOfTransaction", "ExchangeRate"),
    "RE01": ("BlockId", "ReleaseReference", "DspReleaseId", "ProprietaryReleaseId", "CatalogNumber", "ICPN",
             "DisplayArtistName", "DisplayArtistPartyId", "Title", "SubTitle", "ReleaseType", "Label", "PLine",
             "DataProvider", "ReleaseDate"),
    "AS01": ("BlockId", "ResourceReference", "DspResourceId", "ISRC", "Title", "SubTitle", "DisplayArtistName",
             "DisplayArtistPartyId", "Duration", "ResourceType"),
    "SU01": ("BlockId", "SummaryRecordId", "SalesTransactionId", "TransactedRelease", "TransactedResource",
             "IsRoyaltyBearing", "SalesUpgrade", "Usages", "Returns", "PriceConsumerPaidExcSalesTax",
             "PromotionalActivity"),
    "SU02": ("BlockId", "SummaryRecordId", "SalesTransactionId", "TransactedRelease", "TransactedResource",
             "IsRoyaltyBearing", "Usages", "PriceConsumerPaidExcSalesTax", "PromotionalActivity", "UseType"),
    "SU03": ("BlockId", "SalesTransactionId", "SummaryRecordId", "DspResourceId", "Usages", "NetRevenue",
             "ValidityPeriodStart", "ValidityPeriodEnd", "ContentCategory", "IsRoyaltyBearing"),
}
RECORDS["AS02"] = RECORDS["AS01"]
SUMMARY = re.compile(r"^SY\d\d")                 # summary records, every profile (SY01…SY05, SY10…)
SALE = re.compile(r"^SU0[123]")            # detail lines that become canonical rows
BLOCK = re.compile(r"^(RE|AS|MW|RU|SU|LI)\d\d")


def columns(record_type: str) -> tuple[str, ...] | None:
    return RECORDS.get(record_type) or RECORDS.get(record_type[:4])


def split_escaped(text: str, sep: str) -> list[str]:
    """Split on unescaped `sep`; escapes stay in the pieces (unescape afterwards)."""
    if "\\" not in text:
        return text.split(sep)
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def split_line(line: str) -> list[str]:
    """Cells of one record: TAB-separated, `\\<TAB>` is a literal tab inside a cell."""
    return split_escaped(line, "\t")


def unescape(cell: str) -> str:
    return re.sub(r"\\(.)", r"\1", cell, flags=re.S) if "\\" in cell else cell


def multi(cell: str) -> list[str]:
    """Values of a multi-value cell: split on unescaped `|`, each unescaped (`\\|` is a literal pipe)."""
    return [unescape(v) for v in split_escaped(cell, "|") if v != ""]


# Spellings of the same summary cell across profiles and heading rows → the name the reader uses.
SYNONYMS = {"CurrencyOfReporting": "Currency", "TotalUsages": "Usages", "NumberOfUsages": "Usages",
            "UsagesInSubPeriod": "Usages"}


def heading(cells: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """A `#SY02.01	SummaryRecordId	…` heading row → (record type, cell names), synonyms applied.
    Only summary headings are used: they differ most between profiles (TotalUsages, Currency…)."""
    rt = cells[0].lstrip("#").strip()
    if not SUMMARY.match(rt) or len(cells) < 3:
        return None
    return rt, tuple(SYNONYMS.get(c.strip(), c.strip()) for c in cells[1:])


def record(cells: list[str], names: tuple[str, ...] | None = None) -> dict[str, str]:
    """Named cells of one record (missing trailing cells → "", extra cells dropped); `names` are the
    file's own heading for this record type, else the built-in definition."""
    names = names or columns(cells[0]) or ()
    out: dict[str, str] = {}
    for i, name in enumerate(names):
        value = cells[i + 1] if i + 1 < len(cells) else ""
        if name not in out or (value.strip() and not out[name].strip()):
            out[name] = value
    return out


def file_record(s, no: int, rt: str, cells: list[str]) -> bool:
    """A heading, HEAD, FOOT or summary record of line `no` taken into the file state `s` (both
    readers' first pass); False for any other record type (a block record)."""
    if rt.startswith("#"):
        named = heading(cells)
        if named:
            s.headings.setdefault(*named)
    elif rt == "HEAD":
        s.head = record(cells)
    elif rt == "FOOT":
        s.foot = record(cells)
    elif SUMMARY.match(rt):
        s.summaries.add(no, rt, record(cells, s.names(rt)))
    else:
        return False
    return True
