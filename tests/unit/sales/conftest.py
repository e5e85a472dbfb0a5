"""Helpers for the sales cleaner tests."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from models.sales.clean import CleanOptions, clean_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sales"


class Run:
    def __init__(self, path: Path, name: str | None = None, **opts) -> None:
        self.batches: list[pa.RecordBatch] = []
        self.progress: list[tuple[int, float]] = []
        self.result = clean_file(str(path), name or path.name, CleanOptions(**opts), self.batches.append,
                                 lambda r, p: self.progress.append((r, p)))

    @property
    def table(self) -> pa.Table:
        from models.sales.schema import CANONICAL_SCHEMA
        # coded text columns (models/sales/coded.py) read back as the plain strings they stand for
        return pa.Table.from_batches([b.cast(CANONICAL_SCHEMA) for b in self.batches], schema=CANONICAL_SCHEMA)

    @property
    def rows(self) -> list[dict]:
        return self.table.to_pylist()


@pytest.fixture
def run():
    return Run


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
