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
SUMMARY = re.compile(r"^SY\d\d")
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


def record(cells: list[str]) -> dict[str, str]:
    """Named cells of one record (missing trailing cells → "", extra cells dropped)."""
    names = columns(cells[0]) or ()
    return {name: (cells[i + 1] if i + 1 < len(cells) else "") for i, name in enumerate(names)}
