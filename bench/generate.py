"""Deterministic, vectorised generators of benchmark inputs (seeded numpy; pyarrow compute joins
the text), so 5 million sales rows take seconds, not minutes.

- `sales_file`: a DSP-like TSV in the Tributary generic layout (header = canonical field names):
  one statement period, three sale periods, 8 DSPs, 60 territories, ~50k ISRCs (some written
  `CC-XXX-YY-NNNNN`), ~5k UPCs with valid check digits, ~3k artists with accented names, quoted
  fields (embedded quotes, commas), a power-law popularity of tracks, tiny and large amounts.
- `catalog_file`: the label's catalog (CSV) covering ~80 % of the tracks, for the report scenario.
- `gtin_file`: a GTIN import CSV: valid GTINs under a company prefix, invalid check digits,
  foreign prefixes and malformed lines (wrong cell count).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEED = 20250601
CHUNK = 500_000
SALES_COLUMNS = ("statement_period", "sale_period", "dsp", "territory", "isrc", "upc", "artist",
                 "track_title", "release_title", "usage_type", "quantity", "currency", "revenue")
DSPS = ["Spotify", "Apple Music", "Amazon Music", "YouTube Music", "Deezer", "Tidal",
        "Pandora", "SoundCloud"]
TERRITORIES = ("US GB DE FR ES IT NL BE SE NO DK FI PL PT IE AT CH CZ HU RO GR TR RU UA BR MX AR "
               "CL CO PE CA AU NZ JP KR CN TW HK SG MY TH ID PH VN IN PK ZA NG KE EG MA IL AE "
               "SA IS EE LV LT SK SI HR").split()
USAGES = ["stream", "stream", "stream", "download", "ugc"]
FIRST = ["José", "Zoë", "Björk", "Chloé", "Łukasz", "Søren", "Amélie", "Ñico", "François",
         "Mário", "Jürgen", "Inès", "Dvořák", "Ana", "Kai", "Lena", "Omar", "Yuki", "Noa", "Ravi"]
LAST = ["Ñúñez", "Müller", "García", "Ångström", "Øberg", "Dupré", "Çelik", "Kowalski",
        "Smith", "O'Brien", "Nakamura", "Silva", "Rossi", "Novák", "Haddad", "Lindqvist"]
WORDS = ["Light", "Río", "Canción", "Night", "Été", "Straße", "Heart", "Fjäll", "Noël", "Dream",
         "Ocean", "Café", "Fire", "Señal", "Blue", "Mañana", "Echo", "Rêve", "Gold", "Storm"]


@dataclass(frozen=True)
class Universe:
    """The tracks, releases and artists every generated file draws from."""
    isrc: list[str]          # as written in files (some hyphenated)
    isrc_plain: list[str]
    track: list[str]         # as written in TSV (quoted where needed)
    track_plain: list[str]
    track_release: np.ndarray
    upc: list[str]
    release: list[str]
    release_plain: list[str]
    release_artist: np.ndarray
    artist: list[str]


def upc_check(body: np.ndarray) -> np.ndarray:
    """GS1 check digit of 11-digit (UPC-A) or 12-digit bodies given as an int digit matrix."""
    weights = np.where(np.arange(body.shape[1])[::-1] % 2 == 0, 3, 1)
    return (10 - (body * weights).sum(axis=1) % 10) % 10


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    return (values[:, None] // (10 ** np.arange(width - 1, -1, -1))) % 10


def _tsv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if '"' in text or "," in text else text


def universe(tracks: int = 50_000, releases: int = 5_000, artists: int = 3_000,
             seed: int = SEED) -> Universe:
    rng = np.random.default_rng(seed)
    artist = []
    for i in range(artists):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
        artist.append(name if i < len(FIRST) * len(LAST) else f"{name} {i}")
    countries = ["US", "GB", "FR", "DE", "SE", "BR", "JP"]
    regs = rng.integers(0, 36 ** 3, tracks)
    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    isrc_plain, isrc = [], []
    for i in range(tracks):
        r = int(regs[i])
        reg = alnum[r // 1296] + alnum[(r // 36) % 36] + alnum[r % 36]
        cc, yy, nnnnn = countries[i % len(countries)], f"{18 + i % 8:02d}", f"{i:05d}"
        isrc_plain.append(f"{cc}{reg}{yy}{nnnnn}")
        isrc.append(f"{cc}-{reg}-{yy}-{nnnnn}" if i % 10 == 0 else isrc_plain[-1])
    bodies = np.concatenate([_digits(np.full(releases, 19_029), 5),
                             _digits(np.arange(releases) * 7 + 100_000, 6)], axis=1)
    checks = upc_check(bodies)
    upc = ["".join(map(str, b)) + str(c) for b, c in zip(bodies, checks)]
    release_plain = [f"{WORDS[i % 20]} {WORDS[(i * 7 // 20) % 20]} Vol. {i}" for i in range(releases)]
    release_plain = [f"{t}, Deluxe" if i % 17 == 0 else t for i, t in enumerate(release_plain)]
    track_plain = [f"{WORDS[(i * 3) % 20]} {WORDS[(i // 20) % 20]} {i}" for i in range(tracks)]
    track_plain = [f'{t} (the "{WORDS[i % 20]}" mix)' if i % 23 == 0 else t
                   for i, t in enumerate(track_plain)]
    return Universe(isrc=isrc, isrc_plain=isrc_plain, track=[_tsv_quote(t) for t in track_plain],
                    track_plain=track_plain, track_release=rng.integers(0, releases, tracks),
                    upc=upc, release=[_tsv_quote(t) for t in release_plain],
                    release_plain=release_plain,
                    release_artist=rng.integers(0, artists, releases), artist=artist)


def _write_lines(out, columns: list[pa.Array], sep: str) -> None:
    line = pc.binary_join_element_wise(*columns, sep)
    line = pc.binary_join_element_wise(line, pa.scalar(""), "\n")
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32, count=len(line) + 1,
                            offset=line.offset * 4)
    out.write(memoryview(line.buffers()[2])[offsets[0]:offsets[-1]])


def _amounts(units: np.ndarray) -> pa.Array:
    """Integer 1e-8 units → exact decimal text with 8 places."""
    whole = pc.cast(pa.array(units // 100_000_000), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(units % 100_000_000), pa.string()), 8, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def sale_dicts(uni: Universe, period: str) -> dict[str, pa.Array]:
    """The value dictionaries rows are drawn from (as written in the generic TSV)."""
    year, month = map(int, period.split("-"))
    sale_periods = [f"{year if month - k > 0 else year - 1}-{(month - k - 1) % 12 + 1:02d}"
                    for k in (0, 1, 2)]
    return {"isrc": pa.array(uni.isrc), "track": pa.array(uni.track),
            "upc": pa.array(uni.upc), "release": pa.array(uni.release),
            "artist": pa.array(uni.artist), "dsp": pa.array(DSPS),
            "territory": pa.array(TERRITORIES), "usage": pa.array(USAGES),
            "sale": pa.array(sale_periods)}


def draw(rng: np.random.Generator, n: int, uni: Universe) -> dict[str, np.ndarray]:
    """Indices and numbers of `n` rows (the same draws, in the same order, for every shape)."""
    n_tracks = len(uni.isrc)
    track = np.minimum((rng.random(n) ** 3 * n_tracks).astype(np.int64), n_tracks - 1)
    release = uni.track_release[track]
    qty = np.maximum(1, rng.lognormal(2.0, 1.5, n).astype(np.int64))
    usage = rng.integers(0, len(USAGES), n)
    rate = np.where(usage == 3, 70_000_000, rng.integers(1, 400_000, n))  # downloads 0.70
    units = qty * rate
    units[rng.random(n) < 0.002] = rng.integers(1, 80, 1)[0]  # sub-micro amounts
    return {"track": track, "release": release, "artist": uni.release_artist[release],
            "qty": qty, "usage": usage, "units": units, "sale": rng.integers(0, 3, n),
            "dsp": rng.integers(0, len(DSPS), n),
            "territory": np.minimum((rng.random(n) ** 2 * len(TERRITORIES)).astype(np.int64), 59)}


def sales_columns(d: dict[str, np.ndarray], dicts: dict[str, pa.Array], period: str) -> dict[str, pa.Array]:
    """The generic layout's text columns (SALES_COLUMNS) of drawn rows."""
    n = len(d["qty"])
    return {"statement_period": pa.repeat(pa.scalar(period), n),
            "sale_period": dicts["sale"].take(pa.array(d["sale"])),
            "dsp": dicts["dsp"].take(pa.array(d["dsp"])),
            "territory": dicts["territory"].take(pa.array(d["territory"])),
            "isrc": dicts["isrc"].take(pa.array(d["track"])),
            "upc": dicts["upc"].take(pa.array(d["release"])),
            "artist": dicts["artist"].take(pa.array(d["artist"])),
            "track_title": dicts["track"].take(pa.array(d["track"])),
            "release_title": dicts["release"].take(pa.array(d["release"])),
            "usage_type": dicts["usage"].take(pa.array(d["usage"])),
            "quantity": pc.cast(pa.array(d["qty"]), pa.string()),
            "currency": pa.repeat(pa.scalar("USD"), n), "revenue": _amounts(d["units"])}


