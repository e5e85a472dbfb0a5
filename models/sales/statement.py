"""What a statement is, independent of its bytes: layout, DSPs, periods and an order-independent
fingerprint of its normalised rows, so the same statement saved as CSV or XLSX, re-encoded or
with other whitespace is recognised (docs/money.md, "Duplicates").

Each row's key columns are hashed column by column (numpy; strings once per distinct value),
the row hashes are added modulo 2**64 (order-independent, a repeated row counts twice) and the
256 smallest are kept as a sketch, which tells a superset of another statement from a
correction of it without keeping every row. The same pass sums the imported revenue per
currency, for the declared-totals check.
"""
from __future__ import annotations

import functools
import hashlib
import json
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .key_ids import Codes, Vocabulary, encoded

# what a row is about, then what it says about it: a correction keeps the first, changes the second
IDENTITY = ("statement_period", "sale_period", "dsp", "territory", "isrc", "upc", "artist",
            "track_title", "release_title", "usage_type", "currency")
KEY_COLUMNS = (*IDENTITY, "quantity", "revenue")
SKETCH = 256
_NULL = np.uint64(0x9E3779B97F4A7C15)
_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_SALTS = [np.uint64((i + 1) * 0x9E3779B97F4A7C15 % 2**64) for i in range(len(KEY_COLUMNS))]


def _mix(x: np.ndarray, own: bool = False) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the 64 output bits. `own`: `x` is a
    temporary of the caller's, mixed in place (no new arrays of a row group's length)."""
    if not own:
        x = x.copy()
    shifted = x >> np.uint64(30)
    x ^= shifted
    x *= _C1
    np.right_shift(x, np.uint64(27), out=shifted)
    x ^= shifted
    x *= _C2
    np.right_shift(x, np.uint64(31), out=shifted)
    x ^= shifted
    return x


def _text_hash(value: str) -> int:
    normal = " ".join(value.split()).casefold()
    return int.from_bytes(hashlib.blake2b(normal.encode(), digest_size=8).digest(), "little")


def _flat(col) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


class _TextHashes:
    """`_text_hash` of the distinct texts seen in earlier row groups of the file (a vocabulary
    and the numpy hashes aligned with it), so a text costs one Python call per file, not one
    per row group. Used by one thread (the digest's stage). Emptied past MAX keys
    (all-distinct columns)."""

    MAX = 1_000_000

    def __init__(self) -> None:
        self.vocab = Vocabulary()
        self.hashes = np.empty(0, np.uint64)

    @property
    def _follows_file(self) -> bool:
        """`hashes` are aligned with a file vocabulary (`at`): `vocab` was never used then."""
        return self.vocab.values is None and len(self.hashes) > 0

    def at(self, values: pa.Array, positions: pa.Array) -> np.ndarray:
        """Hashes of the file vocabulary's `values` at `positions` (`key_ids.FileIds`): the
        hashes are kept aligned with that vocabulary, so only values added since are hashed."""
        if self.vocab.values is not None:     # used with a vocabulary of its own before
            self.vocab, self.hashes = Vocabulary(), np.empty(0, np.uint64)
        if len(values) > len(self.hashes):
            self.hashes = np.concatenate([self.hashes, _hash_all(values.slice(len(self.hashes)))])
        return self.hashes[positions.to_numpy(zero_copy_only=False)]

    def of(self, distinct: pa.Array) -> np.ndarray:
        """Hashes of `distinct` (non-null, distinct texts), in its order."""
        if self._follows_file:                # aligned with a file vocabulary before: start again
            self.hashes = np.empty(0, np.uint64)
        seen = len(self.hashes)
        idx = self.vocab.positions(distinct)
        if len(self.vocab.values) > self.MAX:   # start again from this group's texts
            self.vocab, self.hashes = Vocabulary(), np.empty(0, np.uint64)
            seen, idx = 0, self.vocab.positions(distinct)
        if len(self.vocab.values) > seen:
            self.hashes = np.concatenate([self.hashes, _hash_all(self.vocab.values[seen:])])
        return self.hashes[idx.to_numpy(zero_copy_only=False)]


@functools.cache
def _plain_pattern() -> str:
    """A text whose characters are all in this class, one space between words, is its own
    `_text_hash` normal form once lower-cased by Arrow: no whitespace to fold, and each of its
    characters lower-cases to one character, the same in Arrow and in Python, and casefolds to
    it (Latin up to U+024F, less ß, İ, ſ, ŉ, µ and the like)."""
    chars = [chr(i) for i in range(0x21, 0x250)]
    lowered = pc.utf8_lower(pa.array(chars, pa.string())).to_pylist()
    keep = [ord(c) for c, low in zip(chars, lowered)
            if not c.isspace() and c.isprintable() and c.lower() == c.casefold() == low]
    spans: list[list[int]] = []
    for code in keep:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    cls = "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in spans) + "]"
    return f"^{cls}+( {cls}+)*$"


def _hash_all(texts: pa.Array) -> np.ndarray:
    """`_text_hash` of each text. Most texts are already in their normal form but for the case
    (`_plain_pattern`): those are lower-cased by Arrow and only hashed in Python, without
    Python's split, join and casefold (57 k titles and names: 0.060 → 0.036 s)."""
    plain = pc.fill_null(pc.match_substring_regex(texts, _plain_pattern()), False)
    out = np.empty(len(texts), np.uint64)
    mask = plain.to_numpy(zero_copy_only=False)
    if mask.any():
        lowered = pc.utf8_lower(texts.filter(plain)).cast(pa.binary()).to_pylist()
        out[mask] = np.frombuffer(b"".join([hashlib.blake2b(b, digest_size=8).digest() for b in lowered]),
                                  dtype="<u8")
    if not mask.all():
        others = texts.filter(pc.invert(plain)).to_pylist()
        out[~mask] = np.fromiter((_text_hash(v) for v in others), np.uint64, count=len(others))
    return out


def _strings(found: tuple[pa.Array, list[pa.Array]] | None, cache: _TextHashes | None = None,
             file_ids: tuple[pa.Array, pa.Array] | None = None) -> np.ndarray:
    """Per row, the hash of its normalised text (`_NULL` for null), from the column's
    `dictionary_chunks`; `file_ids`: (the file's vocabulary then, where each dictionary value
    is in it), from the sink (`key_ids.FileIds`)."""
    if found is None:
        return np.empty(0, np.uint64)
    dictionary, indices = found
    cache = cache or _TextHashes()
    hashes = cache.of(dictionary) if file_ids is None else cache.at(*file_ids)
    table = np.append(hashes, _NULL)  # index -1 = null
    return table[pc.fill_null(pa.chunked_array(indices, pa.int32()), -1).to_numpy()]


def _nulls(arr: pa.Array, values: np.ndarray) -> np.ndarray:
    if arr.null_count:
        values = np.where(pc.is_null(arr).to_numpy(zero_copy_only=False), _NULL, values)
    return values


def _integers(arr: pa.Array) -> np.ndarray:
    values = pc.fill_null(arr, 0).to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)
    return _nulls(arr, _mix(values, own=True))


