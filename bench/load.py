"""HTTP load with `wrk` (Debian package): installed when missing and we are root, else the
scenario is skipped with the reason."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def ensure_wrk() -> str | None:
    """None when wrk is usable, else why not."""
    if shutil.which("wrk"):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "wrk is not installed (apt-get install wrk) and we are not root"
    subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, timeout=600)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, timeout=600)
    return None if shutil.which("wrk") else "apt-get install wrk failed"


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return round(float(m[1]) * _UNITS[m[2]], 3) if m else float("nan")


def parse(output: str) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    lat = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Socket errors:.*", output)
    return {"requests_per_s": float(rps[1]) if rps else None, "p50_ms": lat.get("50"),
            "p99_ms": lat.get("99"), "requests": int(total[1]) if total else None,
            "non_2xx": int(non2xx[1]) if non2xx else 0,
            "socket_errors": errors[0] if errors else None}


def wrk(url: str, headers: dict[str, str], seconds: float, connections: int = 32,
        threads: int = 2) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency",
           "--timeout", "5s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    result = parse(out.stdout)
    result["seconds"] = seconds
    return result