def sales_file(path: str | os.PathLike, rows: int, period: str = "2025-06", seed: int = SEED,
               uni: Universe | None = None) -> Path:
    uni = uni or universe()
    rng = np.random.default_rng(seed + rows)
    dicts = sale_dicts(uni, period)
    path = Path(path)
    with open(path, "wb") as out:
        out.write(("\t".join(SALES_COLUMNS) + "\n").encode())
        for start in range(0, rows, CHUNK):
            cols = sales_columns(draw(rng, min(CHUNK, rows - start), uni), dicts, period)
            _write_lines(out, [cols[c] for c in SALES_COLUMNS], "\t")
    return path


def catalog_file(path: str | os.PathLike, share: float = 0.8, uni: Universe | None = None) -> Path:
    """The label's catalog (CSV): the first `share` of the tracks (the most streamed ones)."""
    uni = uni or universe()
    n = int(len(uni.isrc) * share)
    rel = uni.track_release[:n]

    def csv_text(values: list[str]) -> pa.Array:
        return pa.array(['"' + v.replace('"', '""') + '"' if any(c in v for c in ',"') else v
                         for v in values])

    cols = [pa.array(uni.isrc[:n]), pa.array([uni.upc[r] for r in rel]),
            csv_text([uni.release_plain[r] for r in rel]), csv_text(uni.track_plain[:n]),
            csv_text([uni.artist[uni.release_artist[r]] for r in rel]),
            pa.array([f"Label {r % 40}" for r in rel])]
    path = Path(path)
    with open(path, "wb") as out:
        out.write(b"ISRC,UPC,Release Title,Track Title,Artist,Label\n")
        _write_lines(out, cols, ",")
    return path


