"""Where the reference material lives: `../shared` beside the repository (read-only, optional)."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
