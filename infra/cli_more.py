"""Further `tributary` sub-commands (participants, sessions, status, replay) plug in here."""
from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    return None


def run_command(args, settings) -> int:
    raise SystemExit(f"unknown command {args.command}")
