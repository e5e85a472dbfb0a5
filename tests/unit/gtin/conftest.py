import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # the repo root holds the `models` package
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "gtin"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
