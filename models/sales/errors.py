"""The one exception the sales cleaner raises for files it refuses."""
from __future__ import annotations

CAUSES = ("UNSUPPORTED_TYPE", "EMPTY", "CORRUPTED", "UNKNOWN_LAYOUT", "TOO_MANY_BAD_ROWS",
          "NOT_SALES")   # a recognised file that holds no sales lines (e.g. a statement summary)


class SalesFileError(Exception):
    """A file the pipeline cannot import; `cause` is machine-readable, `message` is for humans."""

    def __init__(self, cause: str, message: str, details: dict | None = None) -> None:
        if cause not in CAUSES:
            raise ValueError(f"unknown cause {cause!r}")
        super().__init__(f"{cause}: {message}")
        self.cause = cause
        self.message = message
        self.details = details or {}   # extra status fields (e.g. UNKNOWN_LAYOUT's layout_proposal)
