"""An organisation's catalog: reading an uploaded CSV/TSV/XLSX, normalising its rows, identifier
match keys shared with reports, search over catalog batches, and the import-status fold.

Pure apart from reading the local file path it is given.
"""
from __future__ import annotations

import codecs
import csv
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from models.lifecycle import NEW, EntityKind, opened, stamped, status_change
from models.sales.normalise import norm_isrc, norm_upc

CATALOG_SCHEMA = pa.schema([
    pa.field("isrc", pa.string()), pa.field("upc", pa.string()),
    pa.field("release_title", pa.string()), pa.field("track_title", pa.string()),
    pa.field("artist", pa.string()), pa.field("label", pa.string()),
    pa.field("extra", pa.string()),   # JSON object of the file's other columns
    pa.field("line", pa.int64()),     # 1-based row number in the uploaded file
])
FIELDS = ("isrc", "upc", "release_title", "track_title", "artist", "label")
_ALIASES = {
    "isrc": {"isrc", "isrccode", "trackisrc"},
    "upc": {"upc", "ean", "gtin", "barcode", "upcean", "eanupc", "releaseupc", "productupc",
            "upccode", "eancode", "releaseean"},
    "release_title": {"releasetitle", "release", "album", "albumtitle", "releasename",
                      "albumname", "producttitle"},
    "track_title": {"tracktitle", "track", "title", "trackname", "songtitle", "song", "songname"},
    "artist": {"artist", "artistname", "trackartist", "releaseartist", "mainartist", "artists"},
    "label": {"label", "labelname", "recordlabel"},
}
TEXT_EXT, EXCEL_EXT = {".csv", ".tsv", ".txt"}, {".xlsx", ".xls"}
HEADER_PROBE, BATCH_ROWS, MAX_SAMPLES = 20, 50_000, 100


class CatalogFileError(ValueError):
    def __init__(self, cause: str, message: str) -> None:
        super().__init__(message)
        self.cause, self.message = cause, message


@dataclass
class ImportResult:
    rows: int = 0
    bad_rows: int = 0
    bad_samples: list[dict] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # catalog field → file header
    extra_columns: list[str] = field(default_factory=list)


# ---- identifier keys (both sides of a match go through these) ----------------------------------

_ISRC = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"


def isrc_keys(arr: pa.Array) -> pa.Array:
    """Upper-case ISRC without separators or an `ISRC` prefix; null when not ISRC-shaped."""
    s = pc.replace_substring_regex(pc.utf8_upper(arr.cast(pa.string())), r"[\s\-._/:]", "")
    s = pc.replace_substring_regex(s, r"^ISRC", "")
    return pc.if_else(pc.fill_null(pc.match_substring_regex(s, _ISRC), False), s,
                      pa.scalar(None, pa.string()))


def upc_keys(arr: pa.Array) -> pa.Array:
    """UPC/EAN digits padded to 14 (GTIN-14), so UPC-A `0123…` and EAN-13 `00123…` are equal."""
    s = pc.replace_substring_regex(arr.cast(pa.string()), r"[\s\-._/:]", "")
    ok = pc.fill_null(pc.match_substring_regex(s, r"^[0-9]{8,14}$"), False)
    return pc.if_else(ok, pc.utf8_lpad(s, 14, "0"), pa.scalar(None, pa.string()))


def one_key(fn: Callable[[pa.Array], pa.Array], value: str) -> str | None:
    return fn(pa.array([value], pa.string()))[0].as_py()


# ---- reading the uploaded file ------------------------------------------------------------------

