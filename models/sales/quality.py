"""Data quality of a cleaned file: per field, how many values were nulled (invalid) or repaired
(rewritten to their canonical form), with up to five samples and their line numbers."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

FIELDS = ("isrc", "upc", "territory", "sale_date", "quantity", "revenue", "currency")
MAX_SAMPLES = 5


def samples(mask: pa.Array | None, lines: pa.Array, raw: pa.Array | None,
            out: pa.Array | None = None, room: int = MAX_SAMPLES) -> tuple[int, list[dict]]:
    """(count, first `room` samples {line, value, result}) of the rows `mask` selects; columnar
    except for the few samples taken."""
    if mask is None:
        return 0, []
    n = pc.sum(mask).as_py() or 0
    if not n or room <= 0:
        return n, []
    idx = pc.indices_nonzero(mask)[:room]
    values = raw.take(idx).to_pylist() if raw is not None else [None] * len(idx)
    results = out.take(idx).to_pylist() if out is not None else [None] * len(idx)
    return n, [{"line": ln, "value": v, "result": _text(r)}
               for ln, v, r in zip(lines.take(idx).to_pylist(), values, results)]


def _text(value):
    """A sample's result as JSON text: decimals exact without exponent, numbers as numbers."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def changed(text: pa.Array, out: pa.Array) -> tuple[pa.Array | None, pa.Array | None]:
    """(nulled, repaired) masks: a value given but nulled; a value kept but rewritten."""
    nulled = pc.and_(pc.is_valid(text), pc.is_null(out)) if out.null_count > text.null_count else None
    repaired = pc.fill_null(pc.not_equal(text, out), False)
    return nulled, (repaired if pc.any(repaired).as_py() else None)


class Quality:
    """Accumulates the per-field counts and samples across batches (in file order)."""

    def __init__(self) -> None:
        self.fields: dict[str, dict] = {}

    def add(self, name: str, kind: str, count: int, found: list[dict]) -> None:
        if not count:
            return
        entry = self.fields.setdefault(name, {"nulled": 0, "repaired": 0, "samples": []})
        entry[kind] += count
        room = MAX_SAMPLES - len(entry["samples"])
        entry["samples"] += [{**s, "kind": kind} for s in found[:max(room, 0)]]

    def room(self, name: str) -> int:
        return MAX_SAMPLES - len(self.fields.get(name, {}).get("samples", ()))

    def report(self) -> dict:
        """{field: {nulled, repaired, samples}} for every field of FIELDS (zeros included)."""
        return {f: self.fields.get(f, {"nulled": 0, "repaired": 0, "samples": []}) for f in FIELDS}