def gtin13(prefix: str, refs: np.ndarray) -> pa.Array:
    """Valid GTIN-13 under `prefix` for item references `refs`."""
    width = 12 - len(prefix)
    body = _digits(np.full(len(refs), int(prefix)), len(prefix))
    body = np.concatenate([body, _digits(refs % 10 ** width, width)], axis=1)
    check = upc_check(body)
    digits = np.concatenate([body, check[:, None]], axis=1).astype(np.uint8) + ord("0")
    raw = pa.FixedSizeBinaryArray.from_buffers(pa.binary(13), len(refs),
                                               [None, pa.py_buffer(digits.tobytes())])
    return pc.cast(pc.cast(raw, pa.binary()), pa.string())


def gtin_file(path: str | os.PathLike, lines: int, prefix: str, seed: int = SEED) -> dict:
    """A GTIN import CSV (`gtin,name,brand,description`) under the participant's 6-digit company
    `prefix`. ~3 % invalid check digits, ~2 % foreign prefixes, ~1 % malformed lines.
    Returns the expected counts."""
    rng = np.random.default_rng(seed + lines)
    refs = np.arange(lines, dtype=np.int64)
    gt = gtin13(prefix, refs)
    kind = rng.random(lines)
    bad_check, foreign, malformed = kind < 0.03, (kind >= 0.03) & (kind < 0.05), \
        (kind >= 0.05) & (kind < 0.06)
    wrong = pc.binary_join_element_wise(pc.utf8_slice_codeunits(gt, 0, 12), pc.cast(pa.array(
        (pc.cast(pc.utf8_slice_codeunits(gt, 12, 13), pa.int64()).to_numpy() + 1) % 10),
        pa.string()), "")
    alien = gtin13("761234", refs)  # GS1 Switzerland: valid, but not the participant's
    gt = pc.if_else(pa.array(bad_check), wrong, pc.if_else(pa.array(foreign), alien, gt))
    brand = pa.array([f"Brand {b}" for b in range(50)]).take(pa.array(refs % 50))
    name = pc.binary_join_element_wise(pa.array(WORDS).take(pa.array(rng.integers(0, 20, lines))),
                                       pc.cast(pa.array(refs), pa.string()), " ")
    desc = pa.array(['"Crème, fraîche"', "Oat drink", "Rye bread", '"Dark ""70%"" chocolate"',
                     "Café moulu"]).take(pa.array(refs % 5))
    desc = pc.if_else(pa.array(malformed), pa.scalar("x,y,z"), desc)  # two extra cells
    path = Path(path)
    with open(path, "wb") as out:
        out.write(b"gtin,name,brand,description\n")
        for start in range(0, lines, CHUNK):
            end = min(lines, start + CHUNK)
            _write_lines(out, [c.slice(start, end - start) for c in (gt, name, brand, desc)], ",")
    return {"lines": lines, "bad_check": int(bad_check.sum()), "foreign": int(foreign.sum()),
            "malformed": int(malformed.sum()), "valid": int(lines - bad_check.sum()
                                                            - foreign.sum() - malformed.sum())}


SIZES = {"tiny": 2_000, "1m": 1_000_000, "5m": 5_000_000}
GTIN_SIZES = {"tiny": 2_000, "1m": 100_000, "5m": 1_000_000}


def ensure(data_dir: Path, size: str, prefix: str = "030987") -> dict[str, Path]:
    """Generate (once; files are deterministic) the inputs of a size into `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = {"sales": data_dir / f"sales-{size}.tsv", "catalog": data_dir / "catalog.csv",
             "small": data_dir / "small.tsv", "gtin": data_dir / f"gtin-{size}-{prefix}.csv"}
    uni = None
    if not paths["sales"].exists():
        uni = uni or universe()
        tmp = paths["sales"].with_suffix(".part")
        sales_file(tmp, SIZES[size], uni=uni)
        tmp.rename(paths["sales"])
    if not paths["catalog"].exists():
        catalog_file(paths["catalog"], uni=uni or universe())
    if not paths["small"].exists():
        sales_file(paths["small"], 8, period="2025-05", seed=SEED + 1, uni=uni or universe())
    if not paths["gtin"].exists():
        tmp = paths["gtin"].with_suffix(".part")
        gtin_file(tmp, GTIN_SIZES[size], prefix)
        tmp.rename(paths["gtin"])
    return paths
