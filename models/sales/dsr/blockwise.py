"""What a sale line takes from its block's release (RE) and resource (AS): computed once per
block, not per sale line, and taken to the block's lines by block number. A block holds at most
one RE and one AS here (the per-line reader resolves references between several, reader._pick)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import normalise as nz
from .fields import Rows, pc, per_value
from .records import multi, unescape

# an ISRC cell that norm_isrc leaves as it is when its country code is valid (multi() of it is itself)
_CANONICAL_ISRC = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"


def per_block(b, rel: Rows, res: Rows) -> dict[str, pa.Array] | None:
    """Per block number: isrc, upc, artist, track_title, release_title, and for the data-quality
    notes the ISRC cell, the ICPN and whether each was nulled. None: a block has two RE or AS."""
    size = int(b.block.max()) + 1 if len(b.block) else 1
    ri, ai = _row_of_block(b, rel, size), _row_of_block(b, res, size)
    if ri is None or ai is None:
        return None
    icpn = pc.take(per_value(rel.field("ICPN"), lambda v: unescape(v).strip()), ri)
    upc = per_value(icpn, lambda v: nz.norm_upc(v) if v else None)
    isrc_cell = pc.take(res.field("ISRC"), ai)
    isrc, listed = _isrcs(isrc_cell)
    artist = pc.coalesce(pc.take(res.field("DisplayArtistName"), ai), "")
    artist = pc.if_else(pc.not_equal(artist, ""), artist, pc.coalesce(pc.take(rel.field("DisplayArtistName"), ri), ""))
    return {"isrc": isrc, "upc": upc, "artist": _text(artist),
            "track_title": pc.take(_text(res.field("Title")), ai), "release_title": pc.take(_text(rel.field("Title")), ri),
            "isrc_cell": isrc_cell, "isrc_nulled": pc.and_(pc.is_null(isrc), listed),
            "icpn": icpn, "upc_nulled": pc.and_(pc.is_null(upc), pc.not_equal(icpn, ""))}


def _row_of_block(b, kind: Rows, size: int) -> pa.Array | None:
    blocks = b.block[kind.rows]
    if len(blocks) and np.bincount(blocks).max() > 1:
        return None
    at = np.full(size, -1, dtype=np.int64)
    at[blocks] = np.arange(len(blocks))
    return pa.array(at, mask=at < 0)


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
