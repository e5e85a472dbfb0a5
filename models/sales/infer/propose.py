"""Propose a mapping for a file no layout claims, from its header names and its values together.

Each (column, field) pair gets a confidence from how the header reads (vocabulary.py) and how the
sampled values look (values.py); fields are then assigned best-first, one column each. The file
is `sure` when revenue, a period and at least one of artist/track/release are all identified at or
above THRESHOLD and revenue and the period are unambiguous (docs/formats.md, "Inference")."""
from __future__ import annotations

import re
from decimal import Decimal

import pyarrow as pa

from .. import normalise as nz
from .values import Profile, amount_of, profile
from .vocabulary import blocks_revenue, name_scores

THRESHOLD = 0.75
SAMPLE_ROWS = 1000
SHOWN_ROWS = 50
SHOWN_BYTES = 32 * 1024
_TOTAL = re.compile(r"^((grand|sub)[\s_-]*)?totals?\b|^sum\b|^summe\b|^gesamt|^somme\b|^totaal\b|^totale\b|"
                    r"^suma\b|^soma\b|^som\b", re.I)
_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$|^\d{4}[./-]\d{1,2}([./-]\d{1,2})?$")
_TYPED = {"isrc": 0.9, "upc": 0.85, "currency": 0.85, "territory": 0.7, "sale_period": 0.6,
          "statement_period": 0.45, "quantity": 0.35, "revenue": 0.45}
_TEXT = ("dsp", "artist", "track_title", "release_title", "usage_type", "title")
IDENTITY = ("artist", "track_title", "release_title")


def _fit(field: str, p: Profile) -> float | None:
    """How well the sampled values suit `field` (None: no values to judge)."""
    if p.filled == 0:
        return None
    if field in ("isrc", "upc", "territory", "currency"):
        return getattr(p, field)
    if field.endswith("period"):
        return p.period
    if field == "quantity":
        return p.integer * (1 - p.upc) * (1 - p.period)
    if field == "revenue":
        return p.decimal * (1 - p.period) * (1 - p.upc) * (1.0 if p.fractional or p.integer < 1 else 0.8)
    if field == "catalog":
        return 1.0 - p.isrc
    return p.text * (1 - p.territory * 0.5) * (1 - p.currency) if field in _TEXT else 0.0


def _confidence(field: str, name: float, fit: float | None) -> float:
    if fit is None:
        return round(0.6 * name, 3)
    if name > 0:
        return round(0.55 * name + 0.45 * fit, 3) if fit >= 0.5 else round(0.3 * name * fit + 0.2 * name, 3)
    return round(_TYPED.get(field, 0.0) * fit, 3) if fit >= 0.8 else 0.0


def _header_row(rows: list[list[str]]) -> int:
    """The row (among the first 40) with the most cells the vocabulary knows, then the earliest."""
    def key(i: int) -> tuple:
        cells = [c for c in rows[i] if c.strip()]
        known = sum(1 for c in cells if max(name_scores(c)[0].values(), default=0) >= 0.7)
        texty = sum(1 for c in cells if not re.fullmatch(r"[\d\s.,:/+-]*", c))
        return (known, texty, -i)
    return max(range(min(len(rows), 40)), key=key, default=0)


