"""GS1 prefix -> country of barcode registration (the import's `to_country` action).

Data: data/gs1-prefix.csv (see data/SOURCES.md). Ranges with no country (restricted circulation,
ISSN/ISBN, coupons, GS1 Global Office, centrally managed), ranges the sources disagree on, and codes
that are not ISO 3166-1 countries all give None: better no country than a wrong one.
"""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

import pycountry

from models.gtin.codes import gs1_key, is_gtin8

# Known defects of the upstream table, fixed here rather than in the copied file.
_CODE_FIXES = {"VD": "VN"}


@dataclass(frozen=True)
class Registration:
    numeric: str  # ISO 3166-1 numeric, e.g. "036"
    alpha2: str  # ISO 3166-1 alpha-2, e.g. "AU"
    name: str
    organisation: str  # issuing GS1 member organisation


@functools.cache
def _table() -> dict[int, Registration | None]:
    """3-digit GS1 prefix -> registration (None where the prefix names no country)."""
    table: dict[int, Registration | None] = {}
    text = resources.files("models.gtin").joinpath("data/gs1-prefix.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        code = _CODE_FIXES.get(row["organisation_country_code"], row["organisation_country_code"])
        country = pycountry.countries.get(alpha_2=code) if code else None
        reg = None
        if country is not None and row["source_disagreement"].strip().lower() != "true":
            reg = Registration(country.numeric, country.alpha_2, country.name, row["issuing_organisation"])
        for prefix in range(int(row["prefix_from"]), int(row["prefix_to"]) + 1):
            table[prefix] = reg
    return table


def _gs1_prefix(gtin14: str) -> str | None:
    """The 3-digit GS1 prefix, or None for key ranges GS1 keeps out of the prefix table."""
    if is_gtin8(gtin14):
        prefix = gtin14[6:9]  # GS1-8 prefix of the GTIN-8
        # GS1-8 prefixes 0xx-1xx are restricted/unused, 2xx regional RCN, 960-969 GTIN-8 Global Office.
        return None if prefix[0] in "012" else prefix
    key = gs1_key(gtin14)
    if key.startswith("00000"):
        return None  # 0000000 = RCN within a company, 0000001-0000099 kept free for GTIN-8
    return key[:3]


def country_of_registration(gtin14: str) -> Registration | None:
    """Country whose GS1 member organisation issued the GTIN's prefix, or None."""
    prefix = _gs1_prefix(gtin14)
    if prefix is None:
        return None
    return _table().get(int(prefix))