def _decimals(arr: pa.Array) -> np.ndarray:
    words = np.frombuffer(arr.buffers()[1], dtype=np.uint64)
    words = words[2 * arr.offset: 2 * (arr.offset + len(arr))].reshape(-1, 2)
    return _nulls(arr, _mix(words[:, 0]) ^ _mix(words[:, 1] + _NULL, own=True))


def row_hashes(table: pa.Table | pa.RecordBatch, texts: dict[str, _TextHashes] | None = None,
               codes: Codes | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes per row: over IDENTITY, and over all KEY_COLUMNS (normalised text,
    exact amounts). `texts`: per column, the text hashes of earlier row groups; `codes`: the
    string columns already dictionary-encoded (`key_ids.encode_columns`)."""
    h = np.zeros(table.num_rows, np.uint64)
    identity = h
    shared = getattr(codes, "ids", None)
    for i, name in enumerate(KEY_COLUMNS):
        if i == len(IDENTITY):
            identity = h
        col = table.column(name)
        if pa.types.is_decimal(col.type):
            part = _decimals(_flat(col))
        elif pa.types.is_integer(col.type):
            part = _integers(_flat(col))
        else:
            cache = None if texts is None else texts.setdefault(name, _TextHashes())
            # a coded column's dictionaries are unified, not decoded and hashed again
            text = col if col.type == pa.string() or pa.types.is_dictionary(col.type) else col.cast(pa.string())
            ids = (shared.values[name], shared.positions[name]) \
                if shared is not None and name in shared.positions else None
            part = _strings(encoded(codes, name, text), cache, ids)
        part = part + _SALTS[i]
        part ^= h
        h = _mix(part, own=True)
    return identity, h


def _distinct(found: tuple[pa.Array, list[pa.Array]] | None) -> pa.Array:
    """A column's distinct values from its `dictionary_chunks` (a dictionary of the row group
    holds only values present in it)."""
    return pa.array([], pa.string()) if found is None else found[0]


def _bottom(sketch: np.ndarray, h: np.ndarray) -> np.ndarray:
    smallest = np.partition(h, SKETCH)[:SKETCH] if len(h) > SKETCH else h
    return np.unique(np.concatenate([sketch, smallest]))[:SKETCH]


class StatementDigest:
    """Fed every cleaned table of a file (in order or not); `result()` describes the statement."""

    def __init__(self) -> None:
        self.total = np.uint64(0)
        self.rows = 0
        self.sketch = np.empty(0, np.uint64)
        self.identities = np.empty(0, np.uint64)
        self.dsps: set[str] = set()
        self.periods: set[str] = set()
        self.revenue: dict[str, Decimal] = {}
        self.quantity = 0
        self.texts: dict[str, _TextHashes] = {}

    def add(self, table: pa.Table, codes: Codes | None = None) -> None:
        if not table.num_rows:
            return
        identity, h = row_hashes(table, self.texts, codes)
        with np.errstate(over="ignore"):
            self.total = np.uint64(self.total + h.sum(dtype=np.uint64))
        self.rows += table.num_rows
        self.sketch = _bottom(self.sketch, h)
        self.identities = _bottom(self.identities, identity)
        for name, found in (("dsp", self.dsps), ("statement_period", self.periods)):
            distinct = _distinct(encoded(codes, name, table.column(name)))
            found.update(v for v in distinct.to_pylist() if v)
        self._add_revenue(table, encoded(codes, "currency", table.column("currency")))
        self.quantity += pc.sum(table.column("quantity")).as_py() or 0

    def _add_revenue(self, table: pa.Table, currency: tuple[pa.Array, list[pa.Array]] | None) -> None:
        """Revenue per currency, grouped on the currency's dictionary indices (no string hashed
        again); a row without a currency counts under ""."""
        if currency is None:
            return
        dictionary, indices = currency
        by = pa.table({"c": pa.chunked_array(indices, pa.int32()), "revenue": table.column("revenue")})
        sums = by.group_by("c", use_threads=False).aggregate([("revenue", "sum")])
        names = dictionary.to_pylist()
        for at, amount in zip(sums.column("c").to_pylist(), sums.column("revenue_sum").to_pylist()):
            key = "" if at is None else names[at] or ""
            self.revenue[key] = self.revenue.get(key, Decimal(0)) + (amount or Decimal(0))

    def result(self, layout: str | None) -> dict:
        from .result import _fmt

        dsps, periods = sorted(self.dsps), sorted(self.periods)
        fingerprint = f"{int(self.total):016x}"
        key = hashlib.sha256(json.dumps([layout, dsps, periods, self.rows, fingerprint])
                             .encode()).hexdigest()[:32]
        return {"key": key, "layout": layout, "dsps": dsps, "periods": periods,
                "rows": self.rows, "fingerprint": fingerprint,
                "sketch": [f"{int(v):016x}" for v in self.sketch],
                "identities": [f"{int(v):016x}" for v in self.identities],
                "imported": {"revenue": {c: _fmt(v) for c, v in sorted(self.revenue.items())},
                             "quantity": str(self.quantity)}}


def _contains(big: set, small: set) -> bool:
    """Bottom-k sketches: every small-side hash below the big side's cut is in the big side."""
    cut = max(big) if len(big) >= SKETCH else "f" * 16
    return all(h in big for h in small if h <= cut)


def _similar(a: set, b: set) -> float:
    """Estimated Jaccard similarity of two row sets from their bottom-k sketches."""
    union = sorted(a | b)[:SKETCH]
    return sum(1 for h in union if h in a and h in b) / len(union) if union else 0.0


def relation(mine: dict, other: dict) -> str | None:
    """How statement `mine` relates to `other` of the same layout, DSPs and periods:
    "superset" (all its rows and more), "subset", "correction" (mostly the same rows — same
    tracks, territories, usage — with other figures or a few rows changed) or None."""
    a, b = set(mine["sketch"]), set(other["sketch"])
    if mine["rows"] > other["rows"] and _contains(a, b):
        return "superset"
    if mine["rows"] < other["rows"] and _contains(b, a):
        return "subset"
    if _similar(set(mine.get("identities") or ()), set(other.get("identities") or ())) >= 0.5:
        return "correction"
    return None