def infer(rows: list[list[str]], filename: str = "") -> dict:
    """A proposal for these rows (header + data, already split into cells): the mapping in the
    `/api/layouts/` shape plus per-field confidence, the reasons and the first rows."""
    h = _header_row(rows)
    headers = [c.strip() for c in rows[h]] if rows else []
    width = len(headers)
    data, stated = [], []
    for r in rows[h + 1:]:
        cells = (list(r) + [""] * width)[:width]
        first = next((c.strip() for c in cells if c.strip()), "")
        if not first:
            continue
        if _TOTAL.match(first):
            stated.append(cells)
            continue
        data.append(cells)
    sample = data[:SAMPLE_ROWS]
    dec = nz.sniff_decimal_sep([c for r in sample for c in r if re.fullmatch(r"[\s\d.,+-]+", c or "")
                                and not _DATE.match(c.strip())][:2000])
    cols = [pa.array([r[i] for r in sample], pa.string()) for i in range(width)]
    profiles = [profile(c, dec) for c in cols]
    names, currency_in = [], {}
    for i, head in enumerate(headers):
        scores, ccy = name_scores(head)
        names.append(scores)
        if ccy:
            currency_in[i] = ccy
    fields = ("statement_period", "sale_period", "dsp", "territory", "isrc", "upc", "artist", "track_title",
              "release_title", "title", "catalog", "usage_type", "quantity", "currency", "revenue")
    conf = {(f, i): _confidence(f, names[i].get(f, 0.0), _fit(f, profiles[i]))
            for f in fields for i in range(width) if headers[i]}
    for i, head in enumerate(headers):
        if ("revenue", i) in conf and blocks_revenue(head):
            conf[("revenue", i)] = round(conf[("revenue", i)] * 0.3, 3)
    _unit_prices(cols, profiles, conf, dec, width, notes := [])
    stated_amounts = [a for r in stated for c in r if (a := amount_of(c, dec)) is not None] if stated else []
    whole_file = len(data) <= SAMPLE_ROWS
    matched = [i for i in range(width) if whole_file and profiles[i].decimal >= 0.9 and profiles[i].fractional > 0
               and names[i].get("quantity", 0) < 0.7 and profiles[i].total is not None
               and profiles[i].total in stated_amounts]
    if len(matched) == 1:
        conf[("revenue", matched[0])] = max(conf.get(("revenue", matched[0]), 0), 0.95)
        notes.append(f"revenue: {headers[matched[0]]!r} sums to the stated total {profiles[matched[0]].total}")
        for i in range(width):
            if i != matched[0] and ("revenue", i) in conf:
                conf[("revenue", i)] = min(conf[("revenue", i)], 0.3)
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    for (f, i), c in sorted(conf.items(), key=lambda kv: (-kv[1], kv[0][1], fields.index(kv[0][0]))):
        if c < 0.3 or f in chosen or i in taken:
            continue
        chosen[f], taken = i, taken | {i}
    return _finish(headers, h, profiles, cols, chosen, conf, currency_in, dec, notes, stated_amounts,
                   sample, data, filename)


def _unit_prices(cols, profiles, conf, dec, width, notes) -> None:
    """A money column equal to another × the quantity on the sampled rows is the line amount; the
    other is a unit price and not the revenue (Apple `Extended Partner Share` vs `Partner Share`)."""
    qty = max(range(width), key=lambda i: conf.get(("quantity", i), 0), default=None)
    if qty is None or conf.get(("quantity", qty), 0) < 0.5:
        return
    money = [i for i in range(width) if i != qty and profiles[i].decimal >= 0.9 and conf.get(("revenue", i), 0) >= 0.3]
    as_dec = {i: nz.to_amount(cols[i], dec, None)[0].to_pylist() for i in money + [qty]}
    for a in money:
        for b in money:
            pairs = [(x, y, q) for x, y, q in zip(as_dec[a], as_dec[b], as_dec[qty])
                     if x is not None and y is not None and q is not None and q not in (0, 1)]
            if a != b and len(pairs) >= 2 and all(abs(x - y * q) <= abs(x) * Decimal("0.0001") for x, y, q in pairs):
                conf[("revenue", b)] = round(conf[("revenue", b)] * 0.3, 3)
                notes.append(f"column {b + 1} is a unit amount (column {a + 1} = it × quantity)")


def _runner_up(field: str, chosen: dict[str, int], conf: dict) -> tuple[int, float] | None:
    others = [(i, c) for (f, i), c in conf.items() if f == field and i != chosen.get(field)]
    return max(others, key=lambda t: t[1], default=None)


