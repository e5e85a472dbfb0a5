"""The organisation summary's distinct artists, tracks and releases: the union of its files'
keys (each file's distinct keys, `snapshot_io.encode_keys`).

The union is kept between summaries with the digests of the files' keys it came from, so a file
imported since is merged into it (its own keys only) and a summary read while nothing changed
reuses its counts. Counting every file's keys again on every import and every read grew with
the organisation's history: 200 files of the 1 M-row benchmark file were 94 MB of keys read and
1.1 s of counting each time. A file voided, withdrawn or reimported with other keys can only be
taken out by counting the files again, which is what happens then."""
from __future__ import annotations

import hashlib
import json
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc

KINDS = ("artists", "tracks", "releases")
UNION_MAX_BYTES = 8 << 20   # a larger union is not kept (half of a MongoDB document's 16 MiB)

Files = list[tuple[int, "str | None"]]   # (file id, digest of its keys; None: not known)


def digest(blob: bytes) -> str:
    """The digest of one file's encoded keys."""
    return hashlib.sha256(blob).hexdigest()[:32]


def stamp(files: Files) -> str | None:
    """One value for a set of files' keys (None when a file's digest is not known: a keys
    document of the older string-list format, counted every time)."""
    if not all(known for _, known in files):
        return None
    return hashlib.sha256(json.dumps(sorted(map(list, files))).encode()).hexdigest()


def added(kept: Files, current: Files) -> list[int] | None:
    """The files of `current` that the union of `kept` lacks, when it lacks nothing else: every
    kept file is still there with the same keys. None when one went or changed."""
    now = {file_id: known for file_id, known in current}
    if any(now.get(file_id) != known for file_id, known in kept):
        return None
    before = {file_id for file_id, _ in kept}
    return [file_id for file_id in now if file_id not in before]


def union(parts: Iterable[dict[str, pa.Array]]) -> dict[str, pa.Array]:
    """The distinct keys of each kind over `parts` (files' keys, or a union and files' keys);
    a null is no key."""
    parts = list(parts)
    return {kind: pc.drop_null(pc.unique(pa.chunked_array([p[kind] for p in parts if kind in p], pa.string())))
            for kind in KINDS}


def counts(keys: dict[str, pa.Array]) -> dict[str, int]:
    return {kind: len(keys[kind]) for kind in KINDS}