def _encoding(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise CatalogFileError("CORRUPTED", "binary data (NUL bytes) in a text file")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"  # the spreadsheet default for legacy exports


def _text_rows(path: str) -> Iterator[tuple[int, list[str]]]:
    encoding = _encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        head = [handle.readline() for _ in range(HEADER_PROBE)]
        delimiter = max(",\t;|", key=lambda d: max(line.count(d) for line in head))
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        for cells in reader:
            number += 1
            yield number, cells


def _excel_rows(path: str) -> Iterator[tuple[int, list[str]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises several error types for broken containers
        raise CatalogFileError("CORRUPTED", f"invalid or truncated workbook ({exc})") from None
    for number, row in enumerate(rows, start=1):
        yield number, [_cell(v) for v in row]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e18 else repr(v)
    return str(v)


def iter_rows(path: str, filename: str) -> Iterator[tuple[int, list[str]]]:
    ext = os.path.splitext(filename.lower())[1]
    if ext not in TEXT_EXT | EXCEL_EXT:
        raise CatalogFileError("UNSUPPORTED_TYPE", f"{filename!r}: not a CSV/TSV/TXT/XLSX file")
    if os.path.getsize(path) == 0:
        raise CatalogFileError("EMPTY", f"{filename!r} is empty")
    return _excel_rows(path) if ext in EXCEL_EXT else _text_rows(path)


def map_header(cells: list[str]) -> dict[str, int]:
    """Catalog field → column index, from a header row (case, spaces and punctuation ignored)."""
    found: dict[str, int] = {}
    for index, name in enumerate(cells):
        squashed = re.sub(r"[^a-z0-9]", "", name.lower())
        for target, names in _ALIASES.items():
            if squashed in names and target not in found:
                found[target] = index
    return found


def normalise_row(cells: list[str], columns: dict[str, int],
                  extra: list[tuple[int, str]]) -> tuple[dict | None, str | None]:
    """(catalog row, None) or (None, reason). A present identifier must be valid; one is needed."""
    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    raw = {name: cell(columns.get(name)) for name in FIELDS}
    row: dict[str, Any] = {k: (v or None) for k, v in raw.items()}
    if raw["isrc"]:
        row["isrc"] = norm_isrc(raw["isrc"])
        if row["isrc"] is None:
            return None, f"invalid ISRC {raw['isrc'][:40]!r}"
    if raw["upc"]:
        row["upc"] = norm_upc(raw["upc"])
        if row["upc"] is None:
            return None, f"invalid UPC {raw['upc'][:40]!r}"
    if not row["isrc"] and not row["upc"]:
        return None, "no ISRC or UPC"
    others = {name: cell(i) for i, name in extra if cell(i)}
    row["extra"] = json.dumps(others, ensure_ascii=False) if others else None
    return row, None


def read_catalog(path: str, filename: str, sink: Callable[[pa.RecordBatch], None],
                 progress: Callable[[int], None] | None = None) -> ImportResult:
    """Stream the file's usable rows to `sink` as CATALOG_SCHEMA batches; count/sample the rest."""
    rows = iter_rows(path, filename)
    result, columns, probed = ImportResult(), None, []
    for number, cells in rows:
        probed.append(cells)
        columns = map_header(cells)
        if "isrc" in columns or "upc" in columns:
            header = cells
            break
        if len(probed) >= HEADER_PROBE:
            break
    if not columns or ("isrc" not in columns and "upc" not in columns):
        if not any(any(c.strip() for c in r) for r in probed):
            raise CatalogFileError("EMPTY", f"{filename!r} has no data")
        raise CatalogFileError("UNKNOWN_LAYOUT", "no ISRC or UPC column in the first "
                               f"{HEADER_PROBE} rows; first row: {probed[0][:12]}")
    result.columns = {name: header[i] for name, i in columns.items()}
    used = set(columns.values())
    extra = [(i, h.strip()) for i, h in enumerate(header) if i not in used and h.strip()]
    result.extra_columns = [h for _, h in extra]
    batch: list[dict] = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        row, reason = normalise_row(cells, columns, extra)
        if row is None:
            result.bad_rows += 1
            if len(result.bad_samples) < MAX_SAMPLES:
                result.bad_samples.append({"line": number, "reason": reason})
            continue
        row["line"] = number
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            result.rows += _flush(batch, sink)
            if progress:
                progress(result.rows)
    result.rows += _flush(batch, sink)
    return result


def _flush(batch: list[dict], sink: Callable[[pa.RecordBatch], None]) -> int:
    count = len(batch)
    if batch:
        sink(pa.RecordBatch.from_pylist(batch, schema=CATALOG_SCHEMA))
        batch.clear()
    return count


# ---- search -------------------------------------------------------------------------------------

def search(batches: Iterable[pa.RecordBatch], *, isrc: str | None = None, upc: str | None = None,
           title: str | None = None, artist: str | None = None, offset: int = 0,
           limit: int = 50) -> tuple[int, list[dict]]:
    """(total matches, page of rows) over catalog batches, in file order. Filters combine (AND):
    ISRC/UPC compare normalised keys; title (release or track) and artist are substrings, any case."""
    want_isrc = one_key(isrc_keys, isrc) if isrc else None
    want_upc = one_key(upc_keys, upc) if upc else None
    if (isrc and want_isrc is None) or (upc and want_upc is None):
        return 0, []
    total, page = 0, []
    for batch in batches:
        mask = pa.array([True] * batch.num_rows)
        if want_isrc:
            mask = pc.and_(mask, pc.equal(isrc_keys(batch["isrc"]), want_isrc))
        if want_upc:
            mask = pc.and_(mask, pc.equal(upc_keys(batch["upc"]), want_upc))
        if title:
            hit = pc.or_(pc.match_substring(batch["release_title"], title, ignore_case=True),
                         pc.match_substring(batch["track_title"], title, ignore_case=True))
            mask = pc.and_(mask, hit)
        if artist:
            mask = pc.and_(mask, pc.match_substring(batch["artist"], artist, ignore_case=True))
        hits = batch.filter(pc.fill_null(mask, False))
        start = max(0, offset - total)
        if len(page) < limit and start < hits.num_rows:
            page.extend(hits.slice(start, limit - len(page)).to_pylist())
        total += hits.num_rows
    for row in page:
        row["extra"] = json.loads(row["extra"]) if row.get("extra") else {}
    return total, page


# ---- import status fold (same fold for the MongoDB record and the worker table) -----------------

def apply_import_event(view: dict | None, payload: dict, ts: str) -> dict | None:
    out = opened(view, payload, "UPLOADING")
    if out is None:
        return None
    status = payload["status"]
    if payload.get("progress") is not None:
        out["progress"] = payload["progress"]
    elif status in ("DONE", "FAILED"):
        out["progress"] = None
    entry = status != out.get("status") or bool(payload.get("status_cause"))
    return stamped(out, payload, "import_id", ts, entry)


import_status_payload = status_change("import_id")  # CatalogImportStatusChanged (topics/catalog.py)


IMPORT_KIND = EntityKind(
    name="catalog import", collection="catalog_imports", events="catalog.events",
    key_field="import_id", status_event="CatalogImportStatusChanged",
    statuses=("UPLOADING", "UPLOADED", "PROCESSING", "DONE", "FAILED"),
    terminal=("DONE", "FAILED"),
    transitions={NEW: ("UPLOADING", "FAILED"), "UPLOADING": ("UPLOADED", "FAILED"),
                 "UPLOADED": ("PROCESSING", "FAILED"),
                 "PROCESSING": ("UPLOADED", "DONE", "FAILED"),  # UPLOADED: a re-issued run
                 "FAILED": ("UPLOADED",)},  # an upload that was missing, retried
    fold=lambda view, _type, payload, ts: apply_import_event(view, payload, ts),
    creates=("CatalogImportStatusChanged",), table="catalog_imports",
    page="/catalog/imports/{import_id}/",
    reissue={"UPLOADED": ("catalog.commands", "ProcessCatalogImport"),
             "PROCESSING": ("catalog.commands", "ProcessCatalogImport")},
    command=lambda doc: {"import_id": doc["_id"]}, status_payload=import_status_payload)
def import_created(command: dict, ts: str) -> tuple[dict, dict]:
    """(first status event, first record) of the import a `CreateCatalogImport` payload starts:
    the gateway stores this record with the command (readable at once), the worker stores the
    same one (a no-op when it exists) and announces it with the event."""
    fields = {name: command.get(name) for name in ("filename", "filetype", "filesize",
                                                   "object_key")}
    event = {"import_id": int(command["import_id"]), "organisation": command["organisation"],
             "status": "UPLOADING", "status_cause": None, "error_message": None,
             "progress": None, "fields": {**fields, "created_at": ts}}
    return event, apply_import_event(None, event, ts)
