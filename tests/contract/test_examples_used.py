"""Every example of both specifications (tests/contract/spec_examples/) is replayed against the
running stack by some test: a copied example that no replaying test loads fails here."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.examples import EXAMPLES

TESTS = Path(__file__).parent.parent
# the tests that send examples to the stack (the offline and OpenAPI checks do not count)
REPLAYING = [TESTS / "contract" / name for name in (
    "test_gtin_items_spec.py", "test_gtin_import_spec.py", "test_gtin_rules.py",
    "test_sales_spec.py")] + [TESTS / "e2e" / "auto_upload" / "test_auto_upload.py"]


@pytest.mark.parametrize("example", sorted(p.relative_to(EXAMPLES).as_posix()
                                           for p in EXAMPLES.glob("*/*.json")))
def test_every_example_is_replayed(example):
    name = Path(example).name
    assert any(f'"{name}"' in path.read_text() for path in REPLAYING), \
        f"{example} is not replayed by any of {[p.name for p in REPLAYING]}"
