"""Timing and memory helpers: medians, peak RSS of a process (VmHWM), baselines run in their own
subprocess so the memory they report is theirs alone."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any


def vmhwm_mb(pid: int | str = "self") -> float | None:
    """Peak resident set size of a process in MiB (Linux /proc), or None when unreadable."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc), 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_hwm(pid: int) -> bool:
    """Reset a process's peak RSS (`echo 5 > /proc/PID/clear_refs`; same user or root)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 4) if values else None


def run_baseline(name: str, args: dict[str, Any], timeout: float = 1800.0) -> dict[str, Any]:
    """Run `bench.baselines NAME` in a fresh interpreter; its last stdout line is a JSON result
    ({"seconds", "rows", "rss_peak_mb", ...}). A missing library gives {"skipped": reason}."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bench.baselines", name, json.dumps(args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr or proc.stdout)[-2000:], "wall_s": time.monotonic() - started}
    result = json.loads(lines[-1])
    result["wall_s"] = round(time.monotonic() - started, 3)
    return result


def summarise(runs: list[dict[str, Any]], rows: int | None = None,
              key: str = "seconds") -> dict[str, Any]:
    """Median seconds, rows per second and the highest peak RSS over the runs of one contender."""
    if runs and all("skipped" in r for r in runs):
        return {"skipped": runs[0]["skipped"]}
    good = [r for r in runs if key in r]
    errors = [r["error"] for r in runs if "error" in r]
    out: dict[str, Any] = {"runs": [round(r[key], 4) for r in good]}
    out["median_s"] = median([r[key] for r in good])
    if rows and out["median_s"]:
        out["rows_per_s"] = round(rows / out["median_s"])
    rss = [r["rss_peak_mb"] for r in good if r.get("rss_peak_mb") is not None]
    out["peak_rss_mb"] = max(rss) if rss else None
    if errors:
        out["errors"] = errors[:2]
    return out


def machine() -> dict[str, Any]:
    model = None
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((ln.split(":", 1)[1].strip() for ln in handle
                          if ln.startswith("model name")), None)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as handle:
            mem = round(int(handle.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gb": mem,
            "python": sys.version.split()[0], "platform": sys.platform}
