"""The one exception the sales cleaner raises for files it refuses."""
from __future__ import annotations

CAUSES = ("UNSUPPORTED_TYPE", "EMPTY", "CORRUPTED", "UNKNOWN_LAYOUT", "TOO_MANY_BAD_ROWS",
          "NOT_SALES")   # a recognised file that holds no sales lines (e.g. a statement summary)


class SalesFileError(Exception):
    """A file the pipeline cannot import; `cause` is machine-readable, `message` is for humans."""

    def __init__(self, cause: str, message: str) -> None:
        if cause not in CAUSES:
            raise ValueError(f"unknown cause {cause!r}")
        super().__init__(f"{cause}: {message}")
        self.cause = cause
        self.message = message
