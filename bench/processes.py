"""Stopping a `tributary up` supervisor started in a session of its own (start_new_session)."""
from __future__ import annotations

import os
import signal
import subprocess


def terminate(proc: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM `proc` (it stops its children); SIGKILL its whole process group if it has not
    exited after `grace` seconds."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
