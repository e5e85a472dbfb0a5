"""docs/reliability.md is the script's rendering of the committed figures (no hand edits), and
the script shows what a run measured, what it did not, and what failed."""
from __future__ import annotations

import json
from pathlib import Path

from bench.reliability_doc import MISSING, merge, render

ROOT = Path(__file__).resolve().parents[2]


def test_committed_document_is_rendered_from_the_committed_figures():
    figures = json.loads((ROOT / "docs" / "reliability-figures.json").read_text())
    assert (ROOT / "docs" / "reliability.md").read_text() == render(figures)


def test_figures_missing_failed_and_new_sections_are_shown():
    page = render(merge([{
        "run": {"started": "2026-12-03T08:00:00+00:00", "cpus": 2, "load_average_at_start": 9.5,
                "load_average_at_end": 7.25},
        "tests": {"test_hung_worker.py::test_x": {"outcome": "passed", "seconds": 61.9},
                  "test_faults.py::test_y": {"outcome": "failed", "seconds": 12.0}},
        "liveness": {"sigstop_worker": {"replaced_after_s": 1.0}},
        "sweeper": {"expired_records": 17}}, {
        "run": {"started": "2026-12-03T09:00:00+00:00", "cpus": 2},
        "tests": {"test_hung_worker.py::test_x": {"outcome": "passed", "seconds": 20.0}},
        "liveness": {"sigstop_worker": {"replaced_after_s": 3.25, "rows": 40000}}}]))
    assert "1 passed, 1 failed, 0 skipped" in page
    assert "| 2026-12-03T08:00:00+00:00 | 2 | 9.5 | 7.25 | test_faults.py, test_hung_worker.py |" \
        in page and "| 2026-12-03T09:00:00+00:00 | 2 |" in page
    assert "replaced after s: 3.25; rows: 40,000" in page
    assert "| `test_faults.py::test_y` | failed | 12.0 |" in page
    sigkill = next(line for line in page.splitlines() if "SIGKILLed while importing" in line)
    assert MISSING in sigkill
    assert "### sweeper" in page and "| expired records | 17 |" in page
    assert "0 × 5xx" not in page and "reconnect" not in page
