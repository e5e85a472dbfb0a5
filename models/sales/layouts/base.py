"""Layout objects: how a file is recognised from its own content and mapped to the canonical schema."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Mapping

import pyarrow as pa

from ..schema import FIELDS


def norm_header(text: str) -> str:
    """`Country Of Sale` → `country_of_sale`, `# Units Sold` → `units_sold`, `Royalty ($US)` → `royalty_us`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", "_", ascii_text.lower()).strip("_")


# Score of a match: higher is better, compared as a tuple (deterministic, no ties across distinct layouts:
# the registry refuses two layouts with the same required set, and the name is the last key).
Score = tuple


@dataclass(frozen=True)
class TabularLayout:
    """A header-row layout (CSV/TSV/TXT/XLS[X]). Recognised when every `required` normalised header is
    in one row among the first lines; `columns` maps canonical field → source header(s), first present wins."""

    name: str
    required: frozenset[str]
    columns: Mapping[str, tuple[str, ...]]
    constants: Mapping[str, str] = field(default_factory=dict)      # canonical field → fixed value
    date_format: str | None = None                                 # strptime format for periods; None = auto
    date_order: str | None = None                                  # `a/b/yyyy` dates: DMY or MDY; None = from the rows
    decimal_sep: str | None = None                                 # None = sniffed from the data
    thousands_sep: str | None = None                               # None = the other of , and .
    default_currency: str | None = None
    header_row: int | None = None                                  # 1-based line of the header when fixed
    skip_top: int = 0                                              # lines ignored before looking for the header
    skip_bottom: int = 0                                           # trailing lines always dropped
    priority: int = 0                                              # tie-break (org mappings use 100)
    prepare: Callable[[dict[str, pa.Array]], dict[str, pa.Array]] | None = None  # derive source columns
    forbidden: frozenset[str] = frozenset()                        # headers that rule the layout out
    footer_totals: Callable[[list[list[str]]], dict | None] | None = None  # trailer cells → declared totals
    refuse: Callable[[list[list[str]], int], str] | None = None    # not sales lines: (rows, header row) → why
    coalesce: bool = False                                         # several present sources: first non-blank per row
    stated_rate: tuple[str, str] | None = None                     # (from-currency, rate) headers: 1 from = rate line currency
    kind: str = "tabular"

    def __post_init__(self) -> None:
        unknown = set(self.columns) - set(FIELDS) | set(self.constants) - set(FIELDS)
        if unknown:
            raise ValueError(f"layout {self.name}: unknown canonical fields {sorted(unknown)}")
        if "revenue" not in self.columns:
            raise ValueError(f"layout {self.name}: no source column for revenue")
        if not self.required:
            raise ValueError(f"layout {self.name}: needs at least one required header")

    def match(self, headers: set[str]) -> Score | None:
        """None unless all required headers are present; else (specificity, optional hits, priority)."""
        if not self.required <= headers or self.forbidden & headers:
            return None
        optional = {h for srcs in self.columns.values() for h in srcs} - self.required
        return (len(self.required), len(optional & headers), self.priority)

    def coverage(self, headers: set[str]) -> float:
        return len(self.required & headers) / len(self.required)

    def source_index(self, headers: list[str]) -> dict[str, int]:
        """canonical field → column index in the file (first occurrence of the first present source)."""
        out: dict[str, int] = {}
        for fld, sources in self.columns.items():
            for src in sources:
                if src in headers:
                    out[fld] = headers.index(src)
                    break
        return out


def tabular(name: str, columns: Mapping[str, str | tuple[str, ...]], required: set[str] | None = None,
            **kwargs) -> TabularLayout:
    """Build a TabularLayout from raw header spellings (normalised here). `required` defaults to the
    first source of every mapped column."""
    cols = {f: tuple(norm_header(s) for s in ((v,) if isinstance(v, str) else v)) for f, v in columns.items()}
    req = frozenset(norm_header(h) for h in required) if required is not None else frozenset(s[0] for s in cols.values())
    if "forbidden" in kwargs:
        kwargs["forbidden"] = frozenset(norm_header(h) for h in kwargs["forbidden"])
    if kwargs.get("stated_rate"):
        kwargs["stated_rate"] = tuple(norm_header(h) for h in kwargs["stated_rate"])
    return TabularLayout(name=name, required=req, columns=cols, **kwargs)


@dataclass(frozen=True)
class RecordLayout:
    """A record-typed layout (DDEX DSR…): recognised from the first lines, parsed by its own `run`
    (path, text info, options, sink, progress) → CleanResult."""

    name: str
    match_lines: Callable[[list[str]], Score | None]
    run: Callable[..., object]
    priority: int = 0
    kind: str = "records"


Layout = TabularLayout | RecordLayout
