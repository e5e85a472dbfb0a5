"""File shapes friendlier tools choke on, each a separate input drawn from the same universe as
the suite's main file (bench/generate.py), vectorised and seeded like it:

- `quoted`: a quarter of artists, titles and releases hold a tab and doubled quotes (so they are
  quoted in the TSV); UPCs written as EAN-13 with a leading zero.
- `currencies`: each of the 60 territories pays in its own local currency (eurozone → EUR).
- `extra`: three columns no layout maps (a line id, a free-text note, a vendor code).
- `org`: German header names only the organisation's mapping knows (`ORG_MAPPING`, taught
  with POST /api/layouts/ before the file is processed).
- `dayfirst`: sale and statement dates written DD/MM/YYYY.
- `decimal_comma`: `;` delimiter, amounts with decimal commas (`0,01234567`).
- `xlsx`: the generic layout as an XLSX sheet (inline strings, numeric quantity and revenue).
- `dsr`: a DDEX DSR flat file (SY01.02 summaries per territory in its currency, blocks of
  RE01.02 + AS02.03 + SU03 lines with their own NetRevenue; FOOT counts and summary totals exact).
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.generate import (
    CHUNK,
    DSPS,
    SALES_COLUMNS,
    SEED,
    TERRITORIES,
    Universe,
    _amounts,
    _write_lines,
    draw,
    sale_dicts,
    sales_columns,
    universe,
)

PERIOD = "2025-06"
TSV_SHAPES = ("quoted", "currencies", "extra", "org", "dayfirst", "decimal_comma")
SHAPES = (*TSV_SHAPES, "xlsx", "dsr")
SUFFIX = {"decimal_comma": "csv", "xlsx": "xlsx", "dsr": "tsv"}
SEP = {"decimal_comma": ";"}
# local currency of each of bench.generate.TERRITORIES, in the same order
CURRENCIES = ("USD GBP EUR EUR EUR EUR EUR EUR SEK NOK DKK EUR PLN EUR EUR EUR CHF CZK HUF RON "
              "EUR TRY RUB UAH BRL MXN ARS CLP COP PEN CAD AUD NZD JPY KRW CNY TWD HKD SGD MYR "
              "THB IDR PHP VND INR PKR ZAR NGN KES EGP MAD ILS AED SAR ISK EUR EUR EUR EUR EUR").split()
# header names of the `org` shape (the organisation's export) → canonical field
ORG_HEADERS = {"statement_period": "Abrechnungsmonat", "sale_period": "Verkaufsmonat",
               "dsp": "Plattform", "territory": "Land", "isrc": "ISRC-Code", "upc": "EAN",
               "artist": "Interpret", "track_title": "Titel", "release_title": "Album",
               "usage_type": "Nutzungsart", "quantity": "Anzahl", "currency": "Währung",
               "revenue": "Erlös"}
ORG_MAPPING = {"name": "Bench Vertrieb", "columns": {h: f for f, h in ORG_HEADERS.items()}}
EXTRA = ("vendor_line_id", "note", "vendor_code")
DSR_NAME = "DSR_PADPIDA0000000002B_PADPIDA0000000001A_BenchPremium_2025-06_WW_1of1_20250702T100000.tsv"


def filename(shape: str, rows: int) -> str:
    if shape == "dsr":
        return f"dsr-{rows}/{DSR_NAME}"
    return f"shape-{shape}-{rows}.{SUFFIX.get(shape, 'tsv')}"


def headers(shape: str) -> list[str]:
    """The header row of a tabular shape."""
    if shape == "org":
        return [ORG_HEADERS[c] for c in SALES_COLUMNS]
    if shape == "extra":
        cols = list(SALES_COLUMNS)
        cols.insert(4, EXTRA[0])
        cols.insert(10, EXTRA[1])
        return cols + [EXTRA[2]]
    return list(SALES_COLUMNS)


def _quoted(values: list[str], every: int, extra: str) -> pa.Array:
    """Every `every`-th value gains a tab and doubled quotes; values with a tab or quote are quoted."""
    out = []
    for i, v in enumerate(values):
        v = f'{v}\t({extra} "{i % 7}")' if i % every == 0 else v
        out.append('"' + v.replace('"', '""') + '"' if any(c in v for c in '\t"') else v)
    return pa.array(out)


def _quoted_dicts(uni: Universe) -> dict[str, pa.Array]:
    return {"artist": _quoted(uni.artist, 4, "feat."), "track": _quoted(uni.track_plain, 4, "live"),
            "release": _quoted(uni.release_plain, 4, "remaster"),
            "upc": pa.array(["0" + u for u in uni.upc])}


def _dayfirst(periods: pa.Array, days: np.ndarray) -> pa.Array:
    """`YYYY-MM` → `DD/MM/YYYY` with the given days."""
    year, month = pc.utf8_slice_codeunits(periods, 0, 4), pc.utf8_slice_codeunits(periods, 5, 7)
    day = pc.utf8_lpad(pc.cast(pa.array(days), pa.string()), 2, "0")
    return pc.binary_join_element_wise(day, month, year, "/")


def _shape_columns(shape: str, d: dict, dicts: dict, rng: np.random.Generator, start: int) -> list:
    cols = sales_columns(d, dicts, PERIOD)
    n = len(d["qty"])
    if shape == "currencies":
        cols["currency"] = pa.array(CURRENCIES).take(pa.array(d["territory"]))
    elif shape == "dayfirst":
        cols["sale_period"] = _dayfirst(cols["sale_period"], rng.integers(1, 29, n))
        cols["statement_period"] = pa.repeat(pa.scalar(f"30/{PERIOD[5:]}/{PERIOD[:4]}"), n)
    elif shape == "decimal_comma":
        cols["revenue"] = pc.replace_substring(cols["revenue"], ".", ",")
        quote = pc.match_substring(cols["release_title"], ";")  # never: titles hold no `;`
        assert not pc.any(quote).as_py()
    elif shape == "extra":
        cols[EXTRA[0]] = pc.cast(pa.array(np.arange(start, start + n) * 7 + 1000), pa.string())
        notes = pa.array(["", "", "promo", "corrected", "", "see statement"])
        cols[EXTRA[1]] = notes.take(pa.array(rng.integers(0, len(notes), n)))
        cols[EXTRA[2]] = pc.binary_join_element_wise(
            pa.repeat(pa.scalar("V"), n), pc.cast(pa.array(d["dsp"] * 13 + 7), pa.string()), "-")
    if shape == "org":
        return [cols[c] for c in SALES_COLUMNS]
    return [cols[c] for c in headers(shape)]


def tabular_file(path: Path, shape: str, rows: int, uni: Universe, seed: int = SEED) -> Path:
    """One of TSV_SHAPES (the same draws as the main file of that many rows)."""
    rng = np.random.default_rng(seed + rows)
    extra_rng = np.random.default_rng(seed + 7 * rows)
    dicts = sale_dicts(uni, PERIOD)
    if shape == "quoted":
        dicts.update(_quoted_dicts(uni))
    sep = SEP.get(shape, "\t")
    with open(path, "wb") as out:
        out.write((sep.join(headers(shape)) + "\n").encode())
        for start in range(0, rows, CHUNK):
            d = draw(rng, min(CHUNK, rows - start), uni)
            _write_lines(out, _shape_columns(shape, d, dicts, extra_rng, start), sep)
    return path


# ---- XLSX ------------------------------------------------------------------------------------

_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns='
    '"http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension='
    '"xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
    '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
    '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns='
    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sales" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'}
_NUMERIC = {"quantity", "revenue"}


def _xml_text(arr: pa.Array) -> pa.Array:
    for raw, esc in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        arr = pc.replace_substring(arr, raw, esc)
    return arr


def _xlsx_row(cols: dict[str, pa.Array], first_row: int) -> pa.Array:
    n = len(cols["revenue"])
    num = pc.cast(pa.array(np.arange(first_row, first_row + n)), pa.string())
    cells = []
    for i, name in enumerate(SALES_COLUMNS):
        letter = chr(ord("A") + i)
        if name in _NUMERIC:
            pre, post = f'<c r="{letter}', "</v></c>"
            cells.append(pc.binary_join_element_wise(pre, num, '"><v>', cols[name], post, ""))
        else:
            pre, post = f'<c r="{letter}', "</t></is></c>"
            cells.append(pc.binary_join_element_wise(pre, num, '" t="inlineStr"><is><t>',
                                                     _xml_text(cols[name]), post, ""))
    return pc.binary_join_element_wise('<row r="', num, '">', *cells, "</row>", "")


def xlsx_file(path: Path, rows: int, uni: Universe, seed: int = SEED) -> Path:
    """The generic layout as one sheet (`Sales`): header row, then `rows` rows."""
    rng = np.random.default_rng(seed + rows)
    dicts = sale_dicts(uni, PERIOD)
    dicts.update(track=pa.array(uni.track_plain), release=pa.array(uni.release_plain))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in _XLSX_PARTS.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                      b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            head = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{c}</t></is></c>'
                           for i, c in enumerate(SALES_COLUMNS))
            out.write(f'<row r="1">{head}</row>'.encode())
            for start in range(0, rows, CHUNK):
                cols = sales_columns(draw(rng, min(CHUNK, rows - start), uni), dicts, PERIOD)
                _write_lines(out, [_xlsx_row(cols, start + 2)], "")
            out.write(b"</sheetData></worksheet>")
    return path


# ---- DDEX DSR --------------------------------------------------------------------------------

SU_PER_BLOCK = 8
DSR_HEAD = ("HEAD\tdsrf/1.1/1.4.1/1.3\tBasicAudioProfile\t1.3\tMSG-BENCH\t2025-07-02T10:00:00Z\t1\t1\t"
            "2025-06-01\t2025-06-30\tPADPIDA0000000001A\tBench Streams\tBenchPremium\t"
            "PADPIDA0000000002B\tBench Label Ltd")


def dsr_file(path: Path, lines: int, uni: Universe, seed: int = SEED) -> dict:
    """A DSR of about `lines` lines: HEAD, 60 SY01.02 (one per territory, in its currency),
    blocks of RE01.02 + AS02.03 + 8 SU03 lines (usages and NetRevenue of their own), FOOT.
    Returns the declared figures (lines, blocks, rows)."""
    rng = np.random.default_rng(seed + lines)
    blocks = max(1, (lines - 66) // (2 + SU_PER_BLOCK))
    n = blocks * SU_PER_BLOCK
    d = draw(rng, n, uni)
    track = d["track"].reshape(blocks, SU_PER_BLOCK)[:, 0]        # one resource per block
    release = uni.track_release[track]
    summary = d["territory"]                                        # summary S{territory + 1}
    usages, units = d["qty"], d["units"]
    per_usages = np.array([usages[summary == s].sum() for s in range(60)], dtype=np.int64)
    per_units = np.array([units[summary == s].sum() for s in range(60)], dtype=np.int64)
    sy = [f"SY01.02\tS{s + 1}\tBench Streams\tPADPIDA0000000001A\tSubscriptionModel\t"
          f"OnDemandStream\t{TERRITORIES[s]}\tPremium\t{per_usages[s]}\t1000\t{CURRENCIES[s]}\t"
          f"{per_units[s] // 100_000_000}.{per_units[s] % 100_000_000:08d}\t0\t{CURRENCIES[s]}\t1"
          for s in range(60)]
    b = pa.array(np.arange(1, blocks + 1))
    bid = pc.cast(b, pa.string())
    res = pc.binary_join_element_wise("DSPRES", pc.cast(pa.array(track), pa.string()), "")
    re_lines = pc.binary_join_element_wise(
        "RE01.02", bid, "R1", pc.binary_join_element_wise("DSPREL", bid, ""), "", "",
        pa.array(uni.upc).take(pa.array(release)),
        pa.array(uni.artist).take(pa.array(uni.release_artist[release])), "",
        pa.array(uni.release_plain).take(pa.array(release)), "Album", "Bench Label", "\t")
    as_lines = pc.binary_join_element_wise(
        "AS02.03", bid, "A1", res, pa.array(uni.isrc).take(pa.array(track)),
        pa.array(uni.track_plain).take(pa.array(track)), "",
        pa.array(uni.artist).take(pa.array(uni.release_artist[release])), "PT3M1S",
        "SoundRecording", "\t")
    rep = pa.array(np.repeat(np.arange(blocks), SU_PER_BLOCK))
    su_lines = pc.binary_join_element_wise(
        "SU03", bid.take(rep),
        pc.binary_join_element_wise("T", pc.cast(pa.array(np.arange(n)), pa.string()), ""),
        pc.binary_join_element_wise("S", pc.cast(pa.array(summary + 1), pa.string()), ""),
        res.take(rep), pc.cast(pa.array(usages), pa.string()), _amounts(units), "", "", "", "TRUE",
        "\t")
    order = np.concatenate([np.arange(blocks)[:, None], blocks + np.arange(blocks)[:, None],
                            2 * blocks + np.arange(n).reshape(blocks, SU_PER_BLOCK)], axis=1).ravel()
    body = pa.concat_arrays([re_lines, as_lines, su_lines]).take(pa.array(order))
    total = 1 + len(sy) + len(body) + 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        out.write(("\n".join([DSR_HEAD, *sy]) + "\n").encode())
        for start in range(0, len(body), CHUNK):
            _write_lines(out, [body.slice(start, CHUNK)], "")
        out.write(f"FOOT\t{total}\t{total}\t60\t{blocks}\t{blocks}\n".encode())
    return {"lines": total, "blocks": blocks, "rows": n}


def ensure(data_dir: Path, shapes: list[str], rows: int, xlsx_rows: int, dsr_lines: int,
           uni: Universe | None = None) -> dict[str, Path]:
    """Generate (once: deterministic) the inputs of `shapes`; their paths."""
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for shape in shapes:
        size = xlsx_rows if shape == "xlsx" else dsr_lines if shape == "dsr" else rows
        path = data_dir / filename(shape, size)
        paths[shape] = path
        if path.exists():
            continue
        uni = uni or universe()
        tmp = path.with_name(path.name + ".part")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        if shape == "xlsx":
            xlsx_file(tmp, size, uni)
        elif shape == "dsr":
            dsr_file(tmp, size, uni)
        else:
            tabular_file(tmp, shape, size, uni)
        os.replace(tmp, path)
    return paths


__all__ = ["DSPS", "ORG_MAPPING", "SHAPES", "ensure", "headers"]
