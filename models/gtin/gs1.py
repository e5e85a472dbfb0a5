"""GS1 number ranges and Company Prefixes of a GTIN (GS1 General Specifications §1.4, §3.3.2).

Range classification comes from biip's GS1 prefix table; the Company Prefix length of a GS1 key
comes from GS1's prefix-format list (data/gcp_length_by_prefix.csv.gz, see data/SOURCES.md).
Books (978/979) have no entry there: their prefix is the ISBN publisher's (python-stdnum's ISBN
ranges); a serial's (977) is 977 + the 7 digits of its ISSN (`ISSN_PREFIX_LENGTH`). Where GS1 publishes no length the Company Prefix is `None` ("unknown"), never a guess.
"""
from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources

from biip.gs1_prefixes import GS1Prefix, GS18Prefix
from stdnum import isbn

# Ranges where no company owns GTINs (GS1 GenSpecs figure 1.4.2-1); biip has no entry for 984.
ISSN_PREFIX_LENGTH = 10  # 977 + ISSN without its check digit; then 2 variant digits + check
_EXTRA = {"984": "GS1 coupon identification for common currency areas"}
_CLOSED_WORDS = (("restricted circulation", "restricted"), ("coupon", "coupon"),
                 ("refund", "coupon"), ("unused", "reserved"), ("reserved", "reserved"))


@dataclass(frozen=True)
class Range:
    """The GS1 range a key or prefix falls in: `kind` is "trade" (ordinary), "book", "serial",
    "gtin8", "restricted", "coupon" or "reserved"; `prefix` and `usage` are GS1's wording."""

    kind: str
    prefix: str
    usage: str

    @property
    def closed(self) -> bool:
        """No company owns GTINs here: only a system participant may hold them."""
        return self.kind in ("restricted", "coupon", "reserved")

    def describe(self) -> str:
        return f"GS1 prefix {self.prefix} ({self.usage})"


def _kind(usage: str) -> str:
    lowered = usage.lower()
    return next((kind for word, kind in _CLOSED_WORDS if word in lowered), "trade")


@functools.lru_cache(maxsize=1 << 16)
def key_range(head: str) -> Range:
    """Range of a 13-digit GS1 key from its first 7 digits (cached: imports call it per line).

    Keys starting 00000 are GTIN-8s (see `gtin8_range`)."""
    if head[:3] in _EXTRA:
        return Range("coupon", head[:3], _EXTRA[head[:3]])
    found = GS1Prefix.extract(head)
    if found is None:
        return Range("reserved", head[:3], "no GS1 Member Organisation issues this prefix")
    if found.value == "977":
        return Range("serial", "977", found.usage)
    if found.value in ("978", "979"):
        return Range("book", found.value, found.usage)
    return Range(_kind(found.usage), found.value, found.usage)


@functools.lru_cache(maxsize=4096)
def gtin8_range(head: str) -> Range:
    """Range of a GTIN-8 (or GS1-8 prefix) from its first digits."""
    found = GS18Prefix.extract(head[:3]) if len(head) >= 3 else None
    if found is None:
        return Range("reserved", head[:3], "no GS1 Member Organisation issues this GS1-8 prefix")
    kind = _kind(found.usage)
    return Range("gtin8" if kind == "trade" else kind, found.value, found.usage + " (GTIN-8)")


@functools.cache
def _lengths() -> dict[str, int]:
    """{GS1 key prefix: GS1 Company Prefix length} (0: GS1 allocates no Company Prefix there)."""
    data = resources.files("models.gtin").joinpath("data/gcp_length_by_prefix.csv.gz").read_bytes()
    rows = gzip.decompress(data).decode("ascii").split()
    return {prefix: int(length) for prefix, length in (row.split(",") for row in rows[1:])}


@functools.cache
def _depths() -> dict[str, int]:
    """{first 3 digits: longest listed prefix starting with them}: how much of a key matters."""
    depths: dict[str, int] = {}
    for prefix in _lengths():
        depths[prefix[:3]] = max(depths.get(prefix[:3], 0), len(prefix))
    return depths


def gcp_length(key13: str) -> int | None:
    """Company Prefix length for a GS1 key (longest listed prefix wins), None if unlisted.

    Only the digits some listed prefix reaches matter, so lookups are cached on them (an
    import's GTINs of one company share them)."""
    depth = _depths().get(key13[:3])
    return _longest(key13[:depth]) if depth else None


@functools.lru_cache(maxsize=1 << 16)
def _longest(head: str) -> int | None:
    table = _lengths()
    for end in range(len(head), 2, -1):
        length = table.get(head[:end])
        if length is not None:
            return length
    return None


def isbn_publisher(key13: str) -> str | None:
    """'978' + registration group + registrant of a 978/979 key (the publisher's prefix)."""
    try:
        ean_prefix, group, publisher, _item, _check = isbn.split(key13)
    except Exception:  # noqa: BLE001 - stdnum raises several kinds for unknown ranges
        return None
    return ean_prefix + group + publisher if publisher else None


def company_prefix(key13: str) -> str | None:
    """The GS1 Company Prefix of a 13-digit key (not a GTIN-8), or None when GS1 lists none."""
    head = key_range(key13[:7])
    if head.kind == "book":
        return isbn_publisher(key13)
    if head.kind == "serial":
        return key13[:ISSN_PREFIX_LENGTH]
    length = gcp_length(key13)
    return key13[:length] if length else None
