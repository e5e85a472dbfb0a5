"""What a sale line takes from the release (RE) and resource (AS) it names in its block, as
reader._pick resolves it: the record whose ReleaseReference / ResourceReference is the line's
reference (the last such record), else whose DspResourceId is (the first), else the block's
only record. Values are computed once per RE/AS record and taken to the lines that name it."""
from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import pyarrow as pa

from .. import normalise as nz
from ..coded import recoded
from .fields import Rows, pc, per_value
from .records import multi, unescape

# an ISRC cell that norm_isrc leaves as it is when its country code is valid (multi() of it is itself)
_CANONICAL_ISRC = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"


def linked(b, rel: Rows, res: Rows, su: Rows, pool: Executor | None = None) -> dict[str, pa.Array] | None:
    """Per sale line: isrc, upc, artist, track_title, release_title; for the data-quality notes
    whether the ISRC/UPC was nulled, and the ISRC cells / ICPNs with each line's row of them
    (`as_row`, `re_row`). None: a reference spelt `dsp:…` (the per-line reader's own key space).
    `pool`: the resources' side is found on one of its threads while this one finds the
    releases' (the links are the last step of the reading before the lines are emitted)."""
    size = int(b.block.max()) + 1 if len(b.block) else 1

    def resources() -> tuple | None:
        transacted = su.field("TransactedResource")
        ai = _named(b, res, su, size, pc.if_else(pc.not_equal(transacted, ""), transacted, su.field("DspResourceId")),
                    [(res.field("ResourceReference"), True), (res.field("DspResourceId"), False)])
        return None if ai is None else (ai, *_isrcs(res.field("ISRC")), _text(res.field("Title")))

    found = pool.submit(resources) if pool is not None else None
    ri = _named(b, rel, su, size, su.field("TransactedRelease"), [(rel.field("ReleaseReference"), True)])
    icpn = per_value(rel.field("ICPN"), lambda v: unescape(v).strip())
    upc = nz.map_distinct(icpn, nz.norm_upc)      # in kernels (COLUMNAR); "" is no UPC either
    release_title = _text(rel.field("Title"))
    resource = found.result() if found is not None else resources()
    if ri is None or resource is None:
        return None
    ai, isrc, listed, track_title = resource
    # coded (models/sales/coded.py): each record's value once, the line's record as its index
    return {"isrc": recoded(ai, isrc), "upc": recoded(ri, upc), "artist": _artist(res, rel, ai, ri),
            "track_title": recoded(ai, track_title), "release_title": recoded(ri, release_title),
            "isrc_nulled": pc.take(pc.and_(pc.is_null(isrc), listed), ai), "isrc_cell": res.field("ISRC"), "as_row": ai,
            "upc_nulled": pc.take(pc.and_(pc.is_null(upc), pc.not_equal(icpn, "")), ri), "icpn": icpn, "re_row": ri}


def _named(b, kind: Rows, su: Rows, size: int, ref: pa.Array, keys: list[tuple[pa.Array, bool]]) -> pa.Array | None:
    """Per sale line, the row of `kind` its reference `ref` names in its block, by each key in
    turn (`True`: the block's last record with that key wins, as a dict assignment; `False`:
    the first, as setdefault); else the block's one distinct record; else null."""
    texts = [ref, *(cells for cells, _ in keys)]
    if len(keys) > 1 and any(pc.any(pc.starts_with(t, "dsp:")).as_py() for t in texts[:2]):
        return None
    all_codes = pc.dictionary_encode(pa.concat_arrays(texts))
    width = len(all_codes.dictionary) + 1
    code = all_codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    n, blocks, su_blocks = len(kind.rows), b.block[kind.rows], b.block[su.rows]
    wanted = su_blocks * width + code[:len(ref)]
    asks = np.asarray(pc.not_equal(ref, "").to_numpy(zero_copy_only=False), dtype=bool)
    found = np.full(len(ref), -1, dtype=np.int64)
    kept = np.zeros(n, dtype=bool)                      # records some key still names
    at = len(ref)
    for _, last in keys:
        key = blocks * width + code[at:at + n]
        at += n
        if last:
            uniq, first = np.unique(key[::-1], return_index=True)
            row = n - 1 - first
        else:
            uniq, row = np.unique(key, return_index=True)
        kept[row] = True
        if not len(uniq):
            continue
        pos = np.minimum(np.searchsorted(uniq, wanted), len(uniq) - 1)
        hit = asks & (found < 0) & (uniq[pos] == wanted)
        found[hit] = row[pos[hit]]
    count = np.bincount(blocks[kept], minlength=size)
    only = np.full(size, -1, dtype=np.int64)
    only[blocks[kept]] = np.flatnonzero(kept)
    rest = found < 0
    found[rest] = np.where(count[su_blocks[rest]] == 1, only[su_blocks[rest]], -1)
    return pa.array(found, mask=found < 0)


def _artist(res: Rows, rel: Rows, ai: pa.Array, ri: pa.Array) -> pa.Array:
    """Per sale line, its resource's DisplayArtistName where that cell is not empty, else its
    release's, unescaped (`_text`), coded: each record's cell read once, the line's record
    (resource i, or release i after every resource) as its index."""
    own, other = res.field("DisplayArtistName"), rel.field("DisplayArtistName")
    named = pc.coalesce(pc.take(pc.not_equal(own, ""), ai), False)
    index = pc.if_else(named, ai, pc.add(ri, len(own)))
    return recoded(index, pa.concat_arrays([_text(own), _text(other)]))


def _text(cells: pa.Array) -> pa.Array:
    """unescape(cell) or None, per distinct value only where a cell holds an escape."""
    if pc.any(pc.match_substring(cells, "\\")).as_py():
        return per_value(cells, lambda v: unescape(v) or None)
    return pc.if_else(pc.equal(cells, ""), pa.scalar(None, cells.type), cells)


def _first_isrc(cell: str) -> str | None:
    return next((c for c in map(nz.norm_isrc, multi(cell)) if c), None)


def _isrcs(cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(first valid ISRC of each multi-value cell, whether the cell lists any). Cells already in
    canonical form are checked by their country code (once per code); others by norm_isrc."""
    plain = pc.and_not(pc.match_substring_regex(cells, _CANONICAL_ISRC), pc.starts_with(cells, "ISRC"))
    plain = pc.coalesce(plain, False)
    none = pa.scalar(None, cells.type)
    country = pc.if_else(plain, pc.utf8_slice_codeunits(cells, 0, 2), none)
    valid = per_value(country, lambda c: nz.norm_isrc(c + "AAA0000000") is not None, pa.bool_())
    rest = pc.if_else(plain, none, cells)
    isrc = pc.if_else(plain, pc.if_else(valid, pc.cast(cells, pa.string()), pa.scalar(None, pa.string())),
                      per_value(rest, _first_isrc))
    listed = pc.if_else(plain, True, per_value(rest, lambda v: bool(multi(v)), pa.bool_()))
    return isrc, pc.coalesce(listed, False)