def _finish(headers, h, profiles, cols, chosen, conf, currency_in, dec, notes, stated, sample, data,
            filename) -> dict:
    fconf = {f: conf[(f, i)] for f, i in chosen.items()}
    if "title" in chosen:                                   # a bare "Title": track or release?
        i, c = chosen.pop("title"), fconf.pop("title")
        target = "track_title" if "release_title" in chosen else "release_title" if "track_title" in chosen \
            else "track_title" if "isrc" in chosen else "release_title" if ("upc" in chosen or "catalog" in chosen) \
            else "track_title"
        chosen[target], fconf[target] = i, c
        notes.append(f"{headers[i]!r} read as {target.replace('_', ' ')}")
    names = [headers[i] for i in chosen.values()]
    shared = sorted({n for n in names if names.count(n) > 1})   # one header name, several fields
    columns = {headers[i]: f for f, i in chosen.items() if f != "catalog"}
    order = {headers[i]: i for i in range(len(headers))}
    catalog = set()
    if "catalog" in chosen:                                # the release's name where its title is blank
        cat = headers[chosen.pop("catalog")]
        catalog.add(cat)
        fconf.pop("catalog")
        columns[cat] = "release_title"
        fconf.setdefault("release_title", conf.get(("catalog", order[cat]), 0.0))
        notes.append(f"{cat!r} names the release where its title is blank")
    ambiguous = [f"header {n!r} names several columns" for n in shared]
    if "revenue" in chosen and (ru := _runner_up("revenue", chosen, conf)) and ru[1] >= fconf["revenue"] - 0.04:
        ambiguous.append(f"revenue: {headers[chosen['revenue']]!r} or {headers[ru[0]]!r}")
    pfield = max(("sale_period", "statement_period"), key=lambda f: fconf.get(f, 0))
    if pfield in chosen and (ru := _runner_up(pfield, chosen, conf)) and ru[1] >= fconf[pfield] - 0.1 \
            and ru[0] not in chosen.values() and not _same_months(cols[chosen[pfield]], cols[ru[0]]):
        ambiguous.append(f"{pfield}: {headers[chosen[pfield]]!r} or {headers[ru[0]]!r} (different months)")
    currency = (currency_in.get(chosen["revenue"]) if "revenue" in chosen else None) or \
        next(iter(currency_in.values()), None)
    missing = [what for what, ok in (
        ("revenue", fconf.get("revenue", 0) >= THRESHOLD),
        ("a period", max(fconf.get("sale_period", 0), fconf.get("statement_period", 0)) >= THRESHOLD),
        ("artist, track or release", max(fconf.get(f, 0) for f in IDENTITY) >= THRESHOLD)) if not ok]
    if "currency" not in chosen and not currency:
        notes.append("no currency column and none in a header: set default_currency")
    mapping = {"name": _name(filename, headers), "required_headers": [x for x in headers if x in columns],
               "columns": dict(sorted(columns.items(), key=lambda kv: (kv[0] in catalog, order[kv[0]]))),
               "decimal_separator": dec, "default_currency": currency}
    return {
        "mapping": mapping, "sure": not missing and not ambiguous, "threshold": THRESHOLD,
        "confidence": {f: round(c, 2) for f, c in sorted(fconf.items())},
        "missing": missing, "ambiguous": ambiguous, "notes": notes, "header_line": h + 1,
        "stated_totals": [str(s) for s in stated][:5],
        "columns": [{"header": x, "field": columns.get(x),
                     "confidence": round(max((conf.get((f, i), 0) for f in _fields_of(columns.get(x))), default=0), 2),
                     "candidates": _candidates(conf, i)} for i, x in enumerate(headers)],
        "sample_rows": (shown := _shown(sample)),
        "sample_is_whole_file": len(data) <= len(shown),
    }


def _shown(sample: list[list[str]]) -> list[list[str]]:
    """The first rows for people to see (wizard, status): at most SHOWN_ROWS and ~32 KB of text, so
    the status event stays small whatever the file's width."""
    out, size = [], 0
    for row in sample[:SHOWN_ROWS]:
        cells = [c[:80] for c in row]
        size += sum(len(c) + 3 for c in cells)
        if out and size > SHOWN_BYTES:
            break
        out.append(cells)
    return out


def _fields_of(field: str | None) -> tuple[str, ...]:
    if field is None:
        return ()
    return (field, "title", "catalog") if field in ("track_title", "release_title") else (field,)


def _candidates(conf: dict, i: int) -> list[dict]:
    best = sorted(((c, f) for (f, j), c in conf.items() if j == i and c >= 0.3 and f not in ("title", "catalog")),
                  reverse=True)[:3]
    return [{"field": f, "confidence": round(c, 2)} for c, f in best]


def _same_months(a: pa.Array, b: pa.Array) -> bool:
    pa_, pb = nz.map_distinct(a, nz.norm_period).to_pylist(), nz.map_distinct(b, nz.norm_period).to_pylist()
    pairs = [(x, y) for x, y in zip(pa_, pb) if x and y]
    return bool(pairs) and sum(x == y for x, y in pairs) >= 0.9 * len(pairs)


def _name(filename: str, headers: list[str]) -> str:
    """A layout name from the file name without dates/numbers, plus a short hash of the headers."""
    import hashlib

    stem = re.sub(r"\.[A-Za-z0-9]+$", "", filename.rsplit("/", 1)[-1])
    stem = re.sub(r"[\d_\-\s.]+", "-", stem).strip("-").lower()[:60] or "layout"
    digest = hashlib.sha1("\x1f".join(headers).encode()).hexdigest()[:6]
    return f"{stem}-{digest}"

