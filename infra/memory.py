"""Process memory policy of a worker: no transparent huge pages.

The host's THP mode is `madvise` and Arrow's allocator (mimalloc) asks for huge pages for the
arenas it commits; each fresh arena then faults in 2 MiB pages the kernel first zeroes and often
compacts memory for. A high-cardinality group-by (the `currencies` shape's byTrack, 463 k keys)
grows its key buffers into fresh arenas again and again: 4.3 s of system time in a 1 M-row
cleaning, 1.0 s with huge pages off (user time unchanged). `MIMALLOC_ARENA_EAGER_COMMIT=0` does
the same but is read only when pyarrow is first loaded; the prctl works at any moment."""
from __future__ import annotations

import ctypes
import sys

PR_SET_THP_DISABLE = 41


def no_huge_pages() -> bool:
    """Turn transparent huge pages off for this process (Linux); False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
